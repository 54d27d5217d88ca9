/// Inline suppressions: `# contsec:ignore CS-DF-003[,CS-DF-004] reason` silences those rules on the
/// same line and on the line after the comment. `# contsec:ignore-file CS-DF-016 reason` silences a
/// rule in the whole file. Works for Dockerfile and YAML alike (both use `#` comments).
public struct Suppressions: Sendable {
    var byLine: [Int: Set<String>] = [:]
    var fileWide: Set<String> = []

    public static let none = Suppressions()

    public init() {}

    public init(bytes: [UInt8]) {
        let marker = Array("contsec:ignore".utf8)
        guard bytes.count >= marker.count else { return }
        var line = 1
        var lineStart = 0
        var sawHash = false
        var k = 0
        let n = bytes.count
        while k < n {
            let c = bytes[k]
            if c == 0x0A { line += 1; lineStart = k + 1; sawHash = false; k += 1; continue }
            if c == UInt8(ascii: "#") { sawHash = true }
            if sawHash, c == marker[0], k + marker.count <= n, bytes[k..<(k + marker.count)].elementsEqual(marker) {
                var e = k + marker.count
                var fileScope = false
                let suffix = Array("-file".utf8)
                if e + suffix.count <= n, bytes[e..<(e + suffix.count)].elementsEqual(suffix) { fileScope = true; e += suffix.count }
                var lineEnd = e
                while lineEnd < n, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                let ids = Suppressions.ruleIds(String(decoding: bytes[e..<lineEnd], as: UTF8.self))
                if fileScope { fileWide.formUnion(ids) } else {
                    byLine[line, default: []].formUnion(ids)
                    byLine[line + 1, default: []].formUnion(ids)
                }
                k = lineEnd
                continue
            }
            _ = lineStart
            k += 1
        }
    }

    /// The `CS-XX-nnn` words of the comment; the rest is the reason.
    static func ruleIds(_ text: String) -> Set<String> {
        var ids = Set<String>()
        for w in text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\t" }) {
            let s = w.uppercased()
            if s.hasPrefix("CS-"), s.split(separator: "-").count == 3 { ids.insert(s) }
        }
        return ids
    }

    public func isSuppressed(_ ruleId: String, line: Int?) -> Bool {
        if fileWide.contains(ruleId) { return true }
        guard let line, let ids = byLine[line] else { return false }
        return ids.contains(ruleId)
    }
}
