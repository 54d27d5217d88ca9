import Foundation

/// Section 2: Docker daemon configuration. Settings come from dockerd's command line, its daemon.json and /info.
enum Section2 {
    static func source(_ facts: AuditFacts) -> String {
        "cmdline: \(facts.daemon.argumentsSource); config: \(facts.daemon.configPath)\(facts.daemon.configExists ? "" : " (missing)")"
    }

    static func daemonOffender(_ facts: AuditFacts, _ detail: String) -> [Offender] {
        [Offender(kind: "daemon", name: "dockerd", id: facts.daemon.pid.map(String.init), detail: detail)]
    }

    /// TCP endpoints dockerd listens on (-H / "hosts" other than unix:// and fd://).
    static func tcpHosts(_ facts: AuditFacts) -> [String] {
        (facts.daemon.flagValues("host") + facts.daemon.configStrings("hosts"))
            .filter { !$0.hasPrefix("unix://") && !$0.hasPrefix("fd://") && !$0.isEmpty }
    }

    static let checks: [CISCheck] = [
        CISCheck("2.1", "Run the Docker daemon as a non-root user, if possible", automated: false, scored: false, severity: .info, target: .daemon,
                 remediation: "Follow the Docker documentation to install the daemon in rootless mode.",
                 audit: "Manual: shows the uid dockerd runs as and whether the engine reports rootless mode.") { facts in
            let rootless = facts.securityOptions.contains { $0.contains("rootless") }
            let uid = facts.daemon.pid.flatMap(ProcFS.uid)
            return .note("dockerd runs as uid \(uid.map(String.init) ?? "unknown")\(rootless ? " (rootless mode)" : ""); consider rootless mode where its limits are acceptable")
        },
        CISCheck("2.2", "Ensure network traffic is restricted between containers on the default bridge", severity: .medium, target: .daemon,
                 remediation: "Set \"icc\": false in daemon.json (or run dockerd --icc=false).",
                 audit: "PASS when --icc=false or daemon.json \"icc\": false.") { facts in
            facts.daemon.boolSetting("icc") == false ? .pass("icc is false")
                : .warn("inter-container communication on the default bridge is allowed (icc not false; \(source(facts)))", daemonOffender(facts, "icc"))
        },
        CISCheck("2.3", "Ensure the logging level is set to 'info'", severity: .low, target: .daemon,
                 remediation: "Set \"log-level\": \"info\" in daemon.json (or run dockerd --log-level=info).",
                 audit: "daemon.json log-level, else --log-level/-l: info or unset passes.") { facts in
            let level = facts.daemon.configValue("log-level")?.stringValue ?? facts.daemon.flag("log-level")
            guard let level, !level.isEmpty, level != "info" else { return .pass("log level \(level ?? "info (default)")") }
            return .warn("log level is \(level)", daemonOffender(facts, "log-level=\(level)"))
        },
        CISCheck("2.4", "Ensure Docker is allowed to make changes to iptables", severity: .medium, target: .daemon,
                 remediation: "Do not run dockerd with --iptables=false or \"iptables\": false in daemon.json.",
                 audit: "WARN when --iptables=false or daemon.json \"iptables\": false.") { facts in
            facts.daemon.boolSetting("iptables") == false
                ? .warn("iptables management is disabled (\(source(facts)))", daemonOffender(facts, "iptables=false")) : .pass()
        },
        CISCheck("2.5", "Ensure insecure registries are not used", severity: .high, target: .daemon,
                 remediation: "Remove --insecure-registry flags and \"insecure-registries\" entries; use TLS for every registry.",
                 audit: "WARN for --insecure-registry, a non-empty daemon.json insecure-registries, or insecure registries the engine reports beyond the loopback defaults.") { facts in
            var found = facts.daemon.flagValues("insecure-registry") + facts.daemon.configStrings("insecure-registries")
            let defaults: Set<String> = ["127.0.0.0/8", "::1/128"]
            found += (facts.info.registryConfig?.insecureRegistryCIDRs ?? []).filter { !defaults.contains($0) }
            found += (facts.info.registryConfig?.indexConfigs ?? [:]).filter { $0.value.secure == false }.map(\.key)
            let unique = Array(Set(found)).sorted()
            return unique.isEmpty ? .pass() : .warn("insecure registries: \(unique.joined(separator: ", "))", daemonOffender(facts, unique.joined(separator: ",")))
        },
        CISCheck("2.6", "Ensure aufs storage driver is not used", severity: .medium, target: .daemon,
                 remediation: "Do not run dockerd with --storage-driver aufs; use overlay2.",
                 audit: "The engine's storage driver (/info Driver) must not be aufs.") { facts in
            facts.info.driver == "aufs" ? .warn("storage driver is aufs", daemonOffender(facts, "aufs")) : .pass("storage driver \(facts.info.driver ?? "unknown")")
        },
        CISCheck("2.7", "Ensure TLS authentication for Docker daemon is configured", severity: .critical, target: .daemon,
                 remediation: "When dockerd listens on TCP, run it with --tlsverify, --tlscacert, --tlscert and --tlskey (or the daemon.json equivalents).",
                 audit: "For TCP listeners (-H / hosts), tlsverify passes, tls without verify or no TLS warns; no TCP listener is INFO.") { facts in
            let hosts = tcpHosts(facts)
            guard !hosts.isEmpty else { return .info("Docker daemon not listening on TCP") }
            if facts.daemon.boolSetting("tlsverify") == true { return .pass("TCP \(hosts.joined(separator: ", ")) with TLS verification") }
            if facts.daemon.boolSetting("tls") == true {
                return .warn("Docker daemon listening on TCP (\(hosts.joined(separator: ", "))) with TLS, but no verification", daemonOffender(facts, "tls without tlsverify"))
            }
            return .warn("Docker daemon listening on TCP (\(hosts.joined(separator: ", "))) without TLS", daemonOffender(facts, "no TLS"))
        },
        CISCheck("2.8", "Ensure the default ulimit is configured appropriately", automated: false, scored: false, severity: .info, target: .daemon,
                 remediation: "Set --default-ulimit (or daemon.json \"default-ulimits\") as your policy requires, e.g. nproc=1024:2048, nofile=100:200.",
                 audit: "Manual: PASS when default ulimits are set; otherwise review whether the defaults suit your workloads.") { facts in
            facts.daemon.configIsSet("default-ulimits") || !facts.daemon.flagValues("default-ulimit").isEmpty
                ? .pass() : .info("Default ulimit doesn't appear to be set")
        },
        CISCheck("2.9", "Enable user namespace support", severity: .medium, target: .daemon,
                 remediation: "Create /etc/subuid and /etc/subgid entries and run dockerd with --userns-remap (or \"userns-remap\" in daemon.json).",
                 audit: "PASS when userns-remap is set on the command line or in daemon.json, or the engine reports name=userns.") { facts in
            facts.daemon.configIsSet("userns-remap") || !(facts.daemon.flag("userns-remap") ?? "").isEmpty
                || facts.securityOptions.contains { $0.contains("name=userns") }
                ? .pass() : .warn("user namespace remapping is not enabled", daemonOffender(facts, "userns-remap unset"))
        },
        CISCheck("2.10", "Ensure the default cgroup usage has been confirmed", severity: .low, target: .daemon,
                 remediation: "Leave --cgroup-parent at its default unless strictly required.",
                 audit: "WARN (confirm cgroup usage) when --cgroup-parent or daemon.json cgroup-parent is set.") { facts in
            let parent = facts.daemon.flag("cgroup-parent") ?? facts.daemon.configValue("cgroup-parent")?.stringValue
            guard let parent, !parent.isEmpty else { return .pass() }
            return .warn("cgroup-parent is \(parent): confirm cgroup usage", daemonOffender(facts, "cgroup-parent=\(parent)"))
        },
        CISCheck("2.11", "Ensure base device size is not changed until needed", severity: .low, target: .daemon,
                 remediation: "Do not set --storage-opt dm.basesize until needed.",
                 audit: "WARN when a storage option sets dm.basesize.") { facts in
            let opts = facts.daemon.flagValues("storage-opt") + facts.daemon.configStrings("storage-opts")
            return opts.contains { $0.contains("dm.basesize") }
                ? .warn("dm.basesize is set", daemonOffender(facts, opts.joined(separator: ","))) : .pass()
        },
        CISCheck("2.12", "Ensure that authorization for Docker client commands is enabled", severity: .medium, target: .daemon,
                 remediation: "Install an authorization plugin and run dockerd --authorization-plugin=<PLUGIN_ID>.",
                 audit: "PASS when an authorization plugin is configured (flag or daemon.json authorization-plugins).") { facts in
            facts.daemon.configIsSet("authorization-plugins") || !facts.daemon.flagValues("authorization-plugin").isEmpty
                ? .pass() : .warn("no authorization plugin", daemonOffender(facts, "authorization-plugin unset"))
        },
        CISCheck("2.13", "Ensure centralized and remote logging is configured", severity: .low, target: .daemon,
                 remediation: "Use a remote log driver, e.g. dockerd --log-driver=syslog --log-opt syslog-address=tcp://<host>.",
                 audit: "WARN when the engine's logging driver keeps logs on the host only (json-file, local, none).") { facts in
            let driver = facts.info.loggingDriver ?? ""
            return ["json-file", "local", "none", ""].contains(driver)
                ? .warn("logging driver is \(driver.isEmpty ? "unknown" : driver)", daemonOffender(facts, "log-driver=\(driver)"))
                : .pass("logging driver \(driver)")
        },
        CISCheck("2.14", "Ensure containers are restricted from acquiring new privileges", severity: .medium, target: .daemon,
                 remediation: "Set \"no-new-privileges\": true in daemon.json (or run dockerd --no-new-privileges).",
                 audit: "PASS when --no-new-privileges or daemon.json \"no-new-privileges\": true.") { facts in
            facts.daemonNoNewPrivileges ? .pass()
                : .warn("no-new-privileges is not the daemon default (\(source(facts)))", daemonOffender(facts, "no-new-privileges unset"))
        },
        CISCheck("2.15", "Ensure live restore is enabled", severity: .low, target: .daemon,
                 remediation: "Set \"live-restore\": true in daemon.json (or run dockerd --live-restore).",
                 audit: "PASS when the engine reports LiveRestoreEnabled, swarm mode is active (incompatible), or live-restore is configured.") { facts in
            if facts.info.liveRestoreEnabled == true { return .pass("live restore enabled") }
            if facts.info.swarm?.localNodeState == "active" { return .pass("incompatible with swarm mode") }
            if facts.daemon.boolSetting("live-restore") == true { return .pass("live-restore configured") }
            return .warn("live restore is disabled", daemonOffender(facts, "live-restore unset"))
        },
        CISCheck("2.16", "Ensure Userland Proxy is Disabled", severity: .low, target: .daemon,
                 remediation: "Set \"userland-proxy\": false in daemon.json (or run dockerd --userland-proxy=false).",
                 audit: "PASS when daemon.json \"userland-proxy\": false or --userland-proxy=false.") { facts in
            facts.daemon.boolSetting("userland-proxy") == false ? .pass()
                : .warn("the userland proxy is enabled (\(source(facts)))", daemonOffender(facts, "userland-proxy"))
        },
        CISCheck("2.17", "Ensure that a daemon-wide custom seccomp profile is applied if appropriate", automated: false, scored: false,
                 severity: .info, target: .daemon,
                 remediation: "Docker's default seccomp profile applies by default; set --seccomp-profile only with a carefully built profile.",
                 audit: "Manual: PASS with the default profile; otherwise INFO to review the custom profile.") { facts in
            facts.securityOptions.contains { $0.contains("name=seccomp,profile=default") } ? .pass("default seccomp profile")
                : .info("seccomp: \(facts.securityOptions.filter { $0.contains("seccomp") }.joined(separator: ", ").nonEmpty ?? "not enabled"): review the profile")
        },
        CISCheck("2.18", "Ensure that experimental features are not implemented in production", severity: .low, target: .daemon,
                 remediation: "Do not run dockerd with --experimental on production systems.",
                 audit: "Engines up to 19.03: experimental must be off. Later engines: INFO (deprecated), with the current value.") { facts in
            let major = facts.version.version.split(separator: ".").compactMap { Int($0) }
            let old = (major.first ?? 99) < 19 || (major.first == 19 && (major.dropFirst().first ?? 0) <= 3)
            let experimental = facts.info.experimentalBuild ?? false
            if old {
                return experimental ? .warn("experimental features enabled", daemonOffender(facts, "experimental")) : .pass()
            }
            return .info("deprecated for engine \(facts.version.version); experimental is \(experimental ? "on" : "off")")
        },
    ]
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
