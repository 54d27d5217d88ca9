import Foundation
import ContainerKit
import ContsecProtocol

/// One container's confinement, as `audit` reports it.
public struct ContainerConfinement: Sendable {
    public var name: String
    public var id: String
    /// `docker-default`, `custom (N rules, sha256 abcd…)`, `unconfined`, `none (privileged)`.
    public var seccomp: String
    /// The AppArmor profile, `unconfined`, or `n/a` when the kernel has no AppArmor.
    public var appArmor: String
    public var noNewPrivileges: Bool
    public var findings: [Finding]
}

/// Judges running containers' seccomp and AppArmor confinement: unconfined seccomp, unconfined AppArmor where the
/// kernel has AppArmor, no `no-new-privileges`, a custom profile that allows by default or allows dangerous syscalls.
public struct ContainerAuditor: Sendable {
    public let docker: DockerClient
    /// The daemon turns on no-new-privileges for every container (`"no-new-privileges": true` in daemon.json).
    public var daemonNoNewPrivileges: Bool

    public init(docker: DockerClient, daemonNoNewPrivileges: Bool = false) {
        self.docker = docker
        self.daemonNoNewPrivileges = daemonNoNewPrivileges
    }

    /// Reads `no-new-privileges` from a daemon.json, when there is one.
    public static func daemonSetsNoNewPrivileges(daemonJSON path: String = "/etc/docker/daemon.json") -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), let json = try? JSONParser.parse(text) else { return false }
        return json["no-new-privileges"]?.boolValue ?? false
    }

    /// - Parameters:
    ///   - all: also stopped and created containers.
    ///   - names: only these containers (names or ids); empty for every one.
    public func audit(all: Bool = false, names: [String] = []) async throws -> [ContainerConfinement] {
        let info = try await docker.info()
        let engineHasAppArmor = (info.securityOptions ?? []).contains { $0.contains("name=apparmor") }
        let ids: [String]
        if names.isEmpty {
            ids = try await docker.listContainers(all: all).map(\.id)
        } else {
            ids = names
        }
        var out: [ContainerConfinement] = []
        for id in ids {
            let inspect: JSONValue
            do { inspect = try await docker.inspectContainerJSON(id) } catch DockerError.notFound where names.isEmpty {
                continue // removed while we looked
            }
            out.append(judge(inspect, engineHasAppArmor: engineHasAppArmor))
        }
        return out.sorted { $0.name < $1.name }
    }

    func judge(_ inspect: JSONValue, engineHasAppArmor: Bool) -> ContainerConfinement {
        let name = String((inspect["Name"]?.stringValue ?? "?").drop(while: { $0 == "/" }))
        let id = inspect["Id"]?.stringValue ?? ""
        let options = (inspect["HostConfig"]?["SecurityOpt"]?.arrayValue ?? []).compactMap(\.stringValue)
        let privileged = inspect["HostConfig"]?["Privileged"]?.boolValue ?? false
        func option(_ key: String) -> String? {
            for o in options where o.hasPrefix(key + "=") || o.hasPrefix(key + ":") { return String(o.dropFirst(key.count + 1)) }
            return options.contains(key) ? "" : nil
        }
        var findings: [Finding] = []
        let target = Target(kind: "container", name: name)
        func add(_ rule: String, _ severity: Severity, _ title: String, _ message: String, _ remediation: String,
                 _ properties: [String: JSONValue] = [:]) {
            var props = properties
            props["containerId"] = .string(id)
            findings.append(Finding(ruleId: rule, title: title, severity: severity, category: .runtime, target: target,
                                    message: message, remediation: remediation,
                                    fingerprint: SHA256.hex(Array("\(rule)|container|\(name)".utf8)), properties: props))
        }

        var seccomp = "docker-default"
        if privileged {
            seccomp = "none (privileged)"
            add("SECCOMP-AUDIT-PRIVILEGED", .high, "privileged container: no seccomp or AppArmor",
                "\(name) runs with --privileged: the engine applies no seccomp filter and no AppArmor profile",
                "Run it without --privileged; grant the capabilities it needs with --cap-add")
        } else if let value = option("seccomp") {
            if value == "unconfined" {
                seccomp = "unconfined"
                add("SECCOMP-AUDIT-UNCONFINED", .high, "seccomp is disabled",
                    "\(name) runs with --security-opt seccomp=unconfined: every syscall reaches the kernel",
                    "Remove seccomp=unconfined, or apply a profile: contsec run seccomp-gen apply --container \(name) --profile P")
            } else {
                let digest = SHA256.hex(Array(value.utf8)).prefix(12)
                if let parsed = try? ProfileParser.parse(value) {
                    seccomp = "custom (\(parsed.profile.syscalls.count) rules, sha256 \(digest))"
                    let issues = ProfileChecker.check(parsed)
                    if parsed.profile.defaultAction == "SCMP_ACT_ALLOW" {
                        add("SECCOMP-AUDIT-DEFAULT-ALLOW", .high, "custom seccomp profile allows by default",
                            "\(name)'s seccomp profile has defaultAction SCMP_ACT_ALLOW: it blocks only what it lists",
                            "Use an allow-list profile (contsec run seccomp-gen learn, or create --template strict)")
                    }
                    let dangerous = issues.filter { !["SECCOMP-DEFAULT-ALLOW", "SECCOMP-DEFAULT-LOG", "SECCOMP-IGNORED-KEY",
                                                       "SECCOMP-UNKNOWN-SYSCALL", "SECCOMP-RUNTIME-NEEDS"].contains($0.ruleId) }
                    if !dangerous.isEmpty {
                        let worst = dangerous.map(\.severity).max()!
                        add("SECCOMP-AUDIT-DANGEROUS", worst,
                            "custom seccomp profile allows dangerous syscalls",
                            "\(name)'s seccomp profile allows \(dangerous.flatMap(\.syscalls).joined(separator: ", "))",
                            "Run contsec run seccomp-gen check on the profile and remove what the application does not need",
                            ["issues": .array(dangerous.map { .string($0.ruleId) })])
                    }
                } else {
                    seccomp = "custom (sha256 \(digest))"
                }
            }
        }

        var appArmor = engineHasAppArmor ? (inspect["AppArmorProfile"]?.stringValue ?? "") : "n/a"
        if engineHasAppArmor {
            if let value = option("apparmor") { appArmor = value }
            if appArmor.isEmpty { appArmor = "unconfined" }
            if appArmor == "unconfined", !privileged {
                add("APPARMOR-AUDIT-UNCONFINED", .medium, "AppArmor is disabled",
                    "\(name) runs without an AppArmor profile on a host that has AppArmor",
                    "Remove apparmor=unconfined so docker-default applies, or apply a profile: contsec run seccomp-gen apply --type apparmor")
            }
        }

        let noNewPrivileges = daemonNoNewPrivileges || option("no-new-privileges").map { $0 != "false" } ?? false
        if !noNewPrivileges && !privileged {
            add("SECCOMP-AUDIT-NO-NEW-PRIVILEGES", .medium, "no-new-privileges is not set",
                "\(name) can gain privileges through setuid and file-capability binaries (no-new-privileges is off)",
                "Run it with --security-opt no-new-privileges (or set \"no-new-privileges\": true in daemon.json)")
        }
        return ContainerConfinement(name: name, id: id, seccomp: seccomp, appArmor: appArmor,
                                    noNewPrivileges: noNewPrivileges, findings: findings)
    }
}
