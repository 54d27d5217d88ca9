/// One thing `permissive` allows beyond Docker's default, with the software that fails without it.
public struct PermissiveAddition: Sendable {
    public var id: String
    public var title: String
    /// Who fails to start (or misbehaves) under the default profile without it, and what it costs.
    public var reason: String
    public var names: [String]
}

/// The `permissive` template: Docker's default plus the syscalls behind the common "my container fails to start
/// under the default profile" reports. It is a troubleshooting step, not a destination: `check` reports each of
/// these as a finding, and `learn` produces a profile with only what the application really uses.
public enum PermissiveTemplate {
    public static let additions: [PermissiveAddition] = [
        PermissiveAddition(
            id: "tracing", title: "Tracing and reading other processes",
            reason: "debuggers (gdb, delve), profilers (py-spy, async-profiler), crash reporters and APM agents attach "
                + "to processes in the container; Docker allows this only on kernels from 4.8 or with CAP_SYS_PTRACE",
            names: ["ptrace", "process_vm_readv", "process_vm_writev"]),
        PermissiveAddition(
            id: "personality", title: "personality(2) with any persona",
            reason: "old binaries, setarch, and test harnesses that turn address-space randomisation off; Docker "
                + "allows only five values",
            names: ["personality"]),
        PermissiveAddition(
            id: "io-uring", title: "io_uring",
            reason: "newer databases and runtimes (TigerBeetle, some Rust and Java I/O libraries) use io_uring, and "
                + "some have no fallback; Docker removed it from the default in 2023 after a series of kernel bugs",
            names: ["io_uring_setup", "io_uring_enter", "io_uring_register"]),
        PermissiveAddition(
            id: "keyring", title: "Kernel keyring",
            reason: "Kerberos credential caches (KEYRING:), ecryptfs and systemd-based images use keyctl; the keyring "
                + "is not namespaced, which is why Docker refuses it",
            names: ["keyctl", "add_key", "request_key"]),
        PermissiveAddition(
            id: "userfaultfd", title: "userfaultfd",
            reason: "checkpoint/restore (CRIU), QEMU post-copy migration and some garbage collectors handle page "
                + "faults in user space; also a favourite tool for widening kernel race windows",
            names: ["userfaultfd"]),
        PermissiveAddition(
            id: "perf", title: "Performance counters",
            reason: "perf and continuous profilers read hardware counters (still limited by kernel.perf_event_paranoid)",
            names: ["perf_event_open"]),
        PermissiveAddition(
            id: "numa", title: "NUMA memory policy",
            reason: "JVMs with -XX:+UseNUMA, numactl and NUMA-aware databases set memory policies; Docker requires "
                + "CAP_SYS_NICE for them",
            names: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"]),
    ]

    public static func profile() -> SeccompProfile {
        var profile = DockerDefault.profile()
        for addition in additions {
            profile.syscalls.append(SyscallRule(names: addition.names, action: DockerDefault.allow,
                                                comment: "contsec permissive: \(addition.title)"))
        }
        return profile
    }
}

/// Builds the profile of a template for an app type.
public enum TemplateBuilder {
    public static func profile(_ template: TemplateKind, appType: AppType) -> SeccompProfile {
        var profile: SeccompProfile
        switch template {
        case .default: profile = DockerDefault.profile()
        case .strict: profile = StrictTemplate.profile(for: appType)
        case .permissive: profile = PermissiveTemplate.profile()
        }
        // Provenance where the engine accepts it: a comment on the first rule.
        if template != .default, !profile.syscalls.isEmpty {
            profile.syscalls[0].comment = "contsec seccomp-gen \(template.rawValue) template for \(appType.rawValue) "
                + "(\(appType.summary)), from Docker's default profile"
        }
        return profile
    }
}
