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
/// `parentIndent` is the column (0-based) of the collection that owns the node being parsed.
struct YAMLParser {
    enum Context { case document, mappingValue, sequenceItem }

    struct Props {
        var anchor: String?
        var tag: String?
        var isEmpty: Bool { anchor == nil && tag == nil }
    }

    var b: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    var anchors: [String: YAMLNode] = [:]
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
        guard col == 0, i + 2 < b.count else { return false }
        let c = b[i]
        guard (c == DASH || c == DOT), b[i + 1] == c, b[i + 2] == c else { return false }
        return isBlankOrEnd(3)
    }

    func isDocStart() -> Bool { isDocMarker() && b[i] == DASH }
    func isDocEnd() -> Bool { isDocMarker() && b[i] == DOT }

    /// True when only spaces precede the cursor on its line.
    func atLineIndent() -> Bool {
        var k = lineStart
        while k < i { if b[k] != SP { return false }; k += 1 }
        return true
    }

    /// Skips empty and comment-only lines; stops on the first content byte of a line. False at end.
    mutating func skipBlankLines() throws(YAMLError) -> Bool {
        while true {
            if i >= b.count { return false }
            if b[i] == LF { consumeNewline(); continue }
            while i < b.count, b[i] == SP { i += 1 }
            if i < b.count, b[i] == TAB {
                var j = i
                while j < b.count, b[j] == SP || b[j] == TAB { j += 1 }
                if j >= b.count || b[j] == LF || b[j] == HASH { i = j; skipToLineEnd(); continue }
                if atLineIndent() {
                    throw error("tab character used for indentation; YAML allows only spaces here")
                }
                i = j
            }
            if i >= b.count { return false }
            if b[i] == LF { continue }
            if b[i] == HASH { skipToLineEnd(); continue }
            return true
        }
    }

    /// After a node: the rest of the line may hold only spaces and a comment. Moves to the next
    /// content line. False at end of input.
    mutating func nextContentLine() throws(YAMLError) -> Bool {
        if atLineIndent() { return try skipBlankLines() }
        skipSpaces()
        if i < b.count, b[i] == HASH { skipToLineEnd() }
        if i < b.count, b[i] != LF {
            throw error("unexpected '\(String(decoding: [b[i]], as: UTF8.self))' after a complete value; quote the whole value if it belongs to it")
        }
        return try skipBlankLines()
    }

    // MARK: - Stream and documents

    mutating func parseStream() throws(YAMLError) -> [YAMLNode] {
        var docs: [YAMLNode] = []
        while true {
            guard try skipBlankLines() else { break }
            if col == 0, b[i] == PERCENT { skipToLineEnd(); continue }
            if isDocEnd() {
                i += 3
                _ = try nextContentLine()
                continue
            }
            let explicitStart = isDocStart()
            if explicitStart { i += 3 }
            anchors = [:]
            let root = try parseNode(parentIndent: -1, ctx: .document)
            docs.append(root)
            guard try nextContentLine() else { break }
            if isDocStart() || isDocEnd() { continue }
            throw error("unexpected content after the end of the document (a second top-level node needs a '---' separator, or fix the indentation)")
        }
        return docs
    }

    // MARK: - Nodes

    mutating func parseProperties(_ p: inout Props) throws(YAMLError) {
        while i < b.count {
            if b[i] == AMP {
                i += 1
                let name = scanAnchorName()
                if name.isEmpty { throw error("anchor '&' needs a name") }
                p.anchor = name
                anchorStart[name] = expandedNodes
                skipSpaces()
            } else if b[i] == BANG {
                let s = i
                while i < b.count, b[i] != SP, b[i] != TAB, b[i] != LF { i += 1 }
                p.tag = String(decoding: b[s..<i], as: UTF8.self)
                skipSpaces()
            } else {
                break
            }
        }
    }

    mutating func scanAnchorName() -> String {
        let s = i
        while i < b.count {
            let c = b[i]
            if c == SP || c == TAB || c == LF || isFlowIndicator(c) { break }
            i += 1
        }
        return String(decoding: b[s..<i], as: UTF8.self)
    }

    /// Attaches tag/anchor and registers the anchor for later aliases.
    mutating func finish(_ node: YAMLNode, _ p: Props) -> YAMLNode {
        expandedNodes += 1
        if p.isEmpty { return node }
        var n = node
        if let t = p.tag { n.tag = t }
        if let a = p.anchor {
            n.anchor = a
            anchors[a] = n
            anchorSize[a] = max(1, expandedNodes - (anchorStart[a] ?? expandedNodes - 1))
        }
        return n
    }

    /// Parses the node that follows `key:`, `- `, `---` or starts a document.
    mutating func enter() throws(YAMLError) {
        depth += 1
        if depth > YAMLParser.maxDepth { throw error("nesting deeper than \(YAMLParser.maxDepth) levels") }
    }

    mutating func parseNode(parentIndent n: Int, ctx: Context) throws(YAMLError) -> YAMLNode {
        try enter()
        defer { depth -= 1 }
        skipSpaces()
        let startLine = line, startCol = col + 1
        var props = Props()
        try parseProperties(&props)
        if i < b.count, b[i] != LF, b[i] != HASH {
            if ctx == .mappingValue { return try parseInlineValue(parentIndent: n, props: props) }
            return try parseBlockContent(indent: col, parentIndent: n, props: props, propsOnKeyLine: !props.isEmpty)
        }
        // Nothing more on this line: the node, if any, starts on a later line.
        skipToLineEnd()
        guard try skipBlankLines(), !isDocMarker() else {
            return finish(.null(line: startLine, column: startCol), props)
        }
        let c = col
        if c > n {
            // Properties may sit on their own line above the node (`key:\n  &anchor\n  a: 1`).
            if b[i] == AMP || b[i] == BANG {
                var more = props
                try parseProperties(&more)
                if i < b.count, b[i] != LF, b[i] != HASH {
                    return try parseBlockContent(indent: c, parentIndent: n, props: more, propsOnKeyLine: true)
                }
                skipToLineEnd()
                guard try skipBlankLines(), !isDocMarker(), col > n else {
                    return finish(.null(line: startLine, column: startCol), more)
                }
                return try parseBlockContent(indent: col, parentIndent: n, props: more, propsOnKeyLine: false)
            }
            return try parseBlockContent(indent: c, parentIndent: n, props: props, propsOnKeyLine: false)
        }
        if c == n, ctx == .mappingValue, b[i] == DASH, isBlankOrEnd(1) {
            return try parseBlockSequence(indent: c, props: props, atParentIndent: true)
        }
        return finish(.null(line: startLine, column: startCol), props)
    }

    /// A node that starts a block at column `indent`: a sequence, a mapping, or a single value.
    mutating func parseBlockContent(indent c: Int, parentIndent n: Int, props: Props, propsOnKeyLine: Bool) throws(YAMLError) -> YAMLNode {
        let ch = b[i]
        let l = line, cl = col + 1
        switch ch {
        case DASH where isBlankOrEnd(1):
            return try parseBlockSequence(indent: c, props: props, atParentIndent: false)
        case QMARK where isBlankOrEnd(1):
            throw error("complex mapping keys ('? ') are not supported; use a plain or quoted key")
        case PIPE, GT:
            return finish(try parseBlockScalar(parentIndent: n), props)
        case LBRACKET, LBRACE:
            let node = try parseFlowCollection()
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                throw error("flow collections as mapping keys are not supported")
            }
            return finish(node, props)
        case STAR:
            let node = try parseAlias()
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                throw error("aliases as mapping keys are not supported")
            }
            return node
        case SQUOTE, DQUOTE:
            let node = ch == SQUOTE ? try parseSingleQuoted() : try parseDoubleQuoted()
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                let key = propsOnKeyLine ? finish(node, props) : node
                return try parseBlockMapping(indent: c, firstKey: key, props: propsOnKeyLine ? Props() : props, line: l, column: cl)
            }
            return finish(node, props)
        default:
            try checkPlainStart()
            let (text, atColon) = scanPlainLine(flow: false)
            if atColon {
                let keyNode = YAMLNode(.scalar(text, .plain), line: l, column: cl)
                let key = propsOnKeyLine ? finish(keyNode, props) : keyNode
                return try parseBlockMapping(indent: c, firstKey: key, props: propsOnKeyLine ? Props() : props, line: l, column: cl)
            }
            let full = try continuePlain(text, parentIndent: n)
            return finish(YAMLNode(.scalar(full, .plain), line: l, column: cl), props)
        }
    }

    /// The value on the same line as its `key:`: no block collection may start here.
    mutating func parseInlineValue(parentIndent n: Int, props: Props) throws(YAMLError) -> YAMLNode {
        let ch = b[i]
        let l = line, cl = col + 1
        switch ch {
        case PIPE, GT:
            return finish(try parseBlockScalar(parentIndent: n), props)
        case LBRACKET, LBRACE:
            return finish(try parseFlowCollection(), props)
        case STAR:
            return try parseAlias()
        case SQUOTE, DQUOTE:
            let node = ch == SQUOTE ? try parseSingleQuoted() : try parseDoubleQuoted()
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) { throw error("mapping values are not allowed here") }
            return finish(node, props)
        case DASH where isBlankOrEnd(1):
            throw error("a block sequence cannot start on the same line as its key; put '- item' on the next line")
        case QMARK where isBlankOrEnd(1):
            throw error("complex mapping keys ('? ') are not supported")
        default:
            try checkPlainStart()
            let (text, atColon) = scanPlainLine(flow: false)
            if atColon { throw error("mapping values are not allowed here (quote the value if it contains ': ')") }
            let full = try continuePlain(text, parentIndent: n)
            return finish(YAMLNode(.scalar(full, .plain), line: l, column: cl), props)
        }
    }

    mutating func parseBlockMapping(indent c: Int, firstKey: YAMLNode, props: Props, line l: Int, column cl: Int) throws(YAMLError) -> YAMLNode {
        var pairs: [YAMLPair] = []
        var merges: [YAMLNode] = []
        var seenKeys: [String: Int] = [:]
        var key = firstKey
        while true {
            i += 1 // the ':'
            let value = try parseNode(parentIndent: c, ctx: .mappingValue)
            if key.scalar == "<<", key.style == .plain, key.tag == nil {
                merges.append(value)
            } else {
                try checkDuplicate(key, &seenKeys)
                pairs.append(YAMLPair(key: key, value: value))
            }
            guard try nextContentLine(), !isDocMarker() else { break }
            let cc = col
            if cc < c { break }
            if cc > c {
                throw error("bad indentation of a mapping entry (expected column \(c + 1) like the keys above, found column \(cc + 1))")
            }
            if b[i] == DASH, isBlankOrEnd(1) {
                throw error("expected a mapping key at this indentation, found a sequence entry '- '")
            }
            key = try parseMappingKey()
        }
        let merged = try applyMerges(pairs, merges)
        return finish(YAMLNode(.mapping(merged), line: l, column: cl), props)
    }

    /// Duplicate keys are an error, as in the YAML 1.2 spec and the Go parsers Kubernetes and Compose use:
    /// a scanner that kept the first value while the cluster kept the last would be trivially evaded.
    func checkDuplicate(_ key: YAMLNode, _ seen: inout [String: Int]) throws(YAMLError) {
        guard let k = key.scalar else { return }
        if let first = seen[k] {
            throw YAMLError(line: key.line, column: key.column, message: "duplicate mapping key '\(k)' (first defined at line \(first))")
        }
        seen[k] = key.line
    }

    mutating func parseMappingKey() throws(YAMLError) -> YAMLNode {
        var props = Props()
        try parseProperties(&props)
        let l = line, cl = col + 1
        let ch = peek()
        var key: YAMLNode
        switch ch {
        case SQUOTE, DQUOTE:
            key = ch == SQUOTE ? try parseSingleQuoted() : try parseDoubleQuoted()
            skipSpaces()
            guard i < b.count, b[i] == COLON, isBlankOrEnd(1) else {
                throw error("could not find expected ':' after the quoted key")
            }
        case QMARK where isBlankOrEnd(1):
            throw error("complex mapping keys ('? ') are not supported")
        case LBRACKET, LBRACE, STAR:
            throw error("only plain or quoted scalars are supported as mapping keys")
        default:
            try checkPlainStart()
            let (text, atColon) = scanPlainLine(flow: false)
            guard atColon else {
                throw YAMLError(line: l, column: cl, message: "could not find expected ':' after '\(text)' (a mapping entry is 'key: value')")
            }
            key = YAMLNode(.scalar(text, .plain), line: l, column: cl)
        }
        return finish(key, props)
    }

    mutating func applyMerges(_ pairs: [YAMLPair], _ merges: [YAMLNode]) throws(YAMLError) -> [YAMLPair] {
        if merges.isEmpty { return pairs }
        var out = pairs
        var seen = Set<String>()
        for p in pairs { if let k = p.key.scalar { seen.insert(k) } }
        for m in merges {
            let sources: [YAMLNode]
            switch m.content {
            case .mapping: sources = [m]
            case .sequence(let items): sources = items
            case .scalar:
                throw YAMLError(line: m.line, column: m.column, message: "merge key '<<' needs a mapping or a list of mappings (for example '<<: *base')")
            }
            for src in sources {
                guard src.isMapping else {
                    throw YAMLError(line: src.line, column: src.column, message: "merge key '<<' list items must be mappings")
                }
                for p in src.pairs {
                    let k = p.key.scalar ?? ""
                    if !seen.contains(k) {
                        seen.insert(k)
                        out.append(p)
                    }
                }
            }
        }
        return out
    }

    mutating func parseBlockSequence(indent c: Int, props: Props, atParentIndent: Bool) throws(YAMLError) -> YAMLNode {
        let l = line, cl = col + 1
        var items: [YAMLNode] = []
        while true {
            i += 1 // the '-'
            items.append(try parseNode(parentIndent: c, ctx: .sequenceItem))
            guard try nextContentLine(), !isDocMarker() else { break }
            let cc = col
            if cc < c { break }
            if cc > c {
                throw error("bad indentation of a sequence entry (expected column \(c + 1), found column \(cc + 1))")
            }
            if !(b[i] == DASH && isBlankOrEnd(1)) {
                if atParentIndent { break }
                throw error("expected a sequence entry '- ' at this indentation")
            }
        }
        return finish(YAMLNode(.sequence(items), line: l, column: cl), props)
    }

    mutating func parseAlias() throws(YAMLError) -> YAMLNode {
        let l = line, cl = col + 1
        i += 1
        let name = scanAnchorName()
        if name.isEmpty { throw error("alias '*' needs a name") }
        guard var node = anchors[name] else {
            throw YAMLError(line: l, column: cl, message: "undefined alias '*\(name)' (define it first with '&\(name)')")
        }
        let size = anchorSize[name] ?? 1
        expandedNodes += size
        aliasNodes += size
        if aliasNodes > YAMLParser.maxAliasNodes {
            throw YAMLError(line: l, column: cl, message: "aliases expand to more than \(YAMLParser.maxAliasNodes) nodes "
                            + "(an alias bomb such as \"billion laughs\"?); the document is refused")
        }
        node.line = l
        node.column = cl
        node.anchor = nil
        return node
    }
}
