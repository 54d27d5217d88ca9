import Foundation
import ContsecProtocol

/// The runtime findings monitor, alert and analyze emit, built in one place so their rule ids and wording agree.
public enum RuntimeFindings {
    static func target(_ name: String) -> Target { Target(kind: "container", name: name) }

    static func make(_ rule: String, _ title: String, _ severity: Severity, container: String, message: String,
                     remediation: String, properties: [String: JSONValue] = [:], fingerprintExtra: String = "") -> Finding {
        Finding(ruleId: rule, title: title, severity: severity, category: .runtime, target: target(container),
                message: message, remediation: remediation,
                fingerprint: SHA256.hex(Data("\(rule)|\(container)|\(fingerprintExtra)".utf8)), properties: properties)
    }

    public static func cpu(_ name: String, percent: Double, threshold: Int, ofHost: Bool) -> Finding {
        let what = ofHost ? "of the host's CPUs (no limit set)" : "of its CPU limit"
        return make("OBS-CPU-001", "CPU use above \(threshold)%", .high, container: name,
                    message: String(format: "%@ uses %.1f%% %@ (threshold %d%%)", name, percent, what, threshold),
                    remediation: ofHost ? "Set a CPU limit (--cpus) and find what spins." : "Raise --cpus if the load is expected, or find what spins.",
                    properties: ["percent": .double((percent * 10).rounded() / 10), "threshold": .int(threshold)])
    }

    public static func memory(_ name: String, percent: Double, bytes: UInt64, threshold: Int, ofHost: Bool) -> Finding {
        let what = ofHost ? "of the host's memory (no limit set)" : "of its memory limit"
        return make("OBS-MEM-001", "Memory use above \(threshold)%", .high, container: name,
                    message: String(format: "%@ uses %.1f%% %@: %llu bytes (threshold %d%%)", name, percent, what, bytes, threshold),
                    remediation: ofHost ? "Set a memory limit (--memory) so one container cannot starve the host." : "Raise --memory if expected, or look for a leak before the OOM killer does.",
                    properties: ["percent": .double((percent * 10).rounded() / 10), "bytes": .int(Int(bytes)), "threshold": .int(threshold)])
    }

    public static func oomKilled(_ name: String) -> Finding {
        make("OBS-OOM-001", "Container killed for running out of memory", .high, container: name,
             message: "The kernel's OOM killer stopped a process of \(name).",
             remediation: "Raise its memory limit or fix the leak; check `docker inspect` State.OOMKilled.")
    }

    public static func restartLoop(_ name: String, restarts: Int, window: String) -> Finding {
        make("OBS-RESTART-001", "Container in a restart loop", .medium, container: name,
             message: "\(name) restarted \(restarts) times \(window).",
             remediation: "Read its logs (docker logs) for the crash; a restart policy hides failures.",
             properties: ["restarts": .int(restarts)])
    }

    public static func newPort(_ name: String, _ port: Int) -> Finding {
        make("OBS-PORT-001", "New listening port in container", .medium, container: name,
             message: "\(name) started listening on TCP port \(port), not open at the first sample.",
             remediation: "Check what opened it (docker top); a bind shell or a debug server looks like this.",
             properties: ["port": .int(port)], fingerprintExtra: "\(port)")
    }

    public static func newProcess(_ name: String, _ process: String) -> Finding {
        make("OBS-PROC-001", "Unexpected process in container", .medium, container: name,
             message: "\(name) runs '\(process)', not seen at the first sample.",
             remediation: "Check where it came from; compare with the image's entrypoint.",
             properties: ["process": .string(process)], fingerprintExtra: process)
    }

