import ContsecProtocol

/// What a file is, for discovery, summaries and rule selection.
public enum IaCKind: String, Sendable, CaseIterable {
    case dockerfile, compose, kubernetes
}

/// The static description of one rule: everything a finding, `describe` output or docs need.
public struct RuleInfo: Sendable {
    public let id: String
    public let kind: IaCKind
    public let severity: Severity
    public let category: FindingCategory
    public let title: String
    public let remediation: String
    /// Equivalent ids in other tools, nil where none exists.
    public let hadolint: String?
    public let checkov: String?
    public let trivy: String?

    public init(_ id: String, _ kind: IaCKind, _ severity: Severity, _ title: String, fix remediation: String,
                category: FindingCategory = .misconfiguration, hadolint: String? = nil, checkov: String? = nil, trivy: String? = nil) {
        self.id = id
        self.kind = kind
        self.severity = severity
        self.category = category
        self.title = title
        self.remediation = remediation
        self.hadolint = hadolint
        self.checkov = checkov
        self.trivy = trivy
    }

    /// Documentation links for the equivalent rules, then the bare ids (checkov has no stable per-id URL).
    public var references: [String] {
        var refs: [String] = []
        if let h = hadolint { refs.append("https://github.com/hadolint/hadolint/wiki/\(h)") }
        if let t = trivy {
            for one in t.split(separator: ",") {
                refs.append("https://avd.aquasec.com/misconfig/\(one.lowercased())")
            }
        }
        if let c = checkov { refs.append(contentsOf: c.split(separator: ",").map(String.init)) }
        return refs
    }

    /// The tool equivalences as finding properties.
    public var equivalents: [String: JSONValue] {
        var p: [String: JSONValue] = [:]
        if let h = hadolint { p["hadolint"] = .string(h) }
        if let c = checkov { p["checkov"] = .string(c) }
        if let t = trivy { p["trivy"] = .string(t) }
        return p
    }

    /// One row of the rule table as JSON (for the `rules` command and generated docs).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "kind": .string(kind.rawValue), "severity": .string(severity.rawValue),
            "category": .string(category.rawValue), "title": .string(title), "remediation": .string(remediation),
        ]
        for (k, v) in equivalents { o[k] = v }
        return .object(o)
    }
}

extension RuleTable {
    /// The `rules` command's answer: one row per rule, every field, so JSON stays complete and the terminal shows it.
    public static func resultTable(_ rules: [RuleInfo] = all) -> ResultTable {
        ResultTable(
            title: "rules",
            columns: [.init("id", "ID"), .init("kind", "KIND"), .init("severity", "SEVERITY"), .init("category", "CATEGORY"),
                      .init("title", "TITLE"), .init("hadolint", "HADOLINT"), .init("checkov", "CHECKOV"),
                      .init("trivy", "TRIVY"), .init("remediation", "REMEDIATION")],
            rows: rules.map { $0.json.objectValue ?? [:] })
    }
}
