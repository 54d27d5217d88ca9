/// The one escaping rule for text that came from a plugin or a scanned repository and is shown to people — the
/// terminal table, stderr echo, error lines, the live status line, and the log file: control characters
/// (C0, DEL, C1 such as U+009B CSI) are written as `\n`, `\r`, `\t` or `\xHH`, so a hostile name or message cannot
/// move the cursor, retitle the window, clear the screen or forge a line of the report.
public enum TerminalText {
    /// `text` with its control characters escaped, cut at `limit` bytes (on a character boundary, marked `…[cut]`).
    /// `keepNewlines` lets `\n` through for multi-line text the host composed itself (usage, error lists).
    public static func escaped(_ text: String, limit: Int = .max, keepNewlines: Bool = false) -> String {
        guard limit < Int.max || text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) else { return text }
        var buf: [UInt8] = []
        buf.reserveCapacity(text.utf8.count)
        appendEscaped(text, limit: limit, keepNewlines: keepNewlines, into: &buf)
        return String(decoding: buf, as: UTF8.self)
    }

    /// `escaped`, appended to a byte buffer (the log file builds its lines this way).
    public static func appendEscaped(_ text: String, limit: Int = .max, keepNewlines: Bool = false, into buf: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        func escape(_ v: UInt8) {
            buf.append(contentsOf: [0x5C, UInt8(ascii: "x"), hex[Int(v >> 4)], hex[Int(v & 0xF)]])
        }
        var text = text
        text.withUTF8 { u in
            var i = 0
            while i < u.count {
                let b = u[i]
                if i >= limit && (b & 0xC0) != 0x80 {
                    buf.append(contentsOf: "…[cut]".utf8)
                    return
                }
                switch b {
                case 0x0A where keepNewlines: buf.append(b)
                case 0x0A: buf.append(0x5C); buf.append(UInt8(ascii: "n"))
                case 0x0D: buf.append(0x5C); buf.append(UInt8(ascii: "r"))
                case 0x09: buf.append(0x5C); buf.append(UInt8(ascii: "t"))
                case 0..<0x20, 0x7F: escape(b)
                case 0xC2 where i + 1 < u.count && (0x80..<0xA0).contains(u[i + 1]):
                    escape(u[i + 1])  // a C1 control such as U+009B (CSI)
                    i += 1
                default: buf.append(b)
                }
                i += 1
            }
        }
    }
}
