import Foundation
import ContsecProtocol

/// Section 3: Docker daemon configuration files. Ownership and modes read with stat(2); a missing file is INFO,
/// as the benchmark says the recommendation does not apply.
enum Section3 {
    enum Expect { case file, directory, socket }

    static func missing(_ expect: Expect, _ path: String) -> CheckResult {
        if path.hasPrefix("<") { return .info("No \(path.dropFirst().dropLast()) configured") }
        return .info("\(expect == .directory ? "Directory" : "File") not found: \(path)")
    }

    static func present(_ path: String, _ expect: Expect) -> FileFacts? {
        guard let st = HostFiles.stat(path) else { return nil }
        switch expect {
        case .file: return st.kind == .file ? st : nil
        case .directory: return st.kind == .directory ? st : nil
        case .socket: return st.kind == .socket ? st : nil
        }
    }

    static func owner(_ id: String, _ title: String, _ what: String, owner: String = "root", group: String = "root",
                      expect: Expect = .file, severity: Severity = .medium,
                      path: @escaping @Sendable (AuditFacts) -> String?) -> CISCheck {
        CISCheck(id, title, severity: severity, target: .file,
                 remediation: "Run `chown \(owner):\(group) \(what)`.",
                 audit: "stat: owner must be \(owner) and group \(group).") { facts in
            guard let p = path(facts), !p.isEmpty else { return missing(expect, what) }
            guard let st = present(p, expect) else { return missing(expect, p) }
            if st.owner == owner && st.group == group { return .pass("\(p) is \(owner):\(group)") }
            return .warn("Wrong ownership for \(p): \(st.owner):\(st.group)", [Offender(kind: "file", name: p, detail: "\(st.owner):\(st.group)")])
        }
    }

    static func mode(_ id: String, _ title: String, _ what: String, max: UInt32, expect: Expect = .file,
                     severity: Severity = .medium, path: @escaping @Sendable (AuditFacts) -> String?) -> CISCheck {
        let octal = String(max, radix: 8)
        return CISCheck(id, title, severity: severity, target: .file,
                        remediation: "Run `chmod \(octal) \(what)`.",
                        audit: "stat: no permission bit beyond \(octal).") { facts in
            guard let p = path(facts), !p.isEmpty else { return missing(expect, what) }
            guard let st = present(p, expect) else { return missing(expect, p) }
            if st.modeWithin(max) { return .pass("\(p) has mode \(st.octal)") }
            return .warn("Wrong permissions for \(p): \(st.octal)", [Offender(kind: "file", name: p, detail: "mode \(st.octal)")])
        }
    }

    /// 3.7/3.8: every *.crt under /etc/docker/certs.d/.
    static func certs(_ id: String, _ title: String, ownership: Bool) -> CISCheck {
        let dir = "/etc/docker/certs.d"
        return CISCheck(id, title, severity: .medium, target: .file,
                        remediation: ownership ? "Run `chown root:root /etc/docker/certs.d/<registry-name>/*`." : "Run `chmod 444 /etc/docker/certs.d/<registry-name>/*`.",
                        audit: "stat of every *.crt under /etc/docker/certs.d/.") { _ in
            guard present(dir, .directory) != nil else { return missing(.directory, dir) }
            let bad = HostFiles.files(under: dir, suffix: ".crt").compactMap { HostFiles.stat($0) }.filter {
                ownership ? ($0.uid != 0 || $0.gid != 0) : !$0.modeWithin(0o444)
            }
            return bad.isEmpty ? .pass()
                : .warn("Wrong \(ownership ? "ownership" : "permissions") for \(bad.map(\.path).joined(separator: ", "))",
                        bad.map { Offender(kind: "file", name: $0.path, detail: ownership ? "\($0.owner):\($0.group)" : "mode \($0.octal)") })
        }
    }

    /// A TLS file named by --tlscacert/--tlscert/--tlskey or daemon.json.
    static func tlsPath(_ key: String) -> @Sendable (AuditFacts) -> String? {
        { facts in facts.daemon.configValue(key)?.stringValue ?? facts.daemon.flag(key) }
    }

