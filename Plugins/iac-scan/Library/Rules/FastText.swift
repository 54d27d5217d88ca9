extension String {
    /// Byte-level substring test. IaCScan avoids `contains(String)`, which resolves to Foundation's
    /// bridged search through transitive imports and dominated scan profiles.
    func has(_ needle: String) -> Bool {
        var hay = self
        var pat = needle
        return hay.withUTF8 { h in
            pat.withUTF8 { n in
                guard !n.isEmpty else { return true }
                guard h.count >= n.count else { return false }
                let first = n[0]
                var k = 0
                let last = h.count - n.count
                while k <= last {
                    if h[k] == first {
                        var j = 1
                        while j < n.count, h[k + j] == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    k += 1
                }
                return false
            }
        }
    }

    /// True when the text contains the ASCII byte `c`.
    func hasByte(_ c: Character) -> Bool {
        let b = c.asciiValue!
        return utf8.contains(b)
    }
}
