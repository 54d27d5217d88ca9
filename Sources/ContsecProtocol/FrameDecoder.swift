/// Decodes one frame from a plugin. `finding` notifications — nearly all of the traffic of a big scan — are read
/// straight from the bytes into a `Finding`, with no `JSONValue` tree in between; every other message goes through
/// the generic path. Both paths accept exactly the same wire format.
public enum DecodedFrame: Sendable {
    case finding(Finding)
    case message(RPCMessage)
}

public enum FrameDecoder {
    /// - Throws: `JSONParseError` (not JSON), `InvalidMessage` (not JSON-RPC 2.0), `ValidationError` (a bad finding).
    public static func decode(_ buf: UnsafeBufferPointer<UInt8>) throws -> DecodedFrame {
        var c = JSONParser.Cursor(buf: buf)
        c.skipWhitespace()
        guard c.pos < buf.count, buf[c.pos] == UInt8(ascii: "{") else {
            return .message(try RPCMessage(json: JSONParser.parse(buf)))
        }
        c.pos += 1
        var fields: [String: JSONValue] = [:]
        var jsonrpc: JSONValue?
        var id: JSONValue?
        var method: String?
        var finding: Finding?
        try c.objectBody { c, key in
            if key.equals("jsonrpc") {
                jsonrpc = try c.value(depth: 1)
            } else if key.equals("method") {
                let v = try c.value(depth: 1)
                method = v.stringValue
                fields["method"] = v
            } else if key.equals("id") {
                id = try c.value(depth: 1)
            } else if key.equals("params"), method == Method.finding {
                finding = try c.finding()
            } else {
                fields[key.string] = try c.value(depth: 1)
            }
        }
        c.skipWhitespace()
        if c.pos != buf.count { throw c.fail("unexpected data after the JSON value") }
        if let finding {
            if id == nil, jsonrpc == .string("2.0") { return .finding(finding) }
            fields["params"] = finding.json  // an odd envelope: let the generic check say what is wrong
        }
        fields["jsonrpc"] = jsonrpc
        fields["id"] = id
        return .message(try RPCMessage(json: .object(fields)))
    }
}

/// An object key as read from the frame: raw bytes when it has no escapes, so common keys compare without a String.
struct KeyBytes {
    let raw: UnsafeBufferPointer<UInt8>?
    let decoded: String?

    func equals(_ s: StaticString) -> Bool {
        guard let raw else { return decoded == s.description }
        guard raw.count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for i in 0..<raw.count where raw[i] != p[i] { return false }
        return true
    }

    var string: String { decoded ?? String(decoding: raw!, as: UTF8.self) }
}

extension JSONParser.Cursor {
    mutating func key() throws(JSONParseError) -> KeyBytes {
        guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
        var p = pos + 1
        while p < buf.count {
            let ch = buf[p]
            if ch == UInt8(ascii: "\"") {
                let raw = UnsafeBufferPointer(rebasing: buf[(pos + 1)..<p])
                var ascii = true
                for b in raw where b >= 0x80 { ascii = false; break }
                if !ascii, String(validating: raw, as: UTF8.self) == nil { throw fail("invalid UTF-8 in key") }
                pos = p + 1
                return KeyBytes(raw: raw, decoded: nil)
            }
            if ch == UInt8(ascii: "\\") || ch < 0x20 { break }
            p += 1
        }
        return KeyBytes(raw: nil, decoded: try string())
    }

    /// Walks the members of an object whose `{` was consumed; `member` must consume the value.
    mutating func objectBody(_ member: (inout JSONParser.Cursor, KeyBytes) throws -> Void) throws {
        skipWhitespace()
        if pos < buf.count, buf[pos] == UInt8(ascii: "}") { pos += 1; return }
        while true {
            skipWhitespace()
            let k = try key()
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after key") }
            pos += 1
            skipWhitespace()
            try member(&self, k)
            skipWhitespace()
            guard pos < buf.count else { throw fail("unexpected end of input in object") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; return }
            throw fail("expected ',' or '}' in object")
        }
    }

    private mutating func openObject(_ field: String) throws {
        skipWhitespace()
        guard pos < buf.count, buf[pos] == UInt8(ascii: "{") else {
            let v = try value(depth: 1)
            throw ValidationError(field: field, reason: "expected an object, got \(v.typeName)")
        }
        pos += 1
    }

    /// A string field with the same rules as `FieldReader`: type, byte limit; null counts as absent.
    private mutating func text(_ field: String, limit: Int) throws -> String? {
        guard pos < buf.count else { throw fail("unexpected end of input") }
        if buf[pos] == UInt8(ascii: "\"") {
            let s = try string()
            if s.utf8.count > limit { throw ValidationError(field: field, reason: "\(s.utf8.count) bytes is over the \(limit)-byte limit") }
            return s
        }
        let v = try value(depth: 1)
        if v.isNull { return nil }
        throw ValidationError(field: field, reason: "expected a string, got \(v.typeName)")
    }

