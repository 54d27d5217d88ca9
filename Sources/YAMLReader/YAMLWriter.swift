/// Writes `YAMLValue` trees as block-style YAML that `YAMLReader` (and any YAML 1.2 reader) reads back to the same
/// values: key order kept, strings quoted exactly when a plain scalar would read as something else.
public enum YAMLWriter {
    /// One document, ending in a newline. Sequences under a key are indented by two spaces, as kubectl writes them.
    public static func document(_ value: YAMLValue) -> String {
        var out = ""
        write(value, indent: 0, into: &out, inline: false)
        return out
    }

    /// Several documents separated by `---` lines.
    public static func documents(_ values: [YAMLValue]) -> String {
        values.map(document).joined(separator: "---\n")
    }

    private static func write(_ value: YAMLValue, indent: Int, into out: inout String, inline: Bool) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let pairs) where !pairs.isEmpty:
            for (i, (key, v)) in pairs.enumerated() {
                if !(inline && i == 0) { out += pad }
                out += scalar(key) + ":"
                writeChild(v, indent: indent + 2, into: &out)
            }
        case .array(let items) where !items.isEmpty:
            for (i, item) in items.enumerated() {
                if !(inline && i == 0) { out += pad }
                out += "- "
                switch item {
                case .object(let p) where !p.isEmpty: write(item, indent: indent + 2, into: &out, inline: true)
                case .array(let a) where !a.isEmpty: write(item, indent: indent + 2, into: &out, inline: true)
                default: out += flow(item) + "\n"
                }
            }
        default:
            if !inline { out += pad }
            out += flow(value) + "\n"
        }
    }

    private static func writeChild(_ v: YAMLValue, indent: Int, into out: inout String) {
        switch v {
        case .object(let p) where !p.isEmpty:
            out += "\n"
            write(v, indent: indent, into: &out, inline: false)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            write(v, indent: indent, into: &out, inline: false)
        default:
            out += " " + flow(v) + "\n"
        }
    }

    /// Scalars and empty collections on one line.
    private static func flow(_ v: YAMLValue) -> String {
        switch v {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return ".nan" }
            if d.isInfinite { return d > 0 ? ".inf" : "-.inf" }
            return "\(d)"
        case .string(let s): return scalar(s)
        case .array: return "[]"
        case .object: return "{}"
        }
    }

    /// A string as a plain scalar when that reads back as the same string, else double-quoted.
    static func scalar(_ s: String) -> String {
        needsQuotes(s) ? quoted(s) : s
    }

    static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return true }
        if case .string = YAMLNode.resolvePlain(s) {} else { return true }
        // YAML 1.1 readers (go-yaml v2, which kubectl used for years) read these as booleans.
        if ["y", "n", "yes", "no", "on", "off"].contains(s.lowercased()) { return true }
        if " \t".unicodeScalars.contains(first) || " \t".unicodeScalars.contains(last) { return true }
        if "-?:,[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) {
            // "-x", "?x", ":x" are plain only when not followed by a space; keep it simple and quote them all.
            return true
        }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return true }
        return s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.value == 0xFEFF }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7F || u.value == 0xFEFF {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
