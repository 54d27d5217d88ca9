/// A plain value resolved with the YAML 1.2 core schema. Quoted and block scalars are always strings.
public enum YAMLValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([YAMLValue])
    /// Ordered key/value pairs; keys are the keys' scalar text.
    case object([(String, YAMLValue)])

    public static func == (a: YAMLValue, b: YAMLValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.int(x), .int(y)): return x == y
        case let (.double(x), .double(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

extension YAMLNode {
    /// The prefix of the YAML core tags: `!!str` reads as `tag:yaml.org,2002:str`.
    public static let coreTag = "tag:yaml.org,2002:"

    /// The node resolved per the YAML 1.2 core schema. `!!str` and the non-specific `!` force a string;
    /// `!!int`, `!!float`, `!!bool` and `!!null` resolve the text even when it is quoted.
    public var value: YAMLValue {
        switch content {
        case .scalar(let s, let style):
            switch tag {
            case "!", YAMLNode.coreTag + "str": return .string(s)
            case YAMLNode.coreTag + "null": return .null
            case YAMLNode.coreTag + "bool", YAMLNode.coreTag + "int", YAMLNode.coreTag + "float":
                // An explicit core tag resolves the text even when quoted; text that does not fit stays a string.
                let v = YAMLNode.resolvePlain(s)
                switch (tag, v) {
                case (YAMLNode.coreTag + "bool", .bool), (YAMLNode.coreTag + "int", .int), (YAMLNode.coreTag + "float", .double): return v
                case (YAMLNode.coreTag + "float", .int(let n)): return .double(Double(n))
                default: return .string(s)
                }
            default:
                // No tag, or one this reader does not interpret (`!Ref`, `!!binary`...): the core schema on plain text.
                return style == .plain ? YAMLNode.resolvePlain(s) : .string(s)
            }
        case .sequence(let items): return .array(items.map(\.value))
        case .mapping(let pairs): return .object(pairs.map { ($0.key.scalar ?? "", $0.value.value) })
        }
    }

    /// True for an empty plain scalar, `~` and `null` (core schema).
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }

    /// Core-schema boolean, nil when the node is not a plain `true`/`false`.
    public var bool: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }

    public var int: Int? {
        if case .int(let i) = value { return i }
        return nil
    }

    /// Lenient truth for config files written for YAML 1.1 parsers too (compose, older manifests):
    /// true/yes/on in any case, quoted or not.
    public var isTruthy: Bool {
        guard let s = scalar else { return false }
        switch s.lowercased() {
        case "true", "yes", "on", "y": return true
        default: return false
        }
    }

    /// Lenient falsity, the counterpart of `isTruthy`.
    public var isFalsy: Bool {
        guard let s = scalar else { return false }
        switch s.lowercased() {
        case "false", "no", "off", "n": return true
        default: return false
        }
    }

    static func resolvePlain(_ s: String) -> YAMLValue {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        let u = Array(s.utf8)
        guard let first = u.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".") || (first >= 0x30 && first <= 0x39) else { return .string(s) }
        if u.count > 2, u[0] == 0x30, u[1] == UInt8(ascii: "o"), let v = Int(String(s.dropFirst(2)), radix: 8) { return .int(v) }
        if u.count > 2, u[0] == 0x30, u[1] == UInt8(ascii: "x"), let v = Int(String(s.dropFirst(2)), radix: 16) { return .int(v) }
        if isDecimalInt(u), let v = Int(s) { return .int(v) }
        if isFloat(u), let d = Double(s) { return .double(d) }
        return .string(s)
    }

    private static func isDecimalInt(_ u: [UInt8]) -> Bool {
        var i = 0
        if u[0] == UInt8(ascii: "-") || u[0] == UInt8(ascii: "+") { i = 1 }
        guard i < u.count else { return false }
        while i < u.count { if u[i] < 0x30 || u[i] > 0x39 { return false }; i += 1 }
        return true
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    private static func isFloat(_ u: [UInt8]) -> Bool {
        var i = 0
        func digits() -> Int { let s = i; while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }; return i - s }
        if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
        let intDigits = digits()
        var frac = 0
        if i < u.count, u[i] == UInt8(ascii: ".") { i += 1; frac = digits() }
        if intDigits == 0 && frac == 0 { return false }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "-") || u[i] == UInt8(ascii: "+") { i += 1 }
            if digits() == 0 { return false }
        }
        return i == u.count
    }
}
