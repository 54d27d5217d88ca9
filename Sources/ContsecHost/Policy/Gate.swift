import ContsecProtocol

/// The host's findings gates, in the style of grype's `--fail-on` and trivy's `--exit-code`.
public struct GateOptions: Sendable, Hashable {
    /// Trip when any non-ignored finding is at or above this severity.
    public var failOn: Severity?
    /// Trip when there are more than this many non-ignored findings.
    public var maxFindings: Int?

    public init(failOn: Severity? = nil, maxFindings: Int? = nil) {
        self.failOn = failOn
        self.maxFindings = maxFindings
    }

    /// Parses `--fail-on`'s value; the error names the choices.
    public static func severity(_ text: String) throws(CLIError) -> Severity {
        guard let s = Severity(parsing: text) else {
            throw CLIError.usage("--fail-on expects one of \(SeverityTally.order.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return s
    }

    public static func count(_ text: String) throws(CLIError) -> Int {
        guard let n = Int(text), n >= 0 else { throw CLIError.usage("--max-findings expects a whole number (0 or more), got '\(text)'") }
        return n
    }
}

/// Whether the gates tripped, and why, in sentences the CLI prints and the JSON report carries.
public struct GateVerdict: Sendable {
    public var options: GateOptions
    public var reasons: [String]
    public var tripped: Bool { !reasons.isEmpty }

    public var json: JSONValue {
        [
            "failOn": options.failOn.map { .string($0.rawValue) } ?? .null,
            "maxFindings": options.maxFindings.map { .int($0) } ?? .null,
            "tripped": .bool(tripped),
            "reasons": .array(reasons.map(JSONValue.string)),
        ]
    }
}

/// Counts what the gates look at while events pass: non-ignored findings and plugins' own gate results.
struct GateCounter {
    private(set) var tally = SeverityTally()
    private var pluginGates: [String] = []

    mutating func add(_ f: Finding) { tally.add(f.severity) }

    mutating func pluginGate(_ plugin: String, _ message: String?) {
        pluginGates.append("\(plugin)'s own gate: \(message ?? "tripped")")
    }

    func verdict(_ options: GateOptions) -> GateVerdict {
        var reasons: [String] = []
        if let s = options.failOn {
            let over = SeverityTally.order.filter { $0 >= s && tally[$0] > 0 }
            let n = over.reduce(0) { $0 + tally[$1] }
            if n > 0 {
                let detail = over.map { "\($0.rawValue) \(tally[$0])" }.joined(separator: ", ")
                reasons.append("\(n) finding\(n == 1 ? "" : "s") at or above \(s.rawValue) (\(detail)); --fail-on \(s.rawValue)")
            }
        }
        if let max = options.maxFindings, tally.total > max {
            reasons.append("\(tally.total) findings, more than --max-findings \(max)")
        }
        return GateVerdict(options: options, reasons: reasons + pluginGates)
    }
}
