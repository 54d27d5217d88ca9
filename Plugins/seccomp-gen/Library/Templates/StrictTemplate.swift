/// One way `strict` narrows Docker's default, with the app types that keep what it removes.
public struct StrictRestriction: Sendable {
    public var id: String
    public var title: String
    /// Why it is removed, and who would need it.
    public var reason: String
    /// App types that keep it (need what it removes).
    public var keptBy: Set<AppType>
    /// The syscalls it removes or restricts.
    public var syscalls: [String]
    /// What it does to the profile.
    let apply: @Sendable (inout SeccompProfile) -> Void
}

/// The `strict` template: Docker's default, then each ``StrictRestriction`` the app type does not keep.
///
/// What stays in every strict profile is what the container runtime itself calls after the filter is installed
/// (setuid/setgid/setgroups/capset, prctl, execve...): dropping any of those stops every container from starting.
public enum StrictTemplate {
    public static let restrictions: [StrictRestriction] = [
        dropGroup("sysv-ipc", "No System V IPC", keptBy: [.web, .db],
                  "only programs that share memory segments or semaphores between processes need System V IPC "
                  + "(PostgreSQL, Apache httpd's sysvsem mutex); anyone else gets a smaller kernel surface"),
        dropGroup("posix-mq", "No POSIX message queues", keptBy: [],
                  "containerised services use a network broker, not kernel message queues"),
        dropGroup("memory-locking", "No locking memory in RAM", keptBy: [.db],
                  "locking memory matters to databases and secret stores; elsewhere it only lets a process pin RAM"),
        dropGroup("server-sockets", "No accepting connections", keptBy: [.web, .db, .worker],
                  "a batch job or a command-line tool serves no connections: listen/accept refused means nothing in "
                  + "the container can open a port, even if compromised"),
        dropGroup("kernel-aio", "No kernel asynchronous I/O", keptBy: [.web, .db],
                  "libaio is used by databases and by nginx's aio/directio; other programs use threads or epoll"),
        dropGroup("file-handles", "No name_to_handle_at", keptBy: [],
                  "name_to_handle_at pairs with open_by_handle_at (the 2014 \"shocker\" breakout); only NFS servers "
                  + "and checkpoint/restore tools use it"),
        StrictRestriction(
            id: "no-ptrace", title: "No tracing of other processes",
            reason: "ptrace and process_vm_readv/writev read and change another process's memory: debuggers and "
                + "profilers only. Docker allows them from kernel 4.8; strict does not",
            keptBy: [], syscalls: DockerDefault.ptraceRule.names) { profile in
                profile.syscalls.removeAll { $0 == DockerDefault.ptraceRule }
            },
        StrictRestriction(
            id: "personality", title: "personality(2) limited to the default persona",
            reason: "Docker also allows UNAME26 and ADDR_NO_RANDOMIZE, which turn off address-space randomisation "
                + "for the programs a process starts; strict keeps only PER_LINUX (0) and the query (0xffffffff)",
            keptBy: [], syscalls: ["personality"]) { profile in
                profile.syscalls.removeAll { rule in
                    rule.names == ["personality"] && rule.args.count == 1 && ![0, 4_294_967_295].contains(rule.args[0].value)
                }
            },
        StrictRestriction(
            id: "socket-families", title: "socket(2) limited to AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK",
            reason: "web servers, databases, workers and tools talk over unix and IP sockets and read routes and "
                + "addresses over netlink (the C library's getaddrinfo does); the rarely used families (AF_PACKET, "
                + "AF_KEY, AF_X25, AF_BLUETOOTH, AF_ALG, AF_VSOCK...) are where most socket CVEs were found",
            keptBy: [], syscalls: ["socket"]) { profile in
                guard let first = profile.syscalls.firstIndex(where: { $0.names == ["socket"] }) else { return }
                profile.syscalls.removeAll { $0.names == ["socket"] }
                let families: [UInt64] = [1, 2, 10, 16]
                profile.syscalls.insert(contentsOf: families.map {
                    SyscallRule(names: ["socket"], action: DockerDefault.allow, args: [ArgumentCondition(index: 0, value: $0, op: "SCMP_CMP_EQ")])
                }, at: first)
            },
        StrictRestriction(
            id: "modify-ldt", title: "No modify_ldt (x86)",
            reason: "16-bit segments are for Wine and DOS emulators; modify_ldt has a record of kernel bugs "
                + "(CVE-2015-5157, CVE-2017-17053)",
            keptBy: [], syscalls: ["modify_ldt"]) { profile in
                profile.syscalls.removeAll { $0.names == ["modify_ldt"] }
            },
        StrictRestriction(
            id: "capability-gated", title: "Nothing more for added capabilities",
            reason: "Docker widens the filter when a container is given a capability (CAP_SYS_ADMIN brings mount, "
                + "unshare, setns, bpf; CAP_SYS_PTRACE brings ptrace...). Strict keeps the filter the same whatever "
                + "capabilities are added, so an over-broad --cap-add cannot reach those syscalls; clone keeps "
                + "Docker's no-new-namespaces argument filter for everyone, and clone3 answers ENOSYS so the C "
                + "library falls back to clone",
            keptBy: [], syscalls: DockerDefault.capabilityRules.filter { !$0.includes.caps.isEmpty }.flatMap(\.names)) { profile in
                profile.syscalls.removeAll { !$0.includes.caps.isEmpty }
                for i in profile.syscalls.indices where profile.syscalls[i].excludes.caps.contains("CAP_SYS_ADMIN") {
                    profile.syscalls[i].excludes.caps.removeAll { $0 == "CAP_SYS_ADMIN" }
                }
            },
    ]

    static func dropGroup(_ id: String, _ title: String, keptBy: Set<AppType>, _ reason: String) -> StrictRestriction {
        let group = DockerDefault.groups.first { $0.id == id }!
        return StrictRestriction(id: "no-\(id)", title: title, reason: reason, keptBy: keptBy, syscalls: group.names) { profile in
            let drop = Set(group.names)
            if let i = profile.syscalls.firstIndex(where: { $0.action == DockerDefault.allow && $0.args.isEmpty && $0.includes.isEmpty && $0.excludes.isEmpty }) {
                profile.syscalls[i].names.removeAll { drop.contains($0) }
            }
        }
    }

    /// The restrictions applied for `appType`.
    public static func restrictions(for appType: AppType) -> [StrictRestriction] {
        restrictions.filter { !$0.keptBy.contains(appType) }
    }

    public static func profile(for appType: AppType) -> SeccompProfile {
        var profile = DockerDefault.profile()
        for restriction in restrictions(for: appType) { restriction.apply(&profile) }
        return profile
    }
}
