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
}
