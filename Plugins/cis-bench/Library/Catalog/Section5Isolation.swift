import Foundation

/// 5.2–5.9: security profiles, capabilities, privileged mode, mounts, processes and ports.
extension Section5 {
    static let isolation: [CISCheck] = [
        CISCheck("5.2", "Ensure that, if applicable, an AppArmor Profile is enabled", severity: .medium, target: .container,
                 remediation: "Run containers with an AppArmor profile (Docker's docker-default, or --security-opt apparmor=<profile>).",
                 audit: "Each container's AppArmorProfile must be set and not unconfined. INFO when the engine has no AppArmor (not applicable).") { facts in
            guard facts.securityOptions.contains(where: { $0.contains("apparmor") }) else {
                return .info("AppArmor is not enabled on this host (engine security options: \(facts.securityOptions.joined(separator: ", ")))")
            }
            guard !facts.containers.isEmpty else { return .info("No containers running to check") }
            return .warnIfAny(facts.containerOffenders { c in
                let p = c.inspect.appArmorProfile ?? ""
                return (p.isEmpty || p == "unconfined") ? "AppArmorProfile \(p.isEmpty ? "none" : p)" : nil
            }, "containers without an AppArmor profile")
        },
        CISCheck("5.3", "Ensure that, if applicable, SELinux security options are set", severity: .medium, target: .container,
                 remediation: "Enable SELinux in the daemon (--selinux-enabled) and run containers with --security-opt label=... options.",
                 audit: "With SELinux enabled in the engine, each container needs a label security option. INFO when SELinux is not enabled (not applicable).") { facts in
            guard facts.securityOptions.contains(where: { $0.contains("selinux") }) else {
                return .info("SELinux is not enabled in the engine")
            }
            guard !facts.containers.isEmpty else { return .info("No containers running to check") }
            return .warnIfAny(facts.containerOffenders { c in
                c.securityOpts.contains { $0.hasPrefix("label") } ? nil : "no SELinux label option"
            }, "containers without SELinux options")
        },
        perContainer("5.4", "Ensure that Linux kernel capabilities are restricted within containers", severity: .high,
                     remediation: "Drop all capabilities and add back only those needed: --cap-drop=all --cap-add=<needed>.",
                     audit: "HostConfig.CapAdd must hold only capabilities Docker grants by default.",
                     what: "capabilities added") { c, _ in
            let added = (c.host.capAdd ?? []).map { $0.uppercased().replacingOccurrences(of: "CAP_", with: "") }
                .filter { !defaultCapabilities.contains($0) }
            return added.isEmpty ? nil : "CapAdd " + added.joined(separator: ",")
        },
        perContainer("5.5", "Ensure that privileged containers are not used", severity: .critical,
                     remediation: "Do not run containers with --privileged; grant the specific capabilities or devices needed instead.",
                     audit: "HostConfig.Privileged must be false.", what: "privileged containers") { c, _ in
            c.host.privileged == true ? "privileged" : nil
        },
        perContainer("5.6", "Ensure sensitive host system directories are not mounted on containers", severity: .high,
                     remediation: "Do not mount security-sensitive host directories (/, /boot, /dev, /etc, /lib, /proc, /sys, /usr), least of all read-write.",
                     audit: "No mount's host source may be one of /, /boot, /dev, /etc, /lib, /proc, /sys, /usr or below it (read-only too; the mode is reported).",
                     what: "sensitive host directories mounted") { c, _ in
            let hits = (c.inspect.mounts ?? []).filter { $0.type == "bind" || $0.type == nil }.compactMap { m -> String? in
                guard let source = m.source, sensitiveDirectories.contains(where: { d in
                    source == d || (d != "/" && source.hasPrefix(d + "/"))
                }) else { return nil }
                return "\(source) → \(m.destination) (\(m.rw == false ? "ro" : "rw"))"
            }
            return hits.isEmpty ? nil : hits.joined(separator: "; ")
        },
        CISCheck("5.7", "Ensure sshd is not run within containers", severity: .medium, target: .container,
                 remediation: "Remove the SSH daemon from the container; use `docker exec` to get a shell.",
                 audit: "No process named sshd may run in a running container (process table from /proc, or the engine's top). Containers whose processes cannot be listed are named in an INFO.") { facts in
            let running = facts.containers.filter { $0.inspect.state.running }
            guard !running.isEmpty else { return .info("No containers running to check") }
            let sshd = running.filter { ($0.processNames ?? []).contains { $0 == "sshd" || $0.hasPrefix("sshd") } }
            if !sshd.isEmpty { return .warnIfAny(sshd.map { $0.offender("sshd running") }, "containers running sshd") }
            let unknown = running.filter { $0.processNames == nil }
            return unknown.isEmpty ? .pass() : .info("could not list the processes of: " + unknown.map(\.name).joined(separator: ", "),
                                                     unknown.map { $0.offender("process list unavailable") })
        },
        perContainer("5.8", "Ensure privileged ports are not mapped within containers", severity: .medium,
                     remediation: "Do not map container ports to host ports below 1024.",
                     audit: "No published host port may be below 1024 (live mapping, or the create-time bindings of a stopped container).",
                     what: "privileged host ports") { c, _ in
            let low = c.publishedPorts.filter { $0.hostPort > 0 && $0.hostPort < 1024 }
            return low.isEmpty ? nil : low.map {
                "\($0.hostIP.isEmpty ? "" : $0.hostIP + ":")\($0.hostPort)→\($0.containerPort)\($0.declared ? " (declared)" : "")"
            }.joined(separator: ",")
        },
        perContainer("5.9", "Ensure that only needed ports are open on the container", automated: false, scored: false, severity: .info,
                     remediation: "Expose and publish only the ports the application needs.",
                     audit: "Manual: lists every published port; confirm each is needed.",
                     what: "published ports to review", infoOnly: true) { c, _ in
            let ports = c.publishedPorts
            return ports.isEmpty ? nil : ports.map { "\($0.hostPort)→\($0.containerPort)" }.joined(separator: ",")
        },
    ]
}
