/// How bad a finding is. Ordered: `unknown < info < low < medium < high < critical`.
public enum Severity: String, Sendable, Codable, CaseIterable, Comparable {
    case unknown, info, low, medium, high, critical

    var rank: Int {
        switch self {
        case .unknown: return 0
        case .info: return 1
        case .low: return 2
        case .medium: return 3
        case .high: return 4
        case .critical: return 5
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }

    /// Parses any letter case ("HIGH" from Trivy, "high" on the wire).
    public init?(parsing text: String) {
        if let s = Severity(rawValue: text) { self = s; return }
        self.init(rawValue: text.lowercased())
    }
}

/// What kind of problem a finding is.
public enum FindingCategory: String, Sendable, Codable, CaseIterable {
    case vulnerability, misconfiguration, secret, compliance, runtime, network, storage
    case supplyChain = "supply-chain"
}

/// What a finding or action is about: an image, a container, a file (with a line), the host...
public struct Target: Sendable, Codable, Hashable {
    public var kind: String
    public var name: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var endLine: Int?

    public init(kind: String, name: String, file: String? = nil, line: Int? = nil, column: Int? = nil, endLine: Int? = nil) {
        self.kind = kind
        self.name = name
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
    }
}

/// Something wrong, as a plugin reports it (PROTOCOL.md, "finding").
public struct Finding: Sendable, Codable, Hashable {
    public var ruleId: String
    public var title: String
    public var severity: Severity
    public var category: FindingCategory
    public var target: Target
    public var message: String?
    public var remediation: String?
    public var references: [String]
    /// Stable across runs for the same problem; the host fills it in when a plugin leaves it out.
    public var fingerprint: String?
    public var properties: [String: JSONValue]

    public init(ruleId: String, title: String, severity: Severity, category: FindingCategory, target: Target,
                message: String? = nil, remediation: String? = nil, references: [String] = [],
                fingerprint: String? = nil, properties: [String: JSONValue] = [:]) {
        self.ruleId = ruleId
        self.title = title
        self.severity = severity
        self.category = category
        self.target = target
        self.message = message
        self.remediation = remediation
        self.references = references
        self.fingerprint = fingerprint
        self.properties = properties
    }

    /// `busybox 1.30.1-r3 → 1.30.1-r5` (`→ no fix` without a fixed version) from the well-known properties `package`,
    /// `installedVersion` and `fixedVersion` (PROTOCOL.md §13), so that one-line reports can tell apart the packages one
    /// vulnerability affects. nil when there is no `package` property.
    public var packageSummary: String? {
        guard let package = properties["package"]?.stringValue, !package.isEmpty else { return nil }
        var text = package
        if let installed = properties["installedVersion"]?.stringValue, !installed.isEmpty { text += " " + installed }
        if category == .vulnerability {
            let fixed = properties["fixedVersion"]?.stringValue ?? ""
            text += " → " + (fixed.isEmpty ? "no fix" : fixed)
        }
        return text
    }

    /// The fingerprint the host computes when a plugin sends none: sha256 of `ruleId|kind|name|file|line`.
    public var defaultFingerprint: String {
        let key = [ruleId, target.kind, target.name, target.file ?? "", target.line.map(String.init) ?? ""].joined(separator: "|")
        return SHA256.hex(Array(key.utf8))
    }
}

/// Limits on finding and action fields (PROTOCOL.md, "Limits").
public enum FieldLimits {
    public static let shortText = 4096
    public static let longText = 65536
    public static let references = 100
}

/// A field of a received object that breaks the protocol's rules.
public struct ValidationError: Error, Sendable, CustomStringConvertible {
    public let field: String
    public let reason: String
    public init(field: String, reason: String) { self.field = field; self.reason = reason }
    public var description: String { "\(field): \(reason)" }
}

/// Field readers that produce messages naming the field.
struct FieldReader {
    let object: [String: JSONValue]
    let prefix: String

    init(_ value: JSONValue?, prefix: String) throws(ValidationError) {
        guard case .object(let o)? = value else {
            throw ValidationError(field: prefix, reason: "expected an object, got \(value?.typeName ?? "nothing")")
        }
        object = o
        self.prefix = prefix
    }

