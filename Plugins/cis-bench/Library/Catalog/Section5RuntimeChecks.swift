import Foundation
import ContsecProtocol

/// Section 5: Container Runtime. Every check reads the containers gathered once in `AuditFacts`.
enum Section5 {
    /// Capabilities Docker grants by default (docker-bench's list): adding one of these is not a finding.
    static let defaultCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "NET_RAW",
        "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
    ]
    /// Host directories that must not be mounted into containers.
    static let sensitiveDirectories = ["/", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr"]

    /// A check over every audited container: `why` names what is wrong with one (nil: fine).
    static func perContainer(_ id: String, _ title: String, automated: Bool = true, scored: Bool = true,
                             severity: Severity, remediation: String, audit: String, what: String,
                             infoOnly: Bool = false, why: @escaping @Sendable (ContainerFacts, AuditFacts) -> String?) -> CISCheck {
        CISCheck(id, title, automated: automated, scored: scored, severity: severity, target: .container,
                 remediation: remediation, audit: audit) { facts in
            guard !facts.containers.isEmpty else { return .info("No containers \(facts.containerScope == "all" ? "" : "running ")to check") }
            let offenders = facts.containers.compactMap { c in why(c, facts).map { c.offender($0) } }
            return infoOnly ? .infoIfAny(offenders, what) : .warnIfAny(offenders, what)
        }
    }

    static func note(_ id: String, _ title: String, automated: Bool, remediation: String, look: String) -> CISCheck {
        CISCheck(id, title, automated: automated, scored: false, severity: .info, target: .container,
                 remediation: remediation, audit: "Manual: \(look)") { _ in .note(look) }
    }

    static let checks: [CISCheck] = [
        CISCheck("5.1", "Ensure swarm mode is not Enabled, if not needed", severity: .low, target: .swarm,
                 remediation: "If swarm mode is not needed, leave it: `docker swarm leave`.",
                 audit: "The engine's Swarm.LocalNodeState must be inactive.") { facts in
            let state = facts.info.swarm?.localNodeState ?? "inactive"
            return state == "inactive" ? .pass() : .warn("swarm mode is \(state)", [Offender(kind: "swarm", name: facts.info.name ?? "this node", detail: state)])
        },
    ] + isolation + resources + namespaces + operations
}
