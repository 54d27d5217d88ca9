// Byte constants used across the parser files.
let SP: UInt8 = 0x20, TAB: UInt8 = 0x09, LF: UInt8 = 0x0A, CR: UInt8 = 0x0D
let HASH = UInt8(ascii: "#"), COLON = UInt8(ascii: ":"), DASH = UInt8(ascii: "-"), DOT = UInt8(ascii: ".")
let QMARK = UInt8(ascii: "?"), AMP = UInt8(ascii: "&"), STAR = UInt8(ascii: "*"), BANG = UInt8(ascii: "!")
let PIPE = UInt8(ascii: "|"), GT = UInt8(ascii: ">"), SQUOTE = UInt8(ascii: "'"), DQUOTE = UInt8(ascii: "\"")
let LBRACKET = UInt8(ascii: "["), RBRACKET = UInt8(ascii: "]"), LBRACE = UInt8(ascii: "{"), RBRACE = UInt8(ascii: "}")
let COMMA = UInt8(ascii: ","), PERCENT = UInt8(ascii: "%"), BACKSLASH = UInt8(ascii: "\\")

@inline(__always) func isFlowIndicator(_ c: UInt8) -> Bool {
    c == COMMA || c == LBRACKET || c == RBRACKET || c == LBRACE || c == RBRACE
}

/// Recursive-descent YAML parser over a byte buffer. Block structure is decided by columns;
/// `parentIndent` is the column (0-based) of the collection that owns the node being parsed
/// (-1 for a document's root).
struct YAMLParser {
    var b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    var anchors: [String: YAMLNode] = [:]
    /// Tag handles declared by `%TAG` for the current document (`!e!` → `tag:example.com,2000:`).
    var tagHandles: [String: String] = [:]
    /// Current nesting depth; bounded so hostile input cannot exhaust the stack.
    var depth = 0
    static let maxDepth = 200
    /// Nodes the document stands for once every alias is expanded, and each anchor's share of them. Aliases share
    /// storage here, but whoever walks the tree (rules, the workflow reader) walks the expansion: a "billion laughs"
    /// of 700 bytes would cost gigabytes. The budget is far above what real compose files and manifests reach,
    /// as libyaml-based tools cap alias expansion too.
    var expandedNodes = 0
    var anchorStart: [String: Int] = [:]
    var anchorSize: [String: Int] = [:]
    /// Nodes added by alias expansion alone, and their cap.
    var aliasNodes = 0
    static let maxAliasNodes = 200_000

    init(bytes: [UInt8]) {
        var bytes = bytes
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { bytes.removeFirst(3) }
        if bytes.contains(CR) {
            // CRLF and lone CR become LF so that every later step only knows one line break.
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            var k = 0
            while k < bytes.count {
                if bytes[k] == CR {
                    out.append(LF)
                    if k + 1 < bytes.count, bytes[k + 1] == LF { k += 1 }
                } else {
                    out.append(bytes[k])
                }
                k += 1
            }
            bytes = out
        }
        b = bytes
    }

    // MARK: - Low-level cursor

    var col: Int { i - lineStart }
    var atEnd: Bool { i >= b.count }

    @inline(__always) func peek(_ o: Int = 0) -> UInt8 {
        let j = i + o
        return j < b.count ? b[j] : 0
    }

    /// Space, tab, line break or end of input: what must follow `-`, `?` and `:` indicators.
    @inline(__always) func isBlankOrEnd(_ o: Int) -> Bool {
        let j = i + o
        if j >= b.count { return true }
        let c = b[j]
        return c == SP || c == TAB || c == LF
    }

    func error(_ message: String) -> YAMLError {
        YAMLError(line: line, column: col + 1, message: message)
    }

    /// Valid YAML this reader refuses rather than read as something else.
    func unsupported(_ message: String) -> YAMLError {
        YAMLError(line: line, column: col + 1, message: message, unsupported: true)
    }

    mutating func skipSpaces() {
        while i < b.count, b[i] == SP || b[i] == TAB { i += 1 }
    }

    mutating func consumeNewline() {
        i += 1
        line += 1
        lineStart = i
    }

    mutating func skipToLineEnd() {
        while i < b.count, b[i] != LF { i += 1 }
    }

    func isDocMarker() -> Bool {
        guard col == 0 else { return false }
        return isDocMarkerAt(i)
    }

    func isDocMarkerAt(_ p: Int) -> Bool {
        guard p + 2 < b.count else { return false }
        let c = b[p]
        guard c == DASH || c == DOT, b[p + 1] == c, b[p + 2] == c else { return false }
        return p + 3 >= b.count || b[p + 3] == SP || b[p + 3] == TAB || b[p + 3] == LF
    }

    func isDocStart() -> Bool { isDocMarker() && b[i] == DASH }
    func isDocEnd() -> Bool { isDocMarker() && b[i] == DOT }

    /// Leading spaces of the current line. Tabs never count: YAML indentation is spaces only.
    func indentOfCurrentLine() -> Int {
        var k = lineStart
        while k < b.count, b[k] == SP { k += 1 }
        return k - lineStart
    }

    /// True when only spaces and tabs precede the cursor on its line.
    func atLineIndent() -> Bool {
        var k = lineStart
        while k < i { if b[k] != SP && b[k] != TAB { return false }; k += 1 }
        return true
    }

