import Foundation

/// One check's verdict.
public struct CheckOutcome: Sendable {
    public let check: CISCheck
    public let result: CheckResult

    /// What to do: the result's own remediation for this host, else the check's.
    public var remediation: String { result.remediation ?? check.remediation }
}

/// The verdicts of a run, its score and counts.
public struct AuditReport: Sendable {
    public let outcomes: [CheckOutcome]

    /// docker-bench's score: +1 for every PASS and -1 for every WARN of a scored check; INFO and NOTE count 0.
    public var score: Int {
        outcomes.reduce(0) { total, o in
            guard o.check.scored else { return total }
            switch o.result.status {
            case .pass: return total + 1
            case .warn: return total - 1
            case .info, .note: return total
            }
        }
    }

    public func count(_ status: CheckStatus) -> Int { outcomes.filter { $0.result.status == status }.count }

    public func outcome(_ id: String) -> CheckOutcome? { outcomes.first { $0.check.id == id } }
}

/// Runs checks over gathered facts. Pure: no engine or file access happens here beyond what checks read from `facts`
/// (file checks stat their paths).
public enum AuditRunner {
    public static func run(_ checks: [CISCheck], facts: AuditFacts) -> AuditReport {
        AuditReport(outcomes: checks.map { CheckOutcome(check: $0, result: $0.evaluate(facts)) })
    }
}
