import Foundation
import ContsecProtocol

/// A JSON Schema validator for exactly the keywords the SARIF 2.1.0 schema uses (draft-04 / draft-07 subset:
/// local `$ref` into `definitions`, types, `enum`, `required`, `properties`, `additionalProperties`, `items`,
/// `minItems`, `uniqueItems`, `minimum`, `maximum`, `pattern`, `format`, `anyOf`, `oneOf`, `allOf`, `not`).
///
/// A schema using any other validation keyword is refused, so a keyword cannot be skipped without notice.
/// `format` is checked for `uri`, `uri-reference` and `date-time`, the ones GitHub's SARIF ingestion cares about.
struct SchemaSubsetValidator {
    let root: JSONValue
    private var regexes: [String: NSRegularExpression] = [:]

    static let validation: Set<String> = [
        "$ref", "type", "enum", "required", "properties", "additionalProperties", "items", "minItems", "maxItems",
        "uniqueItems", "minimum", "maximum", "minLength", "maxLength", "pattern", "format", "anyOf", "oneOf", "allOf", "not",
    ]
    static let annotations: Set<String> = ["$schema", "id", "$id", "title", "description", "default", "definitions"]

    init(schema: JSONValue) throws {
        root = schema
        try collect(schema, at: "#")
    }

    private mutating func collect(_ s: JSONValue, at path: String) throws {
        guard case .object(let o) = s else { return }
        for (k, v) in o {
            if k == "properties" || k == "definitions" {
                for (name, sub) in v.objectValue ?? [:] { try collect(sub, at: "\(path)/\(k)/\(name)") }
                continue
            }
            guard Self.validation.contains(k) || Self.annotations.contains(k) else {
                throw TestFailure("schema keyword '\(k)' at \(path) is outside the validator's subset")
            }
            if k == "pattern", let p = v.stringValue { regexes[p] = try NSRegularExpression(pattern: p) }
            switch v {
            case .object: if k != "default" { try collect(v, at: "\(path)/\(k)") }
            case .array(let a): if k != "enum" && k != "default" && k != "required" { for (i, x) in a.enumerated() { try collect(x, at: "\(path)/\(k)/\(i)") } }
            default: break
            }
        }
    }

    /// Every violation, as `path: reason`.
    func errors(_ instance: JSONValue) -> [String] {
        var out: [String] = []
        check(instance, root, "$", &out)
        return out
    }

    private func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#/") else { return nil }
        var node: JSONValue? = root
        for part in ref.dropFirst(2).split(separator: "/") {
            node = node?[String(part).replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")]
        }
        return node
    }

    private static func typeOK(_ v: JSONValue, _ t: String) -> Bool {
        switch (t, v) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.rounded() == d
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    private func check(_ v: JSONValue, _ s: JSONValue, _ path: String, _ out: inout [String]) {
        guard case .object(let schema) = s else { return }
        if let ref = schema["$ref"]?.stringValue {
            guard let target = resolve(ref) else { out.append("\(path): unresolvable $ref \(ref)"); return }
            check(v, target, path, &out)
        }
        if let t = schema["type"] {
            let types = t.arrayValue?.compactMap(\.stringValue) ?? [t.stringValue ?? ""]
            if !types.contains(where: { Self.typeOK(v, $0) }) {
                out.append("\(path): expected \(types.joined(separator: " or ")), got \(v.typeName)")
                return
            }
        }
        if let e = schema["enum"]?.arrayValue, !e.contains(v) {
            out.append("\(path): \(String(describing: v).prefix(60)) is not one of \(e)")
        }
        if case .string(let str) = v {
            if let p = schema["pattern"]?.stringValue, let re = regexes[p],
               re.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
                out.append("\(path): '\(str.prefix(60))' does not match \(p)")
            }
            if let n = schema["minLength"]?.intValue, str.count < n { out.append("\(path): shorter than \(n)") }
            if let n = schema["maxLength"]?.intValue, str.count > n { out.append("\(path): longer than \(n)") }
            if let f = schema["format"]?.stringValue, let problem = Self.formatProblem(str, f) { out.append("\(path): \(problem)") }
        }
        if let n = v.doubleValue {
            if let m = schema["minimum"]?.doubleValue, n < m { out.append("\(path): \(n) < minimum \(m)") }
            if let m = schema["maximum"]?.doubleValue, n > m { out.append("\(path): \(n) > maximum \(m)") }
        }
        if case .array(let a) = v {
            if let n = schema["minItems"]?.intValue, a.count < n { out.append("\(path): fewer than \(n) items") }
            if let n = schema["maxItems"]?.intValue, a.count > n { out.append("\(path): more than \(n) items") }
            if schema["uniqueItems"]?.boolValue == true, Set(a).count != a.count { out.append("\(path): items are not unique") }
            if let items = schema["items"] { for (i, x) in a.enumerated() { check(x, items, "\(path)[\(i)]", &out) } }
        }
        if case .object(let o) = v {
            for key in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where o[key] == nil {
                out.append("\(path): missing required '\(key)'")
            }
            let props = schema["properties"]?.objectValue ?? [:]
            for (k, x) in o {
                if let p = props[k] {
                    check(x, p, "\(path).\(k)", &out)
                } else if let extra = schema["additionalProperties"] {
                    if extra == .bool(false) { out.append("\(path): unexpected member '\(k)'") } else { check(x, extra, "\(path).\(k)", &out) }
                }
            }
        }
        for sub in schema["allOf"]?.arrayValue ?? [] { check(v, sub, path, &out) }
        if let any = schema["anyOf"]?.arrayValue, !any.contains(where: { passes(v, $0, path) }) {
            out.append("\(path): matches none of anyOf")
        }
        if let one = schema["oneOf"]?.arrayValue {
            let n = one.filter { passes(v, $0, path) }.count
            if n != 1 { out.append("\(path): matches \(n) of oneOf (exactly 1 required)") }
        }
        if let not = schema["not"], passes(v, not, path) { out.append("\(path): must not match \(not)") }
    }

    private func passes(_ v: JSONValue, _ s: JSONValue, _ path: String) -> Bool {
        var out: [String] = []
        check(v, s, path, &out)
        return out.isEmpty
    }

    /// RFC 3986 / RFC 3339 checks, strict enough to catch what breaks consumers: spaces, bad escapes, a relative
    /// reference whose first segment holds a colon (it would read as a scheme), a date without a zone.
    static func formatProblem(_ s: String, _ format: String) -> String? {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/?#[]@!$&'()*+,;=%")
        switch format {
        case "uri", "uri-reference":
            if s.unicodeScalars.contains(where: { !allowed.contains($0) }) { return "'\(s.prefix(60))' has characters a URI cannot hold" }
            if s.range(of: "%(?![0-9A-Fa-f]{2})", options: .regularExpression) != nil { return "'\(s.prefix(60))' has a bad %-escape" }
            let hasScheme = s.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) != nil
            if format == "uri" && !hasScheme { return "'\(s.prefix(60))' is not an absolute URI" }
            if !hasScheme, let colon = s.firstIndex(of: ":"),
               !s[..<colon].contains(where: { "/?#".contains($0) }) {
                return "'\(s.prefix(60))': a colon in the first segment of a relative reference"
            }
            return nil
        case "date-time":
            let re = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#
            return s.range(of: re, options: .regularExpression) == nil ? "'\(s)' is not an RFC 3339 date-time" : nil
        default:
            return nil
        }
    }
}
