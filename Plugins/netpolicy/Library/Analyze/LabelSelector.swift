import YAMLReader

/// A Kubernetes label selector: matchLabels AND matchExpressions (In, NotIn, Exists, DoesNotExist).
/// The empty selector matches everything.
public struct LabelSelector: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist" }
    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }

    public var matchLabels: [String: String]
    public var expressions: [Requirement]

    public init(matchLabels: [String: String] = [:], expressions: [Requirement] = []) {
        self.matchLabels = matchLabels; self.expressions = expressions
    }

    public static let everything = LabelSelector()
    public var isEmpty: Bool { matchLabels.isEmpty && expressions.isEmpty }

    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in expressions {
            let value = labels[r.key]
            switch r.op {
            case .in: if value == nil || !r.values.contains(value!) { return false }
            case .notIn: if let value, r.values.contains(value) { return false }
            case .exists: if value == nil { return false }
            case .doesNotExist: if value != nil { return false }
            }
        }
        return true
    }

    /// Reads `{matchLabels: {...}, matchExpressions: [...]}`; a problem is described for a finding.
    static func read(_ node: YAMLNode) throws(ManifestProblem) -> LabelSelector {
        if node.isNull { return .everything }
        guard node.isMapping else { throw ManifestProblem("a label selector must be a mapping", node) }
        var selector = LabelSelector()
        if let ml = node["matchLabels"], !ml.isNull {
            guard ml.isMapping else { throw ManifestProblem("matchLabels must be a mapping", ml) }
            for p in ml.pairs {
                guard let k = p.key.scalar, let v = p.value.scalar else { throw ManifestProblem("matchLabels values must be strings", p.value) }
                selector.matchLabels[k] = v
            }
        }
        for e in node["matchExpressions"]?.items ?? [] {
            guard let key = e["key"]?.scalar, let opText = e["operator"]?.scalar else {
                throw ManifestProblem("a matchExpressions entry needs key and operator", e)
            }
            guard let op = Operator(rawValue: opText) else {
                throw ManifestProblem("operator '\(opText)' is not In, NotIn, Exists or DoesNotExist", e)
            }
            let values = (e["values"]?.items ?? []).compactMap(\.scalar)
            if (op == .in || op == .notIn) && values.isEmpty {
                throw ManifestProblem("operator \(opText) needs a non-empty values list", e)
            }
            selector.expressions.append(Requirement(key: key, op: op, values: values))
        }
        return selector
    }
}

/// Something in a manifest that analyze cannot use, with where it is.
public struct ManifestProblem: Error, Sendable {
    public var message: String
    public var line: Int?
    init(_ message: String, _ node: YAMLNode?) { self.message = message; line = node?.line }
}
