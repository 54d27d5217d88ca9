import Foundation

/// 5.23–5.32: exec sessions, cgroups, privileges, health, images, PIDs, networks, user namespaces, the Docker socket.
extension Section5 {
    static let operations: [CISCheck] = [
        perContainer("5.23", "Ensure that docker exec commands are not used with the privileged option", severity: .high,
                     remediation: "Do not use `docker exec --privileged`.",
                     audit: "Running exec sessions of each container (ExecIDs, /exec/{id}/json) must not be privileged. The engine forgets finished sessions: audit logs (1.1.3) remain the full record.",
                     what: "privileged exec sessions") { c, _ in
            let bad = c.execs.filter(\.privileged)
            return bad.isEmpty ? nil : bad.map { "exec \($0.id.prefix(12))" }.joined(separator: ",")
        },
        perContainer("5.24", "Ensure that docker exec commands are not used with the user=root option", automated: false, scored: false,
                     severity: .info, remediation: "Do not use `docker exec --user=root`.",
                     audit: "Manual: lists running exec sessions as root; review audit logs for finished ones.",
                     what: "exec sessions as root", infoOnly: true) { c, _ in
            let bad = c.execs.filter { $0.user == "root" || $0.user == "0" || $0.user.hasPrefix("0:") || $0.user.hasPrefix("root:") }
            return bad.isEmpty ? nil : bad.map { "exec \($0.id.prefix(12)) user \($0.user)" }.joined(separator: ",")
        },
        perContainer("5.25", "Ensure that cgroup usage is confirmed", severity: .low,
                     remediation: "Do not use --cgroup-parent unless strictly required.",
                     audit: "HostConfig.CgroupParent must be empty (else confirm its use).", what: "containers with a custom cgroup parent") { c, _ in
            (c.host.cgroupParent ?? "").isEmpty ? nil : "CgroupParent \(c.host.cgroupParent ?? "")"
        },
        perContainer("5.26", "Ensure that the container is restricted from acquiring additional privileges", severity: .medium,
                     remediation: "Run containers with --security-opt=no-new-privileges (or set it daemon-wide, 2.14).",
                     audit: "PASS for all when the daemon sets no-new-privileges; else each container needs the no-new-privileges security option.",
                     what: "containers without no-new-privileges") { c, facts in
            facts.daemonNoNewPrivileges || c.hasSecurityOpt("no-new-privileges") ? nil : "privileges not restricted"
        },
        perContainer("5.27", "Ensure that container health is checked at runtime", severity: .low,
                     remediation: "Run containers with a health check (--health-cmd, or HEALTHCHECK in the image).",
                     audit: "State.Health must exist (the container has a health check).", what: "containers without a health check") { c, _ in
            c.inspect.state.health == nil ? "no health check" : nil
        },
        note("5.28", "Ensure that Docker commands always make use of the latest version of their image", automated: false,
             remediation: "Pin image versions (tags or digests) and pull deliberately; do not rely on cached :latest images.",
             look: "check that deployments pin image versions or digests and pull updated images deliberately"),
        perContainer("5.29", "Ensure that the PIDs cgroup limit is used", severity: .medium,
                     remediation: "Run containers with --pids-limit <n>.",
                     audit: "HostConfig.PidsLimit must be above 0.", what: "containers without a PIDs limit") { c, _ in
            (c.host.pidsLimit ?? 0) <= 0 ? "no PIDs limit" : nil
        },
        CISCheck("5.30", "Ensure that Docker's default bridge 'docker0' is not used", automated: false, scored: false, severity: .info,
                 target: .container,
                 remediation: "Create user-defined networks and run containers on them instead of the default bridge.",
                 audit: "Manual: lists containers attached to the network whose bridge is docker0.") { facts in
            let docker0 = facts.networks.filter { $0.options?["com.docker.network.bridge.name"] == "docker0" }.map(\.name)
            guard !docker0.isEmpty else { return .pass("no docker0 network") }
            return .infoIfAny(facts.containerOffenders { c in
                (c.inspect.networkSettings?.networks ?? [:]).keys.contains(where: docker0.contains) ? "on docker0" : nil
            }, "Containers in docker0 network")
        },
        perContainer("5.31", "Ensure that the host's user namespaces are not shared", severity: .high,
                     remediation: "Do not start containers with --userns=host.",
                     audit: "HostConfig.UsernsMode must not be host.", what: "containers sharing the host user namespace") { c, _ in
            c.host.usernsMode?.lowercased() == "host" ? "UsernsMode host" : nil
        },
        perContainer("5.32", "Ensure that the Docker socket is not mounted inside any containers", severity: .critical,
                     remediation: "Do not mount docker.sock into containers.",
                     audit: "No mount's source or destination may be a docker.sock.", what: "containers with the Docker socket mounted") { c, _ in
            let hits = (c.inspect.mounts ?? []).filter { ($0.source ?? "").hasSuffix("docker.sock") || $0.destination.hasSuffix("docker.sock") }
            return hits.isEmpty ? nil : hits.map { "\($0.source ?? "?") → \($0.destination)" }.joined(separator: ",")
        },
    ]
}