    func fail(_ key: String, _ reason: String) -> ValidationError { ValidationError(field: "\(prefix).\(key)", reason: reason) }

    func string(_ key: String, limit: Int, required: Bool) throws(ValidationError) -> String? {
        guard let v = object[key], !v.isNull else {
            if required { throw fail(key, "required") }
            return nil
        }
        guard case .string(let s) = v else { throw fail(key, "expected a string, got \(v.typeName)") }
        if s.utf8.count > limit { throw fail(key, "\(s.utf8.count) bytes is over the \(limit)-byte limit") }
        if required && s.isEmpty { throw fail(key, "must not be empty") }
        return s
    }

    func required(_ key: String, limit: Int = FieldLimits.shortText) throws(ValidationError) -> String {
        try string(key, limit: limit, required: true)!
    }

    func optional(_ key: String, limit: Int = FieldLimits.shortText) throws(ValidationError) -> String? {
        try string(key, limit: limit, required: false)
    }

    func positiveInt(_ key: String) throws(ValidationError) -> Int? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let i = v.intValue else { throw fail(key, "expected an integer, got \(v.typeName)") }
        guard i >= 1 else { throw fail(key, "must be 1 or more, got \(i)") }
        return i
    }

    func nonNegativeInt(_ key: String) throws(ValidationError) -> Int? {
        guard let v = object[key], !v.isNull else { return nil }
        guard let i = v.intValue else { throw fail(key, "expected an integer, got \(v.typeName)") }
        guard i >= 0 else { throw fail(key, "must be 0 or more, got \(i)") }
        return i
    }

    func strings(_ key: String, max: Int) throws(ValidationError) -> [String] {
        guard let v = object[key], !v.isNull else { return [] }
        guard case .array(let a) = v else { throw fail(key, "expected an array of strings, got \(v.typeName)") }
        if a.count > max { throw fail(key, "\(a.count) items is over the limit of \(max)") }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for (i, item) in a.enumerated() {
            guard case .string(let s) = item else { throw fail("\(key)[\(i)]", "expected a string, got \(item.typeName)") }
            if s.utf8.count > FieldLimits.shortText { throw fail("\(key)[\(i)]", "over the \(FieldLimits.shortText)-byte limit") }
            out.append(s)
        }
        return out
    }

    func enumValue<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, parse: (String) -> E?) throws(ValidationError) -> E
    where E.RawValue == String {
        let s = try required(key)
        guard let e = parse(s) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail(key, "unknown value '\(s.prefix(64))' (expected one of: \(allowed))")
        }
        return e
    }
}

extension Finding {
    /// Reads and validates a finding. The error names the offending field.
    /// One set of rules: this goes through the same byte-level reader the host uses for frames.
    public init(json: JSONValue) throws(ValidationError) {
        let bytes = JSONWriter.bytes(json)
        do {
            self = try bytes.withUnsafeBufferPointer { buf in
                var c = JSONParser.Cursor(buf: buf)
                return try c.finding()
            }
        } catch let e as ValidationError {
            throw e
        } catch {
            throw ValidationError(field: "finding", reason: "\(error)")
        }
    }

    public var json: JSONValue {
        var t: [String: JSONValue] = ["kind": .string(target.kind), "name": .string(target.name)]
        if let f = target.file { t["file"] = .string(f) }
        if let l = target.line { t["line"] = .int(l) }
        if let c = target.column { t["column"] = .int(c) }
        if let e = target.endLine { t["endLine"] = .int(e) }
        var o: [String: JSONValue] = [
            "ruleId": .string(ruleId), "title": .string(title), "severity": .string(severity.rawValue),
            "category": .string(category.rawValue), "target": .object(t),
        ]
        if let message { o["message"] = .string(message) }
        if let remediation { o["remediation"] = .string(remediation) }
        if !references.isEmpty { o["references"] = .array(references.map(JSONValue.string)) }
        if let fingerprint { o["fingerprint"] = .string(fingerprint) }
        if !properties.isEmpty { o["properties"] = .object(properties) }
        return .object(o)
    }
}
