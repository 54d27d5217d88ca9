import Foundation

/// Section 1: Host Configuration.
enum Section1 {
    /// What must exist before an audit rule for a path is expected (docker-bench's `-d`, `-f`, `-e` tests).
    enum Presence { case any, directory, file, exists }

    static let auditRemediation = "Install auditd and add a watch rule, e.g. `-w PATH -k docker`, to /etc/audit/rules.d/audit.rules, then restart auditd (`service auditd restart`)."

    /// 1.1.3–1.1.18: the path must be covered by an audit rule; a path that is not there gets INFO "not found".
    static func audit(_ id: String, _ subject: String, rule: String, path: @escaping @Sendable (AuditFacts) -> String,
                      presence: Presence) -> CISCheck {
        CISCheck(id, "Ensure auditing is configured for \(subject)", severity: .low, target: .host,
                 remediation: auditRemediation.replacingOccurrences(of: "PATH", with: rule),
                 audit: "Looks for a rule naming the path in `auditctl -l` (or the rule files when auditctl is absent).") { facts in
            let p = path(facts)
            let st = HostFiles.stat(p)
            switch presence {
            case .any: break
            case .directory where st?.kind != .directory: return .info("Directory not found: \(p)")
            case .file where st?.kind != .file: return .info("File not found: \(p)")
            case .exists where st == nil: return .info("File not found: \(p)")
            default: break
            }
            if facts.auditRules.covers(p) { return .pass("audit rule for \(p) (\(facts.auditRules.source))") }
            return CheckResult(.warn, "no audit rule for \(p) (\(facts.auditRules.source))", offenders: [Offender(kind: "file", name: p)],
                               remediation: auditRemediation.replacingOccurrences(of: "PATH", with: p))
        }
    }

