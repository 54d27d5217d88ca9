import Foundation

/// Section 7: Docker Swarm Configuration. Without swarm mode the swarm checks pass, as in docker-bench.
enum Section7 {
    static let notEnabled = "Swarm mode not enabled"

    static func swarmOffender(_ facts: AuditFacts, _ detail: String) -> [Offender] {
        [Offender(kind: "swarm", name: facts.info.name ?? "this node", detail: detail)]
    }

    static let checks: [CISCheck] = [
        CISCheck("7.1", "Ensure that the minimum number of manager nodes have been created in a swarm", severity: .medium, target: .swarm,
                 remediation: "Demote excess managers (`docker node demote <id>`); keep an odd number, enough for the fault tolerance needed.",
                 audit: "Counts manager nodes (GET /nodes): an even number (no gain in fault tolerance) or more than 7 warns.") { facts in
            guard facts.swarm.active else { return .pass(notEnabled) }
            guard let managers = facts.swarm.managerCount else { return .info(facts.swarm.error ?? "could not count manager nodes") }
            return managers % 2 == 1 && managers <= 7 ? .pass("\(managers) manager node(s)")
                : .warn("\(managers) manager nodes", swarmOffender(facts, "\(managers) managers"))
        },
        CISCheck("7.2", "Ensure that swarm services are bound to a specific host interface", severity: .medium, target: .swarm,
                 remediation: "Re-initialise the swarm with a specific interface for --listen-addr.",
                 audit: "Port 2377 must not listen on the wildcard address (/proc/net/tcp, tcp6).") { facts in
            guard facts.swarm.active else { return .pass(notEnabled) }
            let wild = facts.swarm.managementListeners.filter { $0 == "0.0.0.0" || $0 == "::" }
            return wild.isEmpty ? .pass() : .warn("port 2377 listens on all interfaces", swarmOffender(facts, "2377 on \(wild.joined(separator: ","))"))
        },
        CISCheck("7.3", "Ensure that all Docker swarm overlay networks are encrypted", severity: .medium, target: .swarm,
                 remediation: "Create overlay networks with --opt encrypted.",
                 audit: "Every overlay network must carry the encrypted option.") { facts in
            let plain = facts.networks.filter { $0.driver == "overlay" && $0.options?["encrypted"] == nil }
            return plain.isEmpty ? .pass()
                : .warn("unencrypted overlay networks: \(plain.map(\.name).joined(separator: ", "))",
                        plain.map { Offender(kind: "network", name: $0.name, id: $0.id, detail: "overlay without encryption") })
        },
        CISCheck("7.4", "Ensure that Docker's secret management commands are used for managing secrets in a swarm cluster", automated: false,
                 scored: false, severity: .info, target: .swarm,
                 remediation: "Manage secrets with `docker secret`.",
                 audit: "Manual: PASS when swarm secrets exist; otherwise review how services receive secrets.") { facts in
            guard facts.swarm.active else { return .pass(notEnabled) }
            return (facts.swarm.secretCount ?? 0) >= 1 ? .pass("\(facts.swarm.secretCount ?? 0) swarm secrets")
                : .info("no swarm secrets: check how services receive their secrets")
        },
        CISCheck("7.5", "Ensure that swarm manager is run in auto-lock mode", severity: .medium, target: .swarm,
                 remediation: "Use `docker swarm init --autolock`, or `docker swarm update --autolock` on an existing manager.",
                 audit: "GET /swarm/unlockkey must return a key.") { facts in
            guard facts.swarm.active else { return .pass(notEnabled) }
            return facts.swarm.autoLockEnabled == true ? .pass() : .warn("auto-lock is off", swarmOffender(facts, "autolock off"))
        },
        CISCheck("7.6", "Ensure that the swarm manager auto-lock key is rotated periodically", automated: false, scored: false,
                 severity: .info, target: .swarm,
                 remediation: "Rotate the key with `docker swarm unlock-key --rotate` on a fixed schedule and keep rotation records.",
                 audit: "Manual: check the key rotation records.") { facts in
            facts.swarm.active ? .note("check that the auto-lock key is rotated on schedule") : .pass(notEnabled)
        },
        CISCheck("7.7", "Ensure that node certificates are rotated as appropriate", automated: false, scored: false, severity: .info,
                 target: .swarm,
                 remediation: "Set the node certificate expiry, e.g. `docker swarm update --cert-expiry 48h`.",
                 audit: "Manual: PASS when NodeCertExpiry is 48h (docker-bench's value); otherwise review it.") { facts in
            guard facts.swarm.active else { return .pass(notEnabled) }
            let hours = (facts.swarm.nodeCertExpiry ?? 0) / 3_600_000_000_000
            return hours == 48 ? .pass("node certificates expire after 48h") : .info("node certificate expiry: \(hours)h")
        },
        CISCheck("7.8", "Ensure that CA certificates are rotated as appropriate", automated: false, scored: false, severity: .info,
                 target: .swarm,
                 remediation: "Rotate the CA certificate with `docker swarm ca --rotate` as policy requires.",
                 audit: "Manual: check when the swarm CA was last rotated.") { facts in
            facts.swarm.active ? .info("check when the swarm root CA was last rotated") : .pass(notEnabled)
        },
        CISCheck("7.9", "Ensure that management plane traffic is separated from data plane traffic", automated: false, scored: false,
                 severity: .info, target: .swarm,
                 remediation: "Initialise the swarm with separate interfaces: --advertise-addr and --data-path-addr.",
                 audit: "Manual: check that --data-path-addr differs from the advertise address.") { facts in
            facts.swarm.active ? .info("check that management and data traffic use separate interfaces") : .pass(notEnabled)
        },
    ]
}
