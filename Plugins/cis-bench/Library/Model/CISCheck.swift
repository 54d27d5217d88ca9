import ContsecProtocol

/// What a WARN finding points at.
public enum TargetKind: String, Sendable {
    case host, daemon, file, image, container, swarm
}

/// One recommendation of the CIS Docker Benchmark v1.6.0: its number and title as the benchmark (and
/// docker-bench-security) print them, how it is scored, how bad a failure is, what to do, and the code that decides.
public struct CISCheck: Sendable {
    /// "5.5"
    public let id: String
    public let title: String
    /// The benchmark's (Automated) / (Manual) marking.
    public let automated: Bool
    /// Whether PASS/WARN move the score (docker-bench's `pass -s` / `warn -s`); unscored checks only count.
    public let scored: Bool
    /// Severity of a WARN finding: how much a failure of this recommendation exposes.
    public let severity: Severity
    public let target: TargetKind
    public let remediation: String
    /// How the verdict is reached (automated) or what a person should look at (manual).
    public let audit: String
    let evaluate: @Sendable (AuditFacts) -> CheckResult

    init(_ id: String, _ title: String, automated: Bool = true, scored: Bool = true, severity: Severity,
         target: TargetKind, remediation: String, audit: String,
         evaluate: @escaping @Sendable (AuditFacts) -> CheckResult) {
        self.id = id; self.title = title; self.automated = automated; self.scored = scored; self.severity = severity
        self.target = target; self.remediation = remediation; self.audit = audit; self.evaluate = evaluate
    }

    /// The section number: 1 for "1.1.3", 5 for "5.32".
    public var section: Int { Int(id.prefix(while: { $0 != "." })) ?? 0 }
}
