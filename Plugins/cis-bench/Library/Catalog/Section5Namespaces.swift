import Foundation

/// 5.16–5.22: host namespaces, devices, ulimits, mount propagation, seccomp.
extension Section5 {
    static let namespaces: [CISCheck] = [
        perContainer("5.16", "Ensure that the host's process namespace is not shared", severity: .high,
                     remediation: "Do not start containers with --pid=host.",
                     audit: "HostConfig.PidMode must not be host.", what: "containers sharing the host PID namespace") { c, _ in
            c.host.pidMode == "host" ? "PidMode host" : nil
        },
        perContainer("5.17", "Ensure that the host's IPC namespace is not shared", severity: .high,
                     remediation: "Do not start containers with --ipc=host.",
                     audit: "HostConfig.IpcMode must not be host.", what: "containers sharing the host IPC namespace") { c, _ in
            c.host.ipcMode == "host" ? "IpcMode host" : nil
        },
        perContainer("5.18", "Ensure that host devices are not directly exposed to containers", automated: false, scored: false,
                     severity: .info, remediation: "Do not pass host devices (--device); if needed, grant the narrowest permissions (e.g. r only).",
                     audit: "Manual: lists containers with HostConfig.Devices; confirm each device is needed and its permissions.",
                     what: "containers with host devices", infoOnly: true) { c, _ in
            let devices = c.host.devices ?? []
            return devices.isEmpty ? nil : devices.map { "\($0.pathOnHost ?? "?"):\($0.cgroupPermissions ?? "rwm")" }.joined(separator: ",")
        },
        perContainer("5.19", "Ensure that the default ulimit is overwritten at runtime if needed", automated: false, scored: false,
                     severity: .info, remediation: "Override the default ulimits (--ulimit) only where a container needs it.",
                     audit: "Manual: lists containers without their own ulimits; confirm the daemon defaults suit them.",
                     what: "containers with no default ulimit override", infoOnly: true) { c, _ in
            (c.host.ulimits ?? []).isEmpty ? "no ulimit override" : nil
        },
        perContainer("5.20", "Ensure mount propagation mode is not set to shared", severity: .medium,
                     remediation: "Do not mount volumes with shared propagation (shared/rshared).",
                     audit: "No mount may have propagation shared or rshared.", what: "mounts with shared propagation") { c, _ in
            let shared = (c.inspect.mounts ?? []).filter { ["shared", "rshared"].contains($0.propagation ?? "") }
            return shared.isEmpty ? nil : shared.map { "\($0.destination) \($0.propagation ?? "")" }.joined(separator: ",")
        },
        perContainer("5.21", "Ensure that the host's UTS namespace is not shared", severity: .medium,
                     remediation: "Do not start containers with --uts=host.",
                     audit: "HostConfig.UTSMode must not be host.", what: "containers sharing the host UTS namespace") { c, _ in
            c.host.utsMode == "host" ? "UTSMode host" : nil
        },
        perContainer("5.22", "Ensure the default seccomp profile is not Disabled", severity: .high,
                     remediation: "Do not run containers with --security-opt seccomp=unconfined; keep the default or a custom profile.",
                     audit: "No security option seccomp=unconfined (or seccomp:unconfined).", what: "containers with seccomp disabled") { c, _ in
            c.hasSecurityOpt("seccomp", value: "unconfined") ? "seccomp unconfined" : nil
        },
    ]
}