    private mutating func positive(_ field: String) throws -> Int? {
        let v = try value(depth: 1)
        if v.isNull { return nil }
        guard let i = v.intValue else { throw ValidationError(field: field, reason: "expected an integer, got \(v.typeName)") }
        guard i >= 1 else { throw ValidationError(field: field, reason: "must be 1 or more, got \(i)") }
        return i
    }

    private static func required(_ v: String?, _ field: String) throws -> String {
        guard let v else { throw ValidationError(field: field, reason: "required") }
        if v.isEmpty { throw ValidationError(field: field, reason: "must not be empty") }
        return v
    }

    /// Reads a Finding object at the cursor, enforcing the rules of `Finding.init(json:)`.
    mutating func finding() throws -> Finding {
        try openObject("finding")
        var ruleId: String?, title: String?, severity: String?, category: String?
        var kind: String?, name: String?, file: String?, line: Int?, column: Int?, endLine: Int?
        var message: String?, remediation: String?, fingerprint: String?
        var references: [String] = []
        var properties: [String: JSONValue] = [:]
        var sawTarget = false
        let short = FieldLimits.shortText, long = FieldLimits.longText
        try objectBody { c, k in
            if k.equals("ruleId") { ruleId = try c.text("finding.ruleId", limit: short) }
            else if k.equals("title") { title = try c.text("finding.title", limit: short) }
            else if k.equals("severity") { severity = try c.text("finding.severity", limit: short) }
            else if k.equals("category") { category = try c.text("finding.category", limit: short) }
            else if k.equals("message") { message = try c.text("finding.message", limit: long) }
            else if k.equals("remediation") { remediation = try c.text("finding.remediation", limit: long) }
            else if k.equals("fingerprint") {
                fingerprint = try c.text("finding.fingerprint", limit: short)
                // Absent means "let the host compute it"; empty would make every such finding one duplicate.
                if fingerprint?.isEmpty == true { throw ValidationError(field: "finding.fingerprint", reason: "must not be empty (leave it out to let the host compute one)") }
            }
            else if k.equals("target") {
                sawTarget = true
                try c.openObject("finding.target")
                try c.objectBody { c, k in
                    if k.equals("kind") { kind = try c.text("finding.target.kind", limit: short) }
                    else if k.equals("name") { name = try c.text("finding.target.name", limit: short) }
                    else if k.equals("file") { file = try c.text("finding.target.file", limit: short) }
                    else if k.equals("line") { line = try c.positive("finding.target.line") }
                    else if k.equals("column") { column = try c.positive("finding.target.column") }
                    else if k.equals("endLine") { endLine = try c.positive("finding.target.endLine") }
                    else { _ = try c.value(depth: 2) }
                }
            } else if k.equals("references") {
                let v = try c.value(depth: 1)
                if !v.isNull {
                    references = try FieldReader(.object(["references": v]), prefix: "finding").strings("references", max: FieldLimits.references)
                }
            } else if k.equals("properties") {
                let v = try c.value(depth: 1)
                if case .object(let o) = v { properties = o }
                else if !v.isNull { throw ValidationError(field: "finding.properties", reason: "expected an object, got \(v.typeName)") }
            } else {
                _ = try c.value(depth: 1)  // unknown members are ignored, for forward compatibility
            }
        }
        let sev = try Self.required(severity, "finding.severity")
        guard let s = Severity(parsing: sev) else {
            throw ValidationError(field: "finding.severity", reason: "unknown value '\(sev.prefix(64))' (expected one of: \(Severity.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let cat = try Self.required(category, "finding.category")
        guard let fc = FindingCategory(rawValue: cat) ?? FindingCategory(rawValue: cat.lowercased()) else {
            throw ValidationError(field: "finding.category", reason: "unknown value '\(cat.prefix(64))' (expected one of: \(FindingCategory.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard sawTarget else { throw ValidationError(field: "finding.target", reason: "expected an object, got nothing") }
        return Finding(ruleId: try Self.required(ruleId, "finding.ruleId"), title: try Self.required(title, "finding.title"),
                       severity: s, category: fc,
                       target: Target(kind: try Self.required(kind, "finding.target.kind"), name: try Self.required(name, "finding.target.name"),
                                      file: file, line: line, column: column, endLine: endLine),
                       message: message, remediation: remediation, references: references, fingerprint: fingerprint,
                       properties: properties)
    }
}