    /// Posture findings for a container seen starting (monitor) or evaluated now (alert, analyze).
    public static func posture(_ name: String, _ p: SecurityPosture, started: Bool) -> [Finding] {
        let verb = started ? "started" : "runs"
        var out: [Finding] = []
        if p.privileged {
            out.append(make("OBS-POSTURE-001", "Container \(verb) privileged", .critical, container: name,
                            message: "\(name) \(verb) with --privileged: every capability, every device, no seccomp or AppArmor.",
                            remediation: "Remove --privileged; add only the capabilities it needs (--cap-add)."))
        } else if p.seccompUnconfined {
            out.append(make("OBS-POSTURE-002", "Container \(verb) without seccomp", .high, container: name,
                            message: "\(name) \(verb) with seccomp=unconfined.",
                            remediation: "Drop seccomp=unconfined, or generate a profile: contsec run seccomp-gen."))
        }
        for ns in p.hostNamespaces {
            out.append(make("OBS-POSTURE-003", "Container \(verb) in the host's \(ns) namespace", .high, container: name,
                            message: "\(name) shares the host's \(ns) namespace.",
                            remediation: "Remove --\(ns == "net" ? "network" : ns)=host unless it is a host agent that needs it.",
                            properties: ["namespace": .string(ns)], fingerprintExtra: ns))
        }
        if !p.capabilitiesAdded.isEmpty {
            out.append(make("OBS-POSTURE-004", "Container \(verb) with added capabilities", .medium, container: name,
                            message: "\(name) adds \(p.capabilitiesAdded.joined(separator: ", ")).",
                            remediation: "Keep only the capabilities the workload needs.",
                            properties: ["capabilities": .array(p.capabilitiesAdded.map(JSONValue.string))]))
        }
        return out
    }

    /// Host paths whose bind mount hands a container control of the host (the Engine's socket), or of what the host
    /// runs and trusts when writable.
    static let sensitiveHostPaths = ["/", "/etc", "/proc", "/sys", "/dev", "/boot", "/root", "/usr", "/lib", "/var/lib/docker",
                                     "/var/run", "/run"]
    static let engineSockets: Set<String> = ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
                                             "/var/run/containerd/containerd.sock"]

    /// The posture findings analyze adds to ``posture(_:_:started:)``: how the container runs rather than what it
    /// was started with that monitor flags at once (every image running as root would make monitor noisy).
    public static func postureDetail(_ name: String, _ p: SecurityPosture) -> [Finding] {
        var out: [Finding] = []
        if p.rootUser {
            out.append(make("OBS-POSTURE-005", "Container runs as root", .low, container: name,
                            message: "\(name) runs its processes as uid 0\(p.user.isEmpty ? " (no USER in the image or --user)" : " (user '\(p.user)')").",
                            remediation: "Run as an unprivileged user: USER in the Dockerfile or --user 10001."))
        }
        for path in p.hostMounts {
            let writable = p.writableHostMounts.contains(path)
            if engineSockets.contains(path) {
                out.append(make("OBS-POSTURE-006", "Container engine socket mounted into container", .critical, container: name,
                                message: "\(name) mounts \(path): whoever controls the container controls the host's containers, and the host.",
                                remediation: "Remove the socket mount; give the workload a narrower API (a socket proxy allowing only what it needs).",
                                properties: ["path": .string(path), "writable": .bool(writable)], fingerprintExtra: path))
            } else if writable, sensitiveHostPaths.contains(where: { path == $0 || ($0 != "/" && path.hasPrefix($0 + "/")) }) {
                out.append(make("OBS-POSTURE-006", "Sensitive host path mounted writable", .high, container: name,
                                message: "\(name) mounts the host's \(path) read-write.",
                                remediation: "Mount it read-only (:ro) or not at all.",
                                properties: ["path": .string(path), "writable": .bool(true)], fingerprintExtra: path))
            }
        }
        let open = p.publishedPorts.filter { $0.hasPrefix("0.0.0.0:") || $0.hasPrefix(":::") || $0.hasPrefix("[::]:") || $0.hasPrefix(":") }
        if !open.isEmpty {
            out.append(make("OBS-POSTURE-007", "Port published on every interface", .low, container: name,
                            message: "\(name) publishes \(open.joined(separator: ", ")): reachable from any network the host is on.",
                            remediation: "Publish on the address that needs it, e.g. -p 127.0.0.1:8080:80.",
                            properties: ["ports": .array(open.map(JSONValue.string))]))
        }
        return out
    }
}
