import ContsecProtocol

/// Collects the findings of one file, applying suppressions and building stable fingerprints.
///
/// Fingerprint: sha256 of `ruleId|file|resource|locator`. The locator is content-derived (a stage
/// and instruction text for Dockerfiles, a service or container and a field path for YAML), never the
/// line number, so moving code around does not change it; editing the offending text does.
public struct FindingSink: Sendable {
    public let file: String
    let suppressions: Suppressions
    public private(set) var findings: [Finding] = []
    public private(set) var suppressed = 0

    public init(file: String, suppressions: Suppressions = .none) {
        self.file = file
        self.suppressions = suppressions
    }

    public mutating func report(_ ruleId: String, line: Int, column: Int? = nil, endLine: Int? = nil,
                                message: String, resource: String? = nil, locator: String,
                                properties extra: [String: JSONValue] = [:]) {
        if suppressions.isSuppressed(ruleId, line: line) || (endLine.map { suppressions.isSuppressed(ruleId, line: $0) } ?? false) {
            suppressed += 1
            return
        }
        let info = RuleTable.info(ruleId)
        var props = info.equivalents
        for (k, v) in extra { props[k] = v }
        if let r = resource { props["resource"] = .string(r) }
        let key = "\(ruleId)|\(file)|\(resource ?? "")|\(locator)"
        findings.append(Finding(
            ruleId: ruleId, title: info.title, severity: info.severity, category: info.category,
            target: Target(kind: "file", name: file, file: file, line: line, column: column,
                           endLine: endLine.flatMap { $0 > line ? $0 : nil }),
            message: message, remediation: info.remediation, references: info.references,
            fingerprint: SHA256.hex(Array(key.utf8)), properties: props))
    }
}
