import ContsecProtocol

/// The original script's deployment gates: `--max-vulns N` (more than N vulnerabilities at or above the threshold
/// fails) and `--block-critical` (any critical finding fails).
public struct ScanGate: Sendable, Equatable {
    public var maxVulnerabilities: Int?
    public var blockCritical: Bool
    /// Lowest severity that counts toward `maxVulnerabilities` (the lowest one named in `--severity`).
    public var threshold: Severity

    public init(maxVulnerabilities: Int? = nil, blockCritical: Bool = false, threshold: Severity = .unknown) {
        self.maxVulnerabilities = maxVulnerabilities; self.blockCritical = blockCritical; self.threshold = threshold
    }

    /// The result of applying the gates: nil when the findings pass, else why they do not.
    public struct Verdict: Sendable, Equatable {
        public var reasons: [String]
        public var message: String { reasons.joined(separator: "; ") }
    }

    /// Vulnerabilities that count toward `--max-vulns`.
    public func countedVulnerabilities(_ findings: [Finding]) -> Int {
        findings.filter { $0.category == .vulnerability && $0.severity >= threshold }.count
    }

    public func evaluate(_ findings: [Finding]) -> Verdict? {
        var reasons: [String] = []
        if let max = maxVulnerabilities {
            let counted = countedVulnerabilities(findings)
            if counted > max {
                let scope = threshold == .unknown ? "" : " at or above \(threshold.rawValue)"
                reasons.append("\(counted) \(counted == 1 ? "vulnerability" : "vulnerabilities")\(scope) found, more than --max-vulns \(max) allows")
            }
        }
        if blockCritical {
            let critical = findings.filter { $0.severity == .critical }
            if !critical.isEmpty {
                // One CVE in several packages is named once.
                var unique: [String] = []
                for id in critical.map(\.ruleId) where !unique.contains(id) { unique.append(id) }
                let ids = unique.prefix(5).joined(separator: ", ") + (unique.count > 5 ? ", ..." : "")
                reasons.append("\(critical.count) critical finding\(critical.count == 1 ? "" : "s") (\(ids)) and --block-critical is set")
            }
        }
        return reasons.isEmpty ? nil : Verdict(reasons: reasons)
    }
}