    /// True when a tab sits in the white space just before the cursor: a block collection starting here would
    /// take its indentation from a tab, which YAML forbids.
    func tabBeforeCursor() -> Bool { tabBefore(i) }

    func tabBefore(_ p: Int) -> Bool {
        var k = p - 1
        while k >= lineStart, b[k] == SP || b[k] == TAB {
            if b[k] == TAB { return true }
            k -= 1
        }
        return false
    }

    func tabIndentationError() -> YAMLError {
        error("tab character used for indentation; YAML allows only spaces here")
    }

    /// Skips empty and comment-only lines (tabs are white space there); stops on the first content byte of a
    /// line. False at end of input.
    mutating func skipBlankLines() -> Bool {
        while true {
            if i >= b.count { return false }
            if b[i] == LF { consumeNewline(); continue }
            skipSpaces()
            if i >= b.count { return false }
            if b[i] == LF { continue }
            if b[i] == HASH { skipToLineEnd(); continue }
            return true
        }
    }

    /// After a node: the rest of the line may hold only white space and a comment. Moves to the next
    /// content line. False at end of input.
    mutating func nextContentLine() throws(YAMLError) -> Bool {
        if atLineIndent() { return skipBlankLines() }
        skipSpaces()
        if i < b.count, b[i] == HASH {
            if b[i - 1] != SP, b[i - 1] != TAB { throw error("a comment needs white space before '#'") }
            skipToLineEnd()
        }
        if i < b.count, b[i] != LF {
            throw error("unexpected '\(String(decoding: [b[i]], as: UTF8.self))' after a complete value; quote the whole value if it belongs to it")
        }
        return skipBlankLines()
    }

    /// Enters one nesting level (nodes and flow collections).
    mutating func enter() throws(YAMLError) {
        depth += 1
        if depth > YAMLParser.maxDepth { throw error("nesting deeper than \(YAMLParser.maxDepth) levels") }
    }

    // MARK: - Stream, directives and documents

    mutating func parseStream() throws(YAMLError) -> [YAMLNode] {
        var docs: [YAMLNode] = []
        // Directives may open the stream or follow a `...`; they apply to the next document only.
        var directivesAllowed = true
        var directiveLine: Int? = nil
        var sawYAMLDirective = false
        while true {
            guard skipBlankLines() else { break }
            if col == 0, b[i] == PERCENT {
                guard directivesAllowed else {
                    throw error("a directive ('%...') inside a document; end the document with '...' before the next directive")
                }
                if directiveLine == nil { directiveLine = line }
                try parseDirective(&sawYAMLDirective)
                continue
            }
            if isDocEnd() {
                if directiveLine != nil { throw error("directives must be followed by a document that starts with '---'") }
                i += 3
                _ = try nextContentLine()
                directivesAllowed = true
                continue
            }
            let explicitStart = isDocStart()
            if directiveLine != nil, !explicitStart {
                throw error("directives must be followed by a document that starts with '---'")
            }
            if explicitStart { i += 3 }
            directiveLine = nil
            sawYAMLDirective = false
            directivesAllowed = false
            anchors = [:]
            let root = try parseNode(parentIndent: -1, ctx: explicitStart ? .documentStartLine : .document)
            docs.append(root)
            tagHandles = [:]
            guard try nextContentLine() else { break }
            if isDocStart() || isDocEnd() { continue }
            throw error("unexpected content after the end of the document (a second top-level node needs a '---' separator, or fix the indentation)")
        }
        if let l = directiveLine {
            throw YAMLError(line: l, column: 1, message: "directives at the end of the stream with no document after them")
        }
        return docs
    }

    /// `%YAML 1.x` and `%TAG !handle! prefix`; other directives are reserved and ignored, as the spec asks.
    mutating func parseDirective(_ sawYAML: inout Bool) throws(YAMLError) {
        i += 1
        let nameStart = i
        while i < b.count, b[i] != SP, b[i] != TAB, b[i] != LF { i += 1 }
        let name = String(decoding: b[nameStart..<i], as: UTF8.self)
        var params: [String] = []
        while true {
            let before = i
            skipSpaces()
            if i >= b.count || b[i] == LF { break }
            if b[i] == HASH {
                if i == before { throw error("a comment needs white space before '#'") }
                skipToLineEnd()
                break
            }
            if i == before { throw error("directive parameters must be separated by white space") }
            let s = i
            while i < b.count, b[i] != SP, b[i] != TAB, b[i] != LF { i += 1 }
            params.append(String(decoding: b[s..<i], as: UTF8.self))
        }
        switch name {
        case "YAML":
            if sawYAML { throw error("a second %YAML directive for the same document") }
            sawYAML = true
            guard params.count == 1 else { throw error("%YAML takes one version number, for example '%YAML 1.2'") }
            let parts = params[0].split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 2, let major = Int(parts[0]), Int(parts[1]) != nil else {
                throw error("invalid YAML version '\(params[0])' (expected for example '1.2')")
            }
            if major != 1 { throw unsupported("YAML version \(params[0]) is not supported (this reader reads YAML 1.x)") }
        case "TAG":
            guard params.count == 2, params[0].hasPrefix("!"), params[0].hasSuffix("!") else {
                throw error("%TAG takes a handle ('!', '!!' or '!name!') and a prefix")
            }
            tagHandles[params[0]] = params[1]
        default:
            break
        }
    }
}