    /// The containerd socket: /run/containerd/containerd.sock, or the one dockerd manages itself.
    static func containerdSocket(_ facts: AuditFacts) -> String {
        if let configured = facts.daemon.flag("containerd") ?? facts.daemon.configValue("containerd")?.stringValue { return configured }
        for p in ["/run/containerd/containerd.sock", "/var/run/docker/containerd/containerd.sock"] where HostFiles.stat(p)?.kind == .socket {
            return p
        }
        return "/run/containerd/containerd.sock"
    }

    static let checks: [CISCheck] = [
        owner("3.1", "Ensure that the docker.service file ownership is set to root:root", "docker.service") { _ in HostFiles.systemdUnit("docker.service") },
        mode("3.2", "Ensure that docker.service file permissions are appropriately set", "docker.service", max: 0o644) { _ in HostFiles.systemdUnit("docker.service") },
        owner("3.3", "Ensure that docker.socket file ownership is set to root:root", "docker.socket") { _ in HostFiles.systemdUnit("docker.socket") },
        mode("3.4", "Ensure that docker.socket file permissions are set to 644 or more restrictive", "docker.socket", max: 0o644) { _ in HostFiles.systemdUnit("docker.socket") },
        owner("3.5", "Ensure that the /etc/docker directory ownership is set to root:root", "/etc/docker", expect: .directory) { _ in "/etc/docker" },
        mode("3.6", "Ensure that /etc/docker directory permissions are set to 755 or more restrictively", "/etc/docker", max: 0o755, expect: .directory) { _ in "/etc/docker" },
        certs("3.7", "Ensure that registry certificate file ownership is set to root:root", ownership: true),
        certs("3.8", "Ensure that registry certificate file permissions are set to 444 or more restrictively", ownership: false),
        owner("3.9", "Ensure that TLS CA certificate file ownership is set to root:root", "<TLS CA certificate>", path: tlsPath("tlscacert")),
        mode("3.10", "Ensure that TLS CA certificate file permissions are set to 444 or more restrictively", "<TLS CA certificate>", max: 0o444, path: tlsPath("tlscacert")),
        owner("3.11", "Ensure that Docker server certificate file ownership is set to root:root", "<Docker server certificate>", path: tlsPath("tlscert")),
        mode("3.12", "Ensure that the Docker server certificate file permissions are set to 444 or more restrictively", "<Docker server certificate>", max: 0o444, path: tlsPath("tlscert")),
        owner("3.13", "Ensure that the Docker server certificate key file ownership is set to root:root", "<Docker server key>", severity: .high, path: tlsPath("tlskey")),
        mode("3.14", "Ensure that the Docker server certificate key file permissions are set to 400", "<Docker server key>", max: 0o400, severity: .high, path: tlsPath("tlskey")),
        owner("3.15", "Ensure that the Docker socket file ownership is set to root:docker", "/var/run/docker.sock", group: "docker", expect: .socket, severity: .high) { $0.dockerSocket },
        mode("3.16", "Ensure that the Docker socket file permissions are set to 660 or more restrictively", "/var/run/docker.sock", max: 0o660, expect: .socket, severity: .high) { $0.dockerSocket },
        owner("3.17", "Ensure that the daemon.json file ownership is set to root:root", "/etc/docker/daemon.json") { $0.daemon.configPath },
        mode("3.18", "Ensure that daemon.json file permissions are set to 644 or more restrictive", "/etc/docker/daemon.json", max: 0o644) { $0.daemon.configPath },
        owner("3.19", "Ensure that the /etc/default/docker file ownership is set to root:root", "/etc/default/docker") { _ in "/etc/default/docker" },
        mode("3.20", "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively", "/etc/default/docker", max: 0o644) { _ in "/etc/default/docker" },
        mode("3.21", "Ensure that the /etc/sysconfig/docker file permissions are set to 644 or more restrictively", "/etc/sysconfig/docker", max: 0o644) { _ in "/etc/sysconfig/docker" },
        owner("3.22", "Ensure that the /etc/sysconfig/docker file ownership is set to root:root", "/etc/sysconfig/docker") { _ in "/etc/sysconfig/docker" },
        owner("3.23", "Ensure that the Containerd socket file ownership is set to root:root", "containerd.sock", expect: .socket, path: containerdSocket),
        mode("3.24", "Ensure that the Containerd socket file permissions are set to 660 or more restrictively", "containerd.sock", max: 0o660, expect: .socket, path: containerdSocket),
    ]
}
