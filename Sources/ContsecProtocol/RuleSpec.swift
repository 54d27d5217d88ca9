/// What one rule checks, declared by the plugin in its `initialize` result (protocol 1.1, PROTOCOL.md §6): the
/// rule's own text, so reports describe a rule by what it is — SARIF's `tool.driver.rules` — rather than by the
/// first finding that happened to use it.
public struct RuleSpec: Codable, Sendable, Hashable {
    /// The `ruleId` findings of this rule carry.
    public var id: String
    /// One line: what the rule is about.
    public var title: String
    /// What the rule checks and why it matters.
    public var description: String?
    /// What to do about a finding of this rule, in general.
    public var remediation: String?
    /// A page about the rule (http or https).
    public var helpUri: String?
    /// The severity its findings usually have.
    public var severity: Severity?
    public var category: FindingCategory?

    public init(id: String, title: String, description: String? = nil, remediation: String? = nil, helpUri: String? = nil,
                severity: Severity? = nil, category: FindingCategory? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.remediation = remediation
        self.helpUri = helpUri
        self.severity = severity
        self.category = category
    }

    /// The host's rules for a declaration (HostRules applies them in the handshake).
    public static let maxRules = 10_000

    func validate(at field: String) throws(ValidationError) {
        guard !id.isEmpty, id.utf8.count <= FieldLimits.shortText else {
            throw ValidationError(field: "\(field).id", reason: "must be 1 to \(FieldLimits.shortText) bytes")
        }
        guard !title.isEmpty, title.utf8.count <= FieldLimits.shortText else {
            throw ValidationError(field: "\(field).title", reason: "must be 1 to \(FieldLimits.shortText) bytes")
        }
        for (name, text) in [("description", description), ("remediation", remediation)] {
            if let text, text.utf8.count > FieldLimits.longText {
                throw ValidationError(field: "\(field).\(name)", reason: "\(text.utf8.count) bytes is over the \(FieldLimits.longText)-byte limit")
            }
        }
        if let helpUri, !(helpUri.hasPrefix("https://") || helpUri.hasPrefix("http://")) || helpUri.utf8.count > FieldLimits.shortText {
            throw ValidationError(field: "\(field).helpUri", reason: "must be an http(s) URL of at most \(FieldLimits.shortText) bytes")
        }
    }
}
