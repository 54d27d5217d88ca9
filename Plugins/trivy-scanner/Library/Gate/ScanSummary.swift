import ContsecProtocol

/// The run's summary: counts by severity and by kind, and what the gates saw.
public enum ScanSummary {
    public static func make(_ findings: [Finding], gate: ScanGate, artifact: String, trivyVersion: String?) -> [String: JSONValue] {
        var bySeverity: [String: JSONValue] = [:]
        for severity in Severity.allCases {
            bySeverity[severity.rawValue] = .int(findings.filter { $0.severity == severity }.count)
        }
        let kinds: [FindingCategory] = [.vulnerability, .misconfiguration, .secret]
        var byKind: [String: JSONValue] = [:]
        for kind in kinds { byKind[kind.rawValue] = .int(findings.filter { $0.category == kind }.count) }
        var summary: [String: JSONValue] = [
            "artifact": .string(artifact), "findings": .int(findings.count),
            "bySeverity": .object(bySeverity), "byKind": .object(byKind),
            "vulnerabilitiesCounted": .int(gate.countedVulnerabilities(findings)),
            "threshold": .string(gate.threshold.rawValue),
        ]
        if let max = gate.maxVulnerabilities { summary["maxVulns"] = .int(max) }
        if gate.blockCritical { summary["blockCritical"] = .bool(true) }
        if let trivyVersion { summary["trivyVersion"] = .string(trivyVersion) }
        return summary
    }
}
