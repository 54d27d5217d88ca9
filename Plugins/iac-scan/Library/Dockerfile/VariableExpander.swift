/// Dockerfile variable substitution: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:+alt}`, `${VAR+alt}`. The escape character before `$` keeps it literal.
public enum VariableExpander {
    /// Returns the expanded text and whether some variable had no value.
    public static func expand(_ text: String, _ vars: [String: String], escape: UInt8 = UInt8(ascii: "\\"), depth: Int = 0) -> (String, Bool) {
        let u = Array(text.utf8)
        guard u.contains(UInt8(ascii: "$")) else { return (text, false) }
        var out: [UInt8] = []
        var unresolved = false
        var k = 0
        func isNameChar(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
        }
        while k < u.count {
            let c = u[k]
            if c == escape, k + 1 < u.count, u[k + 1] == UInt8(ascii: "$") { out.append(u[k + 1]); k += 2; continue }
            guard c == UInt8(ascii: "$"), k + 1 < u.count else { out.append(c); k += 1; continue }
            if u[k + 1] == UInt8(ascii: "{") {
                guard let close = u[(k + 2)...].firstIndex(of: UInt8(ascii: "}")) else { out.append(c); k += 1; continue }
                let inner = Array(u[(k + 2)..<close])
                var n = 0
                while n < inner.count, isNameChar(inner[n]) { n += 1 }
                let name = String(decoding: inner[0..<n], as: UTF8.self)
                let op = String(decoding: inner[n...], as: UTF8.self)
                let value = vars[name]
                var result: String
                if op.hasPrefix(":-") { result = (value?.isEmpty ?? true) ? String(op.dropFirst(2)) : value! }
                else if op.hasPrefix("-") { result = value ?? String(op.dropFirst(1)) }
                else if op.hasPrefix(":+") { result = (value?.isEmpty ?? true) ? "" : String(op.dropFirst(2)) }
                else if op.hasPrefix("+") { result = value == nil ? "" : String(op.dropFirst(1)) }
                else {
                    result = value ?? ""
                    if value == nil { unresolved = true }
                }
                // Nested defaults are expanded a few levels deep, no more (hostile input cannot recurse forever).
                if (op.hasPrefix(":-") || op.hasPrefix("-")) && value == nil && result.hasByte("$") && depth < 8 {
                    let inner = expand(result, vars, escape: escape, depth: depth + 1)
                    result = inner.0
                    unresolved = unresolved || inner.1
                }
                out.append(contentsOf: Array(result.utf8))
                k = close + 1
                continue
            }
            var e = k + 1
            while e < u.count, isNameChar(u[e]) { e += 1 }
            if e == k + 1 { out.append(c); k += 1; continue }
            let name = String(decoding: u[(k + 1)..<e], as: UTF8.self)
            if let v = vars[name] { out.append(contentsOf: Array(v.utf8)) } else { unresolved = true }
            k = e
        }
        return (String(decoding: out, as: UTF8.self), unresolved)
    }
}
