import Foundation

/// 5.10–5.15: host network, resource limits, read-only root, port binding, restart policy.
extension Section5 {
    static let resources: [CISCheck] = [
        perContainer("5.10", "Ensure that the host's network namespace is not shared", severity: .high,
                     remediation: "Do not start containers with --network=host.",
                     audit: "HostConfig.NetworkMode must not be host.", what: "containers on the host network") { c, _ in
            c.host.networkMode == "host" ? "NetworkMode host" : nil
        },
        perContainer("5.11", "Ensure that the memory usage for containers is limited", severity: .medium,
                     remediation: "Run each container with only the memory it needs: --memory <limit>.",
                     audit: "HostConfig.Memory must be above 0.", what: "containers without a memory limit") { c, _ in
            (c.host.memory ?? 0) == 0 ? "no memory limit" : nil
        },
        perContainer("5.12", "Ensure that CPU priority is set appropriately on containers", severity: .low,
                     remediation: "Set CPU shares by priority: --cpu-shares <n>.",
                     audit: "HostConfig.CpuShares must be set (not 0).", what: "containers without CPU shares") { c, _ in
            (c.host.cpuShares ?? 0) == 0 ? "no CPU shares" : nil
        },
        perContainer("5.13", "Ensure that the container's root filesystem is mounted as read only", severity: .medium,
                     remediation: "Run containers with --read-only, with tmpfs or volumes for the paths that must be written.",
                     audit: "HostConfig.ReadonlyRootfs must be true.", what: "containers with a writable root filesystem") { c, _ in
            c.host.readonlyRootfs == true ? nil : "root filesystem read-write"
        },
        perContainer("5.14", "Ensure that incoming container traffic is bound to a specific host interface", severity: .medium,
                     remediation: "Publish ports on a specific host address: --publish 10.2.3.4:49153:80.",
                     audit: "No published port may be bound to the wildcard address (0.0.0.0, ::, or none given).",
                     what: "ports bound to all interfaces") { c, _ in
            let wild = c.publishedPorts.filter { ["", "0.0.0.0", "::"].contains($0.hostIP) }
            return wild.isEmpty ? nil : wild.map { "\($0.hostIP.isEmpty ? "0.0.0.0" : $0.hostIP):\($0.hostPort)→\($0.containerPort)" }.joined(separator: ",")
        },
        perContainer("5.15", "Ensure that the 'on-failure' container restart policy is set to '5'", severity: .low,
                     remediation: "Use --restart=on-failure:5 rather than always/unless-stopped or unlimited retries.",
                     audit: "The benchmark's audit: RestartPolicy always or unless-stopped fails; on-failure needs a MaximumRetryCount of 1 to 5. No restart policy passes.",
                     what: "containers with an unbounded restart policy") { c, _ in
            let name = c.host.restartPolicy?.name ?? ""
            let retries = c.host.restartPolicy?.maximumRetryCount ?? 0
            switch name {
            case "always", "unless-stopped": return "restart \(name)"
            case "on-failure" where retries == 0 || retries > 5: return "on-failure with \(retries == 0 ? "unlimited" : String(retries)) retries"
            default: return nil
            }
        },
    ]
}
