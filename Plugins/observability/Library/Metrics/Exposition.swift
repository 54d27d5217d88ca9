import Foundation

/// Writes the Prometheus text exposition format (version 0.0.4): per metric family one `# HELP` and one `# TYPE`
/// line followed by all its samples, label values escaped (`\\`, `\"`, `\n`), `\n` line ends.
public struct Exposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    public enum Kind: String { case counter, gauge }

    /// The exposition, UTF-8. Built as bytes: a scrape of 50 containers is about 1,300 lines.
    public private(set) var bytes: [UInt8] = []
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    public init() { bytes.reserveCapacity(256 * 1024) }

    /// Starts a family. Call `sample` for its series right after.
    public mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        bytes += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n".utf8
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
        sample(name, labels, [], value)
    }

    /// `extra` labels follow `labels` (saves building a joined array per series).
    public mutating func sample(_ name: String, _ labels: [(String, String)], _ extra: [(String, String)], _ value: Double) {
        Self.append(name, to: &bytes)
        if !labels.isEmpty || !extra.isEmpty {
            bytes.append(UInt8(ascii: "{"))
            for (i, (k, v)) in labels.enumerated() { label(k, v, first: i == 0) }
            for (i, (k, v)) in extra.enumerated() { label(k, v, first: i == 0 && labels.isEmpty) }
            bytes.append(UInt8(ascii: "}"))
        }
        bytes.append(UInt8(ascii: " "))
        Self.append(Self.format(value), to: &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    private mutating func label(_ k: String, _ v: String, first: Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        Self.append(k, to: &bytes)
        bytes.append(UInt8(ascii: "="))
        bytes.append(UInt8(ascii: "\""))
        Self.appendEscapedLabel(v, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a string's UTF-8 in one copy.
    static func append(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    /// Label values escape `\\`, `\"` and newline.
    static func appendEscapedLabel(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { u in
            guard u.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) else { out.append(contentsOf: u); return }
            for b in u {
                switch b {
                case 0x5C: out += [0x5C, 0x5C]
                case 0x22: out += [0x5C, 0x22]
                case 0x0A: out += [0x5C, UInt8(ascii: "n")]
                default: out.append(b)
                }
            }
        }
    }

    static func escapeLabel(_ s: String) -> String {
        var out: [UInt8] = []
        appendEscapedLabel(s, to: &out)
        return String(decoding: out, as: UTF8.self)
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
