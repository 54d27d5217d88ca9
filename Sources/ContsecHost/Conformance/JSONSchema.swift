import Foundation
import ContsecProtocol

/// A problem found while loading schemas: a missing folder, a file that is not JSON, a keyword we do not implement.
public struct SchemaLoadError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

/// One way an instance breaks a schema: where in the instance, and why.
public struct SchemaViolation: Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// A JSON Schema draft 2020-12 validator for the subset of keywords `sdk-protocol/schema/` uses.
///
/// Schemas are loaded from one folder and referenced by file name (the last component of their `$id`), so
/// `"$ref": "common.schema.json#/$defs/name"` resolves offline. A schema using a validation keyword outside the
/// subset is refused at load time: silently ignoring it would let invalid messages pass.
public final class SchemaSet: @unchecked Sendable {
    /// Documents by file name.
    public let documents: [String: JSONValue]
    public let folder: String
    private let regexes: [String: NSRegularExpression]

    static let validationKeywords: Set<String> = [
        "type", "required", "properties", "additionalProperties", "enum", "const", "pattern", "minimum", "maximum",
        "minLength", "maxLength", "items", "minItems", "maxItems", "$ref", "oneOf", "anyOf", "allOf", "not",
        "if", "then", "else", "propertyNames", "$defs",
    ]
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "$comment", "title", "description", "default", "examples",
    ]

    public init(folder: String) throws(SchemaLoadError) {
        self.folder = folder
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder) else {
            throw SchemaLoadError("cannot read the schema folder \(folder)")
        }
        var docs: [String: JSONValue] = [:]
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = fm.contents(atPath: folder + "/" + name) else { throw SchemaLoadError("cannot read \(folder)/\(name)") }
            do {
                let doc = try JSONParser.parse([UInt8](data))
                docs[name] = doc
                if let id = doc["$id"]?.stringValue { docs[(id as NSString).lastPathComponent] = doc }
            } catch {
                throw SchemaLoadError("\(folder)/\(name) is not valid JSON: \(error)")
            }
        }
        guard !docs.isEmpty else { throw SchemaLoadError("no *.json schemas in \(folder)") }
        var regexes: [String: NSRegularExpression] = [:]
        for (name, doc) in docs { try Self.check(doc, file: name, at: "#", regexes: &regexes) }
        documents = docs
        self.regexes = regexes
    }

    /// Refuses unknown keywords and compiles every pattern once.
    private static func check(_ s: JSONValue, file: String, at path: String,
                              regexes: inout [String: NSRegularExpression]) throws(SchemaLoadError) {
        guard case .object(let o) = s else {
            if case .bool = s { return }
            throw SchemaLoadError("\(file) \(path): a schema must be an object or a boolean")
        }
        for (key, value) in o {
            if annotationKeywords.contains(key) { continue }
            guard validationKeywords.contains(key) else {
                throw SchemaLoadError("\(file) \(path): keyword '\(key)' is not supported by contsec's validator")
            }
            switch key {
            case "properties", "$defs":
                for (k, sub) in value.objectValue ?? [:] { try check(sub, file: file, at: "\(path)/\(key)/\(k)", regexes: &regexes) }
            case "oneOf", "anyOf", "allOf":
                for (i, sub) in (value.arrayValue ?? []).enumerated() { try check(sub, file: file, at: "\(path)/\(key)/\(i)", regexes: &regexes) }
            case "additionalProperties", "items", "not", "if", "then", "else", "propertyNames":
                try check(value, file: file, at: "\(path)/\(key)", regexes: &regexes)
            case "pattern":
                guard let p = value.stringValue else { throw SchemaLoadError("\(file) \(path): pattern must be a string") }
                do { regexes[p] = try NSRegularExpression(pattern: p) } catch {
                    throw SchemaLoadError("\(file) \(path): pattern \(p) does not compile: \(error)")
                }
            default: break
            }
        }
    }

    /// Violations of `instance` against the schema file `name` (empty when valid).
    public func validate(_ instance: JSONValue, against name: String) -> [SchemaViolation] {
        guard let doc = documents[name] else { return [SchemaViolation(path: "$", reason: "no schema named \(name) in \(folder)")] }
        var out: [SchemaViolation] = []
        validate(instance, doc, doc: doc, path: "$", out: &out, depth: 0)
        return out
    }

    private func validate(_ v: JSONValue, _ schema: JSONValue, doc: JSONValue, path: String, out: inout [SchemaViolation], depth: Int) {
        func fail(_ reason: String) { out.append(SchemaViolation(path: path, reason: reason)) }
        guard depth < 64 else { fail("schema references nest too deeply"); return }
        guard case .object(let s) = schema else {
            if schema == .bool(false) { fail("no value is allowed here") }
            return
        }
        if let ref = s["$ref"]?.stringValue {
            switch resolve(ref, in: doc) {
            case .success(let (target, targetDoc)): validate(v, target, doc: targetDoc, path: path, out: &out, depth: depth + 1)
            case .failure(let e): fail(e.description)
            }
        }
        if let t = s["type"] {
            let types = t.arrayValue?.compactMap(\.stringValue) ?? t.stringValue.map { [$0] } ?? []
            if !types.contains(where: { Self.hasType(v, $0) }) {
                fail("expected \(types.joined(separator: " or ")), got \(Self.typeName(v))")
                return  // further keywords would only repeat the same problem
            }
        }
        if let c = s["const"], !Self.equal(v, c) { fail("must be \(JSONWriter.string(c)), got \(Self.show(v))") }
        if let e = s["enum"]?.arrayValue, !e.contains(where: { Self.equal(v, $0) }) {
            fail("\(Self.show(v)) is not one of \(e.map { JSONWriter.string($0) }.joined(separator: ", "))")
        }
        if case .string(let str) = v {
            let length = str.unicodeScalars.count
            if let m = s["minLength"]?.intValue, length < m { fail("shorter than \(m) characters") }
            if let m = s["maxLength"]?.intValue, length > m { fail("longer than \(m) characters (\(length))") }
            if let p = s["pattern"]?.stringValue, let re = regexes[p],
               re.firstMatch(in: str, range: NSRange(str.startIndex..., in: str)) == nil {
                fail("\(Self.show(v)) does not match \(p)")
            }
        }
        if let n = v.doubleValue, !Self.isBool(v) {
            if let m = s["minimum"]?.doubleValue, n < m { fail("\(Self.show(v)) is less than \(JSONWriter.string(s["minimum"]!))") }
            if let m = s["maximum"]?.doubleValue, n > m { fail("\(Self.show(v)) is greater than \(JSONWriter.string(s["maximum"]!))") }
        }
        if case .array(let items) = v {
            if let m = s["minItems"]?.intValue, items.count < m { fail("fewer than \(m) items") }
            if let m = s["maxItems"]?.intValue, items.count > m { fail("more than \(m) items (\(items.count))") }
            if let itemSchema = s["items"] {
                for (i, item) in items.enumerated() { validate(item, itemSchema, doc: doc, path: "\(path)[\(i)]", out: &out, depth: depth + 1) }
            }
        }
        if case .object(let o) = v {
            for key in (s["required"]?.arrayValue ?? []).compactMap(\.stringValue) where o[key] == nil {
                fail("required member '\(key)' is missing")
            }
            let props = s["properties"]?.objectValue ?? [:]
            for (key, value) in o.sorted(by: { $0.key < $1.key }) {
                let sub = "\(path).\(key)"
                if let ps = props[key] {
                    validate(value, ps, doc: doc, path: sub, out: &out, depth: depth + 1)
                } else if let ap = s["additionalProperties"] {
                    if ap == .bool(false) { fail("unexpected member '\(key)'") } else { validate(value, ap, doc: doc, path: sub, out: &out, depth: depth + 1) }
                }
                if let pn = s["propertyNames"] {
                    validate(.string(key), pn, doc: doc, path: "\(path) (member name '\(key)')", out: &out, depth: depth + 1)
                }
            }
        }
        if let all = s["allOf"]?.arrayValue {
            for sub in all { validate(v, sub, doc: doc, path: path, out: &out, depth: depth + 1) }
        }
        if let any = s["anyOf"]?.arrayValue {
            var branches: [[SchemaViolation]] = []
            for sub in any {
                var e: [SchemaViolation] = []
                validate(v, sub, doc: doc, path: path, out: &e, depth: depth + 1)
                branches.append(e)
                if e.isEmpty { break }
            }
            if !branches.contains(where: \.isEmpty) {
                fail("matches none of the \(any.count) allowed forms (closest: \(Self.closest(branches)))")
            }
        }
        if let one = s["oneOf"]?.arrayValue {
            var branches: [[SchemaViolation]] = []
            for sub in one {
                var e: [SchemaViolation] = []
                validate(v, sub, doc: doc, path: path, out: &e, depth: depth + 1)
                branches.append(e)
            }
            let matching = branches.filter(\.isEmpty).count
            if matching == 0 { fail("matches none of the \(one.count) allowed forms (closest: \(Self.closest(branches)))") }
            if matching > 1 { fail("matches \(matching) of the oneOf forms; exactly one is allowed") }
        }
        if let not = s["not"] {
            var e: [SchemaViolation] = []
            validate(v, not, doc: doc, path: path, out: &e, depth: depth + 1)
            if e.isEmpty { fail("matches a form that is not allowed") }
        }
        if let cond = s["if"] {
            var e: [SchemaViolation] = []
            validate(v, cond, doc: doc, path: path, out: &e, depth: depth + 1)
            if e.isEmpty, let then = s["then"] { validate(v, then, doc: doc, path: path, out: &out, depth: depth + 1) }
            if !e.isEmpty, let els = s["else"] { validate(v, els, doc: doc, path: path, out: &out, depth: depth + 1) }
        }
    }

    private static func closest(_ branches: [[SchemaViolation]]) -> String {
        guard let best = branches.min(by: { $0.count < $1.count }), let first = best.first else { return "?" }
        return first.description
    }

    /// `file.json`, `file.json#/$defs/x` or `#/$defs/x`, relative to the folder.
    private func resolve(_ ref: String, in doc: JSONValue) -> Result<(JSONValue, JSONValue), SchemaLoadError> {
        let parts = ref.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var target = doc
        if !parts[0].isEmpty {
            let file = (parts[0] as NSString).lastPathComponent
            guard let d = documents[file] else { return .failure(SchemaLoadError("$ref \(ref): no schema \(file) in \(folder)")) }
            target = d
        }
        let targetDoc = target
        if parts.count > 1, !parts[1].isEmpty {
            for token in parts[1].split(separator: "/") {
                let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                if let next = target[key] { target = next }
                else if let i = Int(key), let a = target.arrayValue, i < a.count { target = a[i] }
                else { return .failure(SchemaLoadError("$ref \(ref): nothing at \(parts[1])")) }
            }
        }
        return .success((target, targetDoc))
    }

    static func isBool(_ v: JSONValue) -> Bool { if case .bool = v { return true }; return false }

    static func hasType(_ v: JSONValue, _ t: String) -> Bool {
        switch (t, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d.rounded() == d
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }

    static func typeName(_ v: JSONValue) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// JSON equality: 1 and 1.0 are the same number.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { k, v in y[k].map { equal(v, $0) } ?? false }
        default: return a == b
        }
    }

    static func show(_ v: JSONValue) -> String {
        let s = JSONWriter.string(v)
        return s.count > 80 ? String(s.prefix(80)) + "…" : s
    }
}

/// Where the protocol's schemas are: `CONTSEC_SCHEMA_DIR`, else `sdk-protocol/schema` in the package the contsec
/// binary was built in (walking up from the binary), else `share/contsec/schema` beside an installed binary.
public enum SchemaLocator {
    public static func find(environment: [String: String] = ProcessInfo.processInfo.environment,
                            executablePath: String = PluginDiscovery.currentExecutable) -> (folder: String?, searched: [String]) {
        var searched: [String] = []
        let fm = FileManager.default
        if let dir = environment["CONTSEC_SCHEMA_DIR"], !dir.isEmpty {
            searched.append(dir + " (CONTSEC_SCHEMA_DIR)")
            return (fm.fileExists(atPath: dir + "/common.schema.json") ? dir : nil, searched)
        }
        var dir = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        while dir.path != "/" {
            for candidate in [dir.appendingPathComponent("sdk-protocol/schema").path,
                              dir.appendingPathComponent("share/contsec/schema").path] {
                if fm.fileExists(atPath: candidate + "/common.schema.json") { return (candidate, searched) }
            }
            dir = dir.deletingLastPathComponent()
        }
        searched.append("sdk-protocol/schema and share/contsec/schema in every folder above \(executablePath)")
        return (nil, searched)
    }
}
