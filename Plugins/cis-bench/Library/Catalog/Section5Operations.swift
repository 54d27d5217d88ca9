import Foundation

/// 5.23–5.32: exec sessions, cgroups, privileges, health, images, PIDs, networks, user namespaces, the Docker socket.
extension Section5 {
    /// 5.23/5.24: exec sessions running now (what the engine still knows) and `docker exec` commands in the audit log.
    /// A clean result is PASS only when the audit log could have shown a finished one; otherwise `unjudged` says
    /// what was and was not seen, and how to make the check judgeable.
    static func execVerdict(_ facts: AuditFacts, what: String, live: (ExecFacts) -> String?, logged: (AuditedExec) -> Bool,
                            found: ([Offender]) -> CheckResult, clean: String, unjudged: (String) -> CheckResult) -> CheckResult {
        let running = facts.containers.compactMap { c -> Offender? in
            let hits = c.execs.compactMap(live)
            return hits.isEmpty ? nil : c.offender(hits.joined(separator: ", "))
        }
        let audit = facts.execAudit
        let recorded = audit.offenders(logged, what: what) { typed in
            let known = facts.containers.first { $0.id.hasPrefix(typed) || $0.name == typed }
            return (known?.name ?? typed, known?.id)
        }
        // One offender per container: a running session and logged commands of the same container merge.
        var merged: [Offender] = []
        for o in running + recorded {
            if let i = merged.firstIndex(where: { $0.name == o.name }) {
                merged[i].detail = [merged[i].detail, o.detail].compactMap { $0 }.joined(separator: "; ")
            } else {
                merged.append(o)
            }
        }
        if !merged.isEmpty { return found(merged) }
        let scope = facts.containers.isEmpty ? "no containers \(facts.containerScope == "all" ? "" : "running ")to check" : clean
        if audit.judged { return .pass("\(scope); none in the audit log (\(audit.source))") }
        return unjudged("\(scope), but finished exec sessions leave no trace in the engine and there are no audit records of docker commands (\(audit.source)): not judged; \(audit.ruleAdvice)")
    }


    static let operations: [CISCheck] = [
        CISCheck("5.23", "Ensure that docker exec commands are not used with the privileged option", severity: .high, target: .container,
                 remediation: "Do not use `docker exec --privileged`.",
                 audit: "Running exec sessions of each container (/exec/{id}/json) and `docker exec` commands in the audit log (ausearch -k docker; --audit-log). The engine forgets finished sessions: without audit records of docker commands a clean result is INFO, not PASS.") { facts in
            execVerdict(facts, what: "privileged docker exec command(s)", live: { $0.privileged ? "running privileged exec session \($0.id.prefix(12))" : nil },
                        logged: \.privileged, found: { .warn("privileged exec: " + $0.map(\.label).joined(separator: ", "), $0) },
                        clean: "no privileged exec session running", unjudged: { .info($0) })
        },
        CISCheck("5.24", "Ensure that docker exec commands are not used with the user=root option", automated: false, scored: false,
                 severity: .info, target: .container,
                 remediation: "Do not use `docker exec --user=root`.",
                 audit: "Manual: lists running exec sessions as root and `docker exec --user root` commands in the audit log (ausearch -k docker); without audit records only running sessions can be seen.") { facts in
            execVerdict(facts, what: "docker exec command(s) as root", live: { AuditedExec.isRoot($0.user) ? "running exec session \($0.id.prefix(12)) as \($0.user)" : nil },
                        logged: \.asRoot, found: { .info("exec as root: " + $0.map(\.label).joined(separator: ", "), $0) },
                        clean: "no exec session as root running", unjudged: { .note($0) })
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
