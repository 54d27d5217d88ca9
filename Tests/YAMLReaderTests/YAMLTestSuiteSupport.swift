import ContsecProtocol
import Foundation
@testable import YAMLReader

/// One case of the YAML test suite (vendored under `Fixtures/yaml-test-suite`, see its `SOURCE.md`).
struct YAMLSuiteCase: Sendable, CustomStringConvertible {
    /// `229Q`, or `2G84/02` for one case of a multi-case id.
    let id: String
    let title: String
    let yaml: [UInt8]
    /// The expected data, one value per document; nil when the case has no `in.json` (valid but not JSON-representable).
    let json: [JSONValue]?
    /// The suite marks the input invalid (an `error` file).
    let invalid: Bool

    var description: String { "\(id) (\(title))" }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/yaml-test-suite")

    static func all() throws -> [YAMLSuiteCase] {
        let fm = FileManager.default
        var out: [YAMLSuiteCase] = []
        for name in try fm.contentsOfDirectory(atPath: directory.path).sorted() {
            let dir = directory.appendingPathComponent(name)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue else { continue }
            if fm.fileExists(atPath: dir.appendingPathComponent("in.yaml").path) {
                out.append(try load(dir, id: name))
            } else {
                for sub in try fm.contentsOfDirectory(atPath: dir.path).sorted() {
                    out.append(try load(dir.appendingPathComponent(sub), id: name + "/" + sub))
                }
            }
        }
        return out
    }

    private static func load(_ dir: URL, id: String) throws -> YAMLSuiteCase {
        let yaml = try Data(contentsOf: dir.appendingPathComponent("in.yaml"))
        let title = (try? String(contentsOf: dir.appendingPathComponent("==="), encoding: .utf8)) ?? ""
        let invalid = FileManager.default.fileExists(atPath: dir.appendingPathComponent("error").path)
        var json: [JSONValue]?
        if let data = try? Data(contentsOf: dir.appendingPathComponent("in.json")) {
            json = try splitJSONStream(Array(data)).map { piece throws in try JSONParser.parse(piece) }
        }
        return YAMLSuiteCase(id: id, title: title.trimmingCharacters(in: .whitespacesAndNewlines),
                             yaml: Array(yaml), json: json, invalid: invalid)
    }

    /// `in.json` holds one JSON value per document, concatenated: cut it at top-level value boundaries.
    static func splitJSONStream(_ b: [UInt8]) throws -> [[UInt8]] {
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var pieces: [[UInt8]] = []
        var i = 0
        while true {
            while i < b.count, isSpace(b[i]) { i += 1 }
            guard i < b.count else { return pieces }
            let start = i
            var depth = 0
            var inString = false
            while i < b.count {
                let c = b[i]
                i += 1
                if inString {
                    if c == backslash { i += 1 } else if c == quote { inString = false; if depth == 0 { break } }
                } else if c == quote {
                    inString = true
                } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                    depth += 1
                } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { break }
                } else if depth == 0, i < b.count, isSpace(b[i]) {
                    break // end of a bare number / true / false / null
                }
            }
            pieces.append(Array(b[start..<i]))
        }
    }
}

/// How a parsed YAML value differs from the suite's JSON, nil when they are the same data.
func difference(_ y: YAMLValue, _ j: JSONValue, at path: String = "$") -> String? {
    switch (y, j) {
    case (.null, .null): return nil
    case let (.bool(a), .bool(b)) where a == b: return nil
    case let (.string(a), .string(b)) where a == b: return nil
    case let (.int(a), .int(b)) where a == b: return nil
    case let (.int(a), .double(b)) where Double(a) == b: return nil
    case let (.double(a), .int(b)) where a == Double(b): return nil
    case let (.double(a), .double(b)) where a == b: return nil
    case let (.array(a), .array(b)):
        guard a.count == b.count else { return "\(path): \(a.count) items, expected \(b.count)" }
        for (k, (x, z)) in zip(a, b).enumerated() { if let d = difference(x, z, at: "\(path)[\(k)]") { return d } }
        return nil
    case let (.object(a), .object(b)):
        let keys = a.map(\.0)
        guard Set(keys) == Set(b.keys), keys.count == b.count else {
            return "\(path): keys \(keys), expected \(b.keys.sorted())"
        }
        for (k, v) in a { if let d = difference(v, b[k]!, at: "\(path).\(k)") { return d } }
        return nil
    default:
        return "\(path): \(y), expected \(j)"
    }
}