    static let checks: [CISCheck] = [
        CISCheck("1.1.1", "Ensure a separate partition for containers has been created", severity: .low, target: .host,
                 remediation: "For new installations, create a separate partition for the /var/lib/docker mount point. For systems already installed, use the Logical Volume Manager (LVM) to create a new partition.",
                 audit: "The engine's root directory (DockerRootDir; its parent under user namespace remapping) must be a mount point in /proc/self/mountinfo.") { facts in
            var root = facts.info.dockerRootDir ?? "/var/lib/docker"
            if facts.securityOptions.contains(where: { $0.contains("userns") }) { root = (root as NSString).deletingLastPathComponent }
            return facts.mountPoints.contains(root) ? .pass("\(root) is a mount point")
                : .warn("\(root) is not a separate mount point", [Offender(kind: "file", name: root)])
        },
        CISCheck("1.1.2", "Ensure only trusted users are allowed to control Docker daemon", severity: .high, target: .host,
                 remediation: "Remove untrusted users from the docker group (`gpasswd -d <user> docker`); add only trusted users (`usermod -aG docker <user>`).",
                 audit: "Lists the docker group's members (getent group docker). With --trusted-users, any member not in that list is a WARN.") { facts in
            let members = facts.dockerGroupMembers ?? []
            let list = members.isEmpty ? "(none)" : members.joined(separator: ", ")
            guard !facts.trustedUsers.isEmpty else {
                return .info("docker group members: \(list); pass --trusted-users to judge them")
            }
            let doubtful = members.filter { !facts.trustedUsers.contains($0) }
            return doubtful.isEmpty ? .pass("docker group members: \(list)")
                : .warn("untrusted docker group members: \(doubtful.joined(separator: ", "))", doubtful.map { Offender(kind: "user", name: $0) })
        },
        audit("1.1.3", "the Docker daemon", rule: "/usr/bin/dockerd", path: { $0.daemon.executable ?? "/usr/bin/dockerd" }, presence: .any),
        audit("1.1.4", "Docker files and directories - /run/containerd", rule: "/run/containerd", path: { _ in "/run/containerd" }, presence: .any),
        audit("1.1.5", "Docker files and directories - /var/lib/docker", rule: "/var/lib/docker", path: { $0.info.dockerRootDir ?? "/var/lib/docker" }, presence: .directory),
        audit("1.1.6", "Docker files and directories - /etc/docker", rule: "/etc/docker", path: { _ in "/etc/docker" }, presence: .directory),
        audit("1.1.7", "Docker files and directories - docker.service", rule: "/lib/systemd/system/docker.service", path: { _ in HostFiles.systemdUnit("docker.service") }, presence: .file),
        // The containerd socket dockerd uses (docker-bench audits /run/containerd/containerd.sock; a dockerd that manages
        // its own containerd uses /var/run/docker/containerd/containerd.sock), the same one 3.23 and 3.24 judge.
        audit("1.1.8", "Docker files and directories - containerd.sock", rule: "/run/containerd/containerd.sock", path: Section3.containerdSocket, presence: .exists),
        audit("1.1.9", "Docker files and directories - docker.socket", rule: "/lib/systemd/system/docker.socket", path: { _ in HostFiles.systemdUnit("docker.socket") }, presence: .exists),
        audit("1.1.10", "Docker files and directories - /etc/default/docker", rule: "/etc/default/docker", path: { _ in "/etc/default/docker" }, presence: .file),
        audit("1.1.11", "Docker files and directories - /etc/docker/daemon.json", rule: "/etc/docker/daemon.json", path: { $0.daemon.configPath }, presence: .file),
        audit("1.1.12", "Docker files and directories - /etc/containerd/config.toml", rule: "/etc/containerd/config.toml", path: { _ in "/etc/containerd/config.toml" }, presence: .file),
        audit("1.1.13", "Docker files and directories - /etc/sysconfig/docker", rule: "/etc/sysconfig/docker", path: { _ in "/etc/sysconfig/docker" }, presence: .file),
        audit("1.1.14", "Docker files and directories - /usr/bin/containerd", rule: "/usr/bin/containerd", path: { _ in "/usr/bin/containerd" }, presence: .file),
        audit("1.1.15", "Docker files and directories - /usr/bin/containerd-shim", rule: "/usr/bin/containerd-shim", path: { _ in "/usr/bin/containerd-shim" }, presence: .file),
        audit("1.1.16", "Docker files and directories - /usr/bin/containerd-shim-runc-v1", rule: "/usr/bin/containerd-shim-runc-v1", path: { _ in "/usr/bin/containerd-shim-runc-v1" }, presence: .file),
        audit("1.1.17", "Docker files and directories - /usr/bin/containerd-shim-runc-v2", rule: "/usr/bin/containerd-shim-runc-v2", path: { _ in "/usr/bin/containerd-shim-runc-v2" }, presence: .file),
        audit("1.1.18", "Docker files and directories - /usr/bin/runc", rule: "/usr/bin/runc", path: { _ in "/usr/bin/runc" }, presence: .file),
        CISCheck("1.2.1", "Ensure the container host has been Hardened", automated: false, scored: false, severity: .info, target: .host,
                 remediation: "Harden the host following a security benchmark for its operating system (e.g. the CIS benchmark for your distribution).",
                 audit: "Manual: review the host against an OS hardening benchmark; run only the services the container host needs.") { _ in
            .note("review the host's OS hardening (kernel, services, SSH, updates) against its CIS OS benchmark")
        },
        CISCheck("1.2.2", "Ensure that the version of Docker is up to date", automated: false, scored: false, severity: .info, target: .daemon,
                 remediation: "Monitor Docker releases and update as required; your OS vendor may backport security fixes.",
                 audit: "Compares the engine's version with a date-based current version (YY.MM of a month ago), as docker-bench does.") { facts in
            let v = facts.version.version
            return isCurrent(v, now: facts.now) ? .pass("using \(v), which is current")
                : .info("using \(v): verify it is up to date; your OS vendor may provide security maintenance")
        },
    ]

    /// docker-bench's do_version_check against `date +%y.%m.0` of 30 days ago.
    static func isCurrent(_ version: String, now: Date) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let then = now.addingTimeInterval(-30 * 86400)
        let reference = [calendar.component(.year, from: then) % 100, calendar.component(.month, from: then), 0]
        let numbers = version.split(separator: "+").first.map { $0.split(separator: "-").first ?? $0 }
            .map { $0.split(separator: ".").map { Int($0.filter(\.isNumber)) ?? 0 } } ?? []
        let padded = (numbers + [0, 0, 0]).prefix(3)
        return !Array(padded).lexicographicallyPrecedes(reference)
    }
}
