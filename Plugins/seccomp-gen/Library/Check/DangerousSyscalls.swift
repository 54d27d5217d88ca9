import ContsecProtocol

/// A syscall (or family) a container should not be allowed, and why.
public struct DangerousAllowance: Sendable {
    /// Rule id suffix: `SECCOMP-<id>`.
    public var id: String
    public var names: [String]
    public var severity: Severity
    public var title: String
    /// What an attacker in the container gains.
    public var why: String
    public var references: [String]

    init(_ id: String, _ names: [String], _ severity: Severity, _ title: String, _ why: String, _ references: [String] = []) {
        self.id = id
        self.names = names
        self.severity = severity
        self.title = title
        self.why = why
        self.references = references
    }
}

/// The dangerous allowances `check` and `audit` look for. Capability-gated rules count only when the container
/// has the capability, so Docker's default judged for Docker's default capabilities raises only what it really
/// allows (ptrace on kernels from 4.8).
public enum DangerousSyscalls {
    public static let catalog: [DangerousAllowance] = [
        DangerousAllowance("KERNEL-MODULES", ["init_module", "finit_module", "delete_module"], .critical,
                           "loading kernel modules is allowed",
                           "a module runs in the kernel: whoever loads one owns the host",
                           ["https://man7.org/linux/man-pages/man2/init_module.2.html"]),
        DangerousAllowance("KEXEC", ["kexec_load", "kexec_file_load"], .critical, "replacing the running kernel is allowed",
                           "kexec boots another kernel in place of the host's"),
        DangerousAllowance("OPEN-BY-HANDLE", ["open_by_handle_at"], .critical, "open_by_handle_at is allowed",
                           "opens any file of a mounted filesystem by its handle, bypassing the container's mount view: "
                           + "the 2014 \"shocker\" exploit read the host's /etc/shadow this way",
                           ["https://www.openwall.com/lists/oss-security/2014/06/18/4"]),
        DangerousAllowance("RAW-IO", ["iopl", "ioperm"], .critical, "direct I/O port access is allowed",
                           "I/O ports reach hardware directly, under the kernel's feet"),
        DangerousAllowance("MOUNT", ["mount", "umount", "umount2", "fsopen", "fsmount", "fsconfig", "fspick", "move_mount",
                                     "open_tree", "mount_setattr", "pivot_root"], .high, "mounting filesystems is allowed",
                           "mounting (or unmounting what hides host paths) changes the container's view of the "
                           + "filesystem: the classic step of breakouts through cgroup release_agent or a host device"),
        DangerousAllowance("BPF", ["bpf"], .high, "bpf is allowed",
                           "eBPF programs run in the kernel; verifier bugs have repeatedly given root "
                           + "(CVE-2021-3490, CVE-2022-23222)", ["https://nvd.nist.gov/vuln/detail/CVE-2022-23222"]),
        DangerousAllowance("PTRACE", ["ptrace", "process_vm_readv", "process_vm_writev"], .high,
                           "tracing other processes is allowed",
                           "reads and changes the memory of other processes in the container (secrets, tokens); "
                           + "before kernel 4.8 a tracer could also take a tracee out of seccomp",
                           ["https://man7.org/linux/man-pages/man2/ptrace.2.html"]),
        DangerousAllowance("NAMESPACES", ["setns", "unshare"], .high, "joining or creating namespaces is allowed",
                           "new user namespaces open kernel code paths otherwise reserved to root, the entry point of "
                           + "many privilege escalations (CVE-2022-0185, CVE-2023-32233); setns joins other namespaces",
                           ["https://nvd.nist.gov/vuln/detail/CVE-2022-0185"]),
        DangerousAllowance("PERF", ["perf_event_open"], .medium, "perf_event_open is allowed",
                           "performance counters leak kernel addresses and have been exploited (CVE-2013-2094)"),
        DangerousAllowance("USERFAULTFD", ["userfaultfd"], .medium, "userfaultfd is allowed",
                           "pausing the kernel on a page fault widens race windows: a standard exploitation primitive"),
        DangerousAllowance("KEYRING", ["keyctl", "add_key", "request_key"], .medium, "the kernel keyring is allowed",
                           "the keyring is not namespaced: containers can see each other's keys, and it has had "
                           + "privilege escalations (CVE-2016-0728)"),
        DangerousAllowance("IO-URING", ["io_uring_setup", "io_uring_enter", "io_uring_register"], .medium,
                           "io_uring is allowed",
                           "a large share of recent kernel privilege escalations went through io_uring; Docker's "
                           + "default refuses it since 2023"),
        DangerousAllowance("KERNEL-LOG", ["syslog"], .medium, "reading the kernel log is allowed",
                           "the kernel log leaks addresses that defeat KASLR"),
        DangerousAllowance("CLOCK", ["settimeofday", "clock_settime", "clock_settime64", "stime"], .medium,
                           "setting the system clock is allowed", "the clock is not namespaced: it changes for the host "
                           + "and every container (certificates, logs, tokens)"),
        DangerousAllowance("REBOOT", ["reboot"], .medium, "reboot is allowed",
                           "with CAP_SYS_BOOT outside a PID namespace it restarts the host"),
        DangerousAllowance("STEAL-FDS", ["pidfd_getfd", "kcmp"], .medium, "taking other processes' file descriptors is allowed",
                           "pidfd_getfd copies an open file (socket, secret file) out of another process"),
        DangerousAllowance("SWAP", ["swapon", "swapoff"], .medium, "swapon/swapoff are allowed", "changes host memory management"),
        DangerousAllowance("VM86", ["vm86", "vm86old"], .medium, "vm86 is allowed", "virtual-8086 mode on 32-bit x86: an old, bug-prone kernel path"),
        DangerousAllowance("LEGACY", ["uselib", "nfsservctl", "lookup_dcookie", "quotactl", "quotactl_fd", "acct", "vhangup"],
                           .low, "legacy or host-administration syscalls are allowed",
                           "obsolete or host-administration interfaces no application needs"),
    ]

    /// The `SCMP_CMP_MASKED_EQ` filter on clone's flags that keeps namespaces out.
    static func restrictsNamespaces(_ rule: EffectiveRule) -> Bool {
        rule.args.contains { $0.op == "SCMP_CMP_MASKED_EQ" && ($0.value & DockerDefault.namespaceFlags) == DockerDefault.namespaceFlags && $0.valueTwo == 0 }
    }
}
