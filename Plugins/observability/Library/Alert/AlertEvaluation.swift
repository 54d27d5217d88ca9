import Foundation
import ContsecProtocol

/// What `alert` checks for one container now: each threshold and posture check with the value seen, the limit it is
/// held to and the verdict (the run's table), and a finding for each check that fails.
public struct AlertEvaluation: Sendable {
    public struct Check: Sendable, Equatable {
        public var check: String
        public var value: String
        public var threshold: String
        public var alerting: Bool
    }

    public var checks: [Check] = []
    public var findings: [Finding] = []

    /// A restart count from here on is a loop (as monitor's 3 starts in 10 minutes).
    public static let restartLimit = 3

    public init(_ c: ContainerSample, _ use: ResourceUse, threshold: Int) {
        let t = Double(threshold)
        func add(_ name: String, _ value: String, _ limit: String, _ finding: Finding?) {
            checks.append(Check(check: name, value: value, threshold: limit, alerting: finding != nil))
            if let finding { findings.append(finding) }
        }
        let cpuOf = use.cpuOfHost ? "of the host" : "of its limit"
        if let p = use.cpuPercent {
            add("cpu", String(format: "%.1f %% %@", p, cpuOf), "≤ \(threshold) %",
                p > t ? RuntimeFindings.cpu(c.name, percent: p, threshold: threshold, ofHost: use.cpuOfHost) : nil)
        } else {
            add("cpu", "no reading yet", "≤ \(threshold) %", nil)
        }
        if let p = use.memoryPercent {
            add("memory", String(format: "%.1f %% %@ (%.1f MiB)", p, use.memoryOfHost ? "of the host" : "of its limit", Double(use.memoryBytes ?? 0) / 1_048_576),
                "≤ \(threshold) %", p > t ? RuntimeFindings.memory(c.name, percent: p, bytes: use.memoryBytes ?? 0, threshold: threshold, ofHost: use.memoryOfHost) : nil)
        } else {
            add("memory", "no reading yet", "≤ \(threshold) %", nil)
        }
        add("oom killed", c.oomKilled ? "yes" : "no", "no", c.oomKilled ? RuntimeFindings.oomKilled(c.name) : nil)
        add("restarts", "\(c.restartCount)", "< \(Self.restartLimit)",
            c.restartCount >= Self.restartLimit ? RuntimeFindings.restartLoop(c.name, restarts: c.restartCount, window: "since it was created") : nil)
        // Posture: the same findings monitor reports when such a container starts, one check per kind.
        let posture = RuntimeFindings.posture(c.name, c.posture, started: false)
        func postureFindings(_ rule: String) -> [Finding] { posture.filter { $0.ruleId == rule } }
        let p = c.posture
        add("privileged", p.privileged ? "yes" : "no", "no", postureFindings("OBS-POSTURE-001").first)
        add("seccomp", p.seccompProfile, "not unconfined", postureFindings("OBS-POSTURE-002").first)
        let ns = postureFindings("OBS-POSTURE-003")
        checks.append(Check(check: "host namespaces", value: p.hostNamespaces.isEmpty ? "none" : p.hostNamespaces.joined(separator: ", "),
                            threshold: "none", alerting: !ns.isEmpty))
        findings += ns
        add("added capabilities", p.capabilitiesAdded.isEmpty ? "none" : p.capabilitiesAdded.joined(separator: ", "), "none",
            postureFindings("OBS-POSTURE-004").first)
    }

    public var table: ResultTable {
        ResultTable(title: "thresholds evaluated", columns: [.init("check", "CHECK"), .init("value", "VALUE"), .init("threshold", "THRESHOLD"),
                                                         .init("result", "RESULT")],
                    rows: checks.map { ["check": .string($0.check), "value": .string($0.value), "threshold": .string($0.threshold),
                                        "result": .string($0.alerting ? "alert" : "ok")] })
    }
}
