/// AppArmor text profiles: Docker's `docker-default` rules (its /proc and /sys write denials, no mount, signals
/// and ptrace only among the container's own processes), tightened per app type: reads and execution anywhere in
/// the image, writes only where that kind of application writes, the capabilities it uses, no raw or packet
/// sockets, no mount/umount/pivot_root.
public enum AppArmorProfile {
    /// Where each app type writes, and why.
    public static func writableDirectories(_ appType: AppType) -> [(path: String, why: String)] {
        let scratch: [(String, String)] = [("/tmp", "scratch files"), ("/var/tmp", "scratch files"),
                                           ("/run", "pid files and sockets"), ("/var/run", "pid files and sockets")]
        switch appType {
        case .web:
            return scratch + [("/var/cache", "proxy and page caches (nginx's client_body_temp, proxy_temp)"),
                              ("/var/log", "access and error logs")]
        case .db:
            return scratch + [("/var/lib", "the data directory (PostgreSQL's /var/lib/postgresql, MySQL's /var/lib/mysql)"),
                              ("/data", "Redis and MongoDB images keep data here"), ("/var/log", "server logs")]
        case .worker:
            return scratch + [("/var/cache", "downloaded and computed caches"), ("/var/log", "logs")]
        case .batch:
            return scratch + [("/data", "input and output datasets"), ("/output", "results"), ("/work", "working files")]
        case .cli:
            return scratch + [("/work", "a mounted working copy"), ("/workspace", "a mounted working copy"),
                              ("/src", "a mounted source tree"), ("/home", "the user's caches and configuration"),
                              ("/root", "root's caches and configuration")]
        }
    }

    /// The capabilities each app type keeps, and why.
    public static func capabilities(_ appType: AppType) -> [(name: String, why: String)] {
        let dropPrivileges: [(String, String)] = [("setuid", "switch to an unprivileged user at start"),
                                                  ("setgid", "switch to an unprivileged group at start")]
        let files: [(String, String)] = [("chown", "give files to the service user"),
                                         ("dac_override", "root reads files owned by the service user"),
                                         ("fowner", "change modes of files it does not own")]
        switch appType {
        case .web:
            return dropPrivileges + files + [("net_bind_service", "listen on ports below 1024"),
                                             ("kill", "the master process signals workers running as another user")]
        case .db:
            return dropPrivileges + files + [("ipc_lock", "lock shared buffers and keys in memory"),
                                             ("kill", "signal server processes running as the database user")]
        case .worker:
            return dropPrivileges + [("kill", "stop child processes running as another user")]
        case .batch, .cli:
            return dropPrivileges + files
        }
    }

    /// The profile text. `name` is the profile's name as `--security-opt apparmor=NAME` refers to it.
    public static func text(name: String, appType: AppType) -> String {
        var lines: [String] = [
            "# contsec seccomp-gen: AppArmor profile for a \(appType.rawValue) container (\(appType.summary)),",
            "# based on Docker's docker-default. Load it with: apparmor_parser -r -W <this file>",
            "#include <tunables/global>",
            "",
            "profile \(name) flags=(attach_disconnected,mediate_deleted) {",
            "  #include <abstractions/base>",
            "",
            "  # Network: unix, IPv4/IPv6 and netlink (address lookups); no raw or packet sockets.",
            "  network unix,",
            "  network inet stream,",
            "  network inet6 stream,",
            "  network inet dgram,",
            "  network inet6 dgram,",
            "  network netlink raw,",
            "  deny network raw,",
            "  deny network packet,",
            "",
            "  # Capabilities this kind of application uses (the container's own capability set still applies).",
        ]
        for cap in capabilities(appType) { lines.append("  capability \(cap.name),  # \(cap.why)") }
        lines += [
            "",
            "  # Read, map and run anything in the image; write only below these directories.",
            "  /** rmix,",
        ]
        for dir in writableDirectories(appType) { lines.append("  \(dir.path)/** rwlk,  # \(dir.why)") }
        lines += [
            "  /dev/{null,zero,full,random,urandom,tty,pts/*} rw,",
            "",
            "  # Only among the container's own processes (and from the host).",
            "  signal (receive) peer=unconfined,",
            "  signal (send,receive) peer=\(name),",
            "  ptrace (read,readby) peer=\(name),",
            "  deny ptrace (trace),",
            "",
            "  # Docker's docker-default denials: /proc and /sys stay read-only, no mounts.",
            "  deny mount,",
            "  deny umount,",
            "  deny pivot_root,",
            "  deny @{PROC}/* w,",
            "  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,",
            "  deny @{PROC}/sys/[^k]** w,",
            "  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,",
            "  deny @{PROC}/sysrq-trigger rwklx,",
            "  deny @{PROC}/kcore rwklx,",
            "  deny /sys/[^f]*/** wklx,",
            "  deny /sys/f[^s]*/** wklx,",
            "  deny /sys/fs/[^c]*/** wklx,",
            "  deny /sys/fs/c[^g]*/** wklx,",
            "  deny /sys/fs/cg[^r]*/** wklx,",
            "  deny /sys/firmware/** rwklx,",
            "  deny /sys/devices/virtual/powercap/** rwklx,",
            "  deny /sys/kernel/security/** rwklx,",
            "}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// AppArmor profile names: what `profile NAME` and `apparmor=NAME` accept without quoting.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
    }
}
