import Foundation

/// Writes the Prometheus text exposition format (version 0.0.4): per metric family one `# HELP` and one `# TYPE`
/// line followed by all its samples, label values escaped (`\\`, `\"`, `\n`), `\n` line ends.
public struct Exposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    public enum Kind: String { case counter, gauge }

    public private(set) var text = ""

    public init() { text.reserveCapacity(64 * 1024) }

    /// Starts a family. Call `sample` for its series right after.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            var first = true
            for (k, v) in labels {
                if !first { text += "," }
                first = false
                text += k
                text += "=\""
                text += Self.escapeLabel(v)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += Self.format(value)
        text += "\n"
    }

    static func escapeLabel(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return s }
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(ch)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction; NaN and infinities as Prometheus spells them.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// A Prometheus label name from any text: `[a-zA-Z0-9_]`, not starting with a digit (as cAdvisor sanitizes
    /// Docker labels into `container_label_*`).
    public static func labelName(_ s: String) -> String {
        var out = String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        if let f = out.first, f.isNumber { out = "_" + out }
        return out
    }
}
