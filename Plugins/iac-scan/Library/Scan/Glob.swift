/// gitignore-style patterns: `*` and `?` stay inside one path segment, `**` spans segments, a
/// trailing `/` matches directories only, a pattern without `/` matches a name at any depth,
/// a leading `/` (or any inner `/`) anchors it to the scanned root, a leading `!` re-includes.
public struct GlobPattern: Sendable {
    let segments: [[UInt8]]
    let anchored: Bool
    public let directoryOnly: Bool
    public let negated: Bool

    public init?(_ text: String) {
        var p = text.trimmingSpaces
        if p.isEmpty || p.hasPrefix("#") { return nil }
        var neg = false
        if p.hasPrefix("!") { neg = true; p.removeFirst() }
        if p.hasPrefix("\\") { p.removeFirst() }
        var dirOnly = false
        if p.hasSuffix("/") { dirOnly = true; while p.hasSuffix("/") { p.removeLast() } }
        if p.hasPrefix("./") { p.removeFirst(2) }
        var anchored = p.hasByte("/")
        if p.hasPrefix("/") { p.removeFirst(); anchored = true }
        if p.isEmpty { return nil }
        if p.hasPrefix("**/") { anchored = true }
        segments = p.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
        self.anchored = anchored
        directoryOnly = dirOnly
        negated = neg
    }

    /// `path` is relative to the scan root, `/`-separated.
    public func matches(_ path: String, isDirectory: Bool) -> Bool {
        if directoryOnly && !isDirectory { return false }
        let parts = path.split(separator: "/").map { Array($0.utf8) }
        if !anchored {
            guard let last = parts.last, segments.count == 1 else { return false }
            return GlobPattern.matchSegment(segments[0][...], last[...])
        }
        return GlobPattern.matchPath(segments[...], parts[...])
    }

    static func matchPath(_ pat: ArraySlice<[UInt8]>, _ parts: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pat.first else { return parts.isEmpty }
        if first == Array("**".utf8) {
            let rest = pat.dropFirst()
            if rest.isEmpty { return true }
            var k = parts.startIndex
            while k <= parts.endIndex {
                if matchPath(rest, parts[k...]) { return true }
                k += 1
            }
            return false
        }
        guard let p = parts.first, matchSegment(first[...], p[...]) else { return false }
        return matchPath(pat.dropFirst(), parts.dropFirst())
    }

    /// `*`, `?` and `[abc]` classes inside one segment.
    static func matchSegment(_ pat: ArraySlice<UInt8>, _ s: ArraySlice<UInt8>) -> Bool {
        var pi = pat.startIndex, si = s.startIndex
        var starP = -1, starS = -1
        while si < s.endIndex {
            if pi < pat.endIndex {
                let c = pat[pi]
                if c == UInt8(ascii: "*") { starP = pi; starS = si; pi += 1; continue }
                if c == UInt8(ascii: "?") { pi += 1; si += 1; continue }
                if c == UInt8(ascii: "["), let close = pat[(pi + 1)...].firstIndex(of: UInt8(ascii: "]")) {
                    var set = pat[(pi + 1)..<close]
                    var negate = false
                    if set.first == UInt8(ascii: "!") || set.first == UInt8(ascii: "^") { negate = true; set = set.dropFirst() }
                    if set.contains(s[si]) != negate { pi = close + 1; si += 1; continue }
                } else if c == s[si] { pi += 1; si += 1; continue }
            }
            if starP >= 0 { pi = starP + 1; starS += 1; si = starS; continue }
            return false
        }
        while pi < pat.endIndex, pat[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == pat.endIndex
    }
}

/// An ordered list of patterns; the last matching pattern decides (gitignore semantics).
public struct IgnoreRules: Sendable {
    public var patterns: [GlobPattern] = []

    public init(_ lines: [String] = []) {
        patterns = lines.compactMap(GlobPattern.init)
    }

    public mutating func add(_ lines: [String]) {
        patterns.append(contentsOf: lines.compactMap(GlobPattern.init))
    }

    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        var ignored = false
        for p in patterns where p.matches(path, isDirectory: isDirectory) { ignored = !p.negated }
        return ignored
    }
}
