// Flow collections: [a, b] and {k: v}; line breaks inside are white space. The spec wants every line indented
// more than the block collection that owns the flow collection; like libyaml (and so the Go parsers Kubernetes and
// Compose use) this reader does not insist: `args: [` ... `]` with the bracket under the key is common and loads there.
extension YAMLParser {
    mutating func skipFlowSpace() throws(YAMLError) {
        while i < b.count {
            let c = b[i]
            if c == SP || c == TAB {
                i += 1
            } else if c == LF {
                consumeNewline()
            } else if c == HASH {
                if i > lineStart, b[i - 1] != SP, b[i - 1] != TAB { throw error("a comment needs white space before '#'") }
                skipToLineEnd()
            } else {
                break
            }
        }
    }

    func unterminatedFlow(_ isSeq: Bool, _ l: Int, _ cl: Int) -> YAMLError {
        YAMLError(line: l, column: cl, message: "unterminated \(isSeq ? "flow sequence '['" : "flow mapping '{'") (opened here, never closed)")
    }

    /// `:` as a value indicator inside a flow collection: followed by white space or a flow indicator, or right
    /// after a quoted key (`{"a":1}`, JSON style).
    func isFlowValueIndicator(afterJSONKey: Bool) -> Bool {
        guard i < b.count, b[i] == COLON else { return false }
        return isBlankOrEnd(1) || isFlowIndicator(peek(1)) || afterJSONKey
    }

    mutating func parseFlowCollection() throws(YAMLError) -> YAMLNode {
        try enter()
        defer { depth -= 1 }
        let l = line, cl = col + 1
        let isSeq = b[i] == LBRACKET
        i += 1
        let close = isSeq ? RBRACKET : RBRACE
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var merges: [YAMLNode] = []
        var seenKeys: [String: Int] = [:]
        while true {
            try skipFlowSpace()
            guard i < b.count, !isDocMarker() else { throw unterminatedFlow(isSeq, l, cl) }
            if b[i] == close { i += 1; break }
            if b[i] == COMMA { throw error("unexpected ',' in a flow collection (an empty entry)") }
            let (key, value) = try parseFlowEntry(inSequence: isSeq, openedAt: l)
            if isSeq {
                if let v = value {
                    try checkScalarKey(key)
                    items.append(YAMLNode(.mapping([YAMLPair(key: key, value: v)]), line: key.line, column: key.column))
                } else {
                    items.append(key)
                }
            } else {
                try checkScalarKey(key)
                let v = value ?? .null(line: key.line, column: key.column)
                if key.scalar == "<<", key.style == .plain, key.tag == nil { merges.append(v) } else {
                    try checkDuplicate(key, &seenKeys)
                    pairs.append(YAMLPair(key: key, value: v))
                }
            }
            try skipFlowSpace()
            guard i < b.count, !isDocMarker() else { throw unterminatedFlow(isSeq, l, cl) }
            if b[i] == COMMA { i += 1; continue }
            if b[i] == close { i += 1; break }
            throw error("expected ',' or '\(isSeq ? "]" : "}")' in \(isSeq ? "flow sequence '['" : "flow mapping '{'")")
        }
        if isSeq { return YAMLNode(.sequence(items), line: l, column: cl) }
        return YAMLNode(.mapping(try applyMerges(pairs, merges)), line: l, column: cl)
    }

    /// One entry: a lone node (value nil), or a key and its value (`? k : v`, `k: v`, `: v`).
    mutating func parseFlowEntry(inSequence: Bool, openedAt: Int) throws(YAMLError) -> (YAMLNode, YAMLNode?) {
        let l = line, cl = col + 1
        var explicit = false
        if b[i] == QMARK, isBlankOrEnd(1) || isFlowIndicator(peek(1)) {
            explicit = true
            i += 1
            try skipFlowSpace()
        }
        var key: YAMLNode
        if i < b.count, b[i] == COMMA || b[i] == RBRACKET || b[i] == RBRACE || isFlowValueIndicator(afterJSONKey: false) {
            key = .null(line: l, column: cl)
        } else {
            key = try parseFlowNode()
        }
        let jsonLike = key.style == .singleQuoted || key.style == .doubleQuoted || key.scalar == nil
        try skipFlowSpace()
        guard isFlowValueIndicator(afterJSONKey: jsonLike) else {
            return (key, explicit ? .null(line: key.line, column: key.column) : nil)
        }
        if inSequence, !explicit, line != key.line {
            throw error("an implicit key inside a flow sequence must be on a single line (is the '[' opened at line \(openedAt) closed?)")
        }
        i += 1
        try skipFlowSpace()
        guard i < b.count else { throw error("unexpected end of input inside a flow collection") }
        if b[i] == COMMA || b[i] == RBRACKET || b[i] == RBRACE {
            return (key, .null(line: line, column: col + 1))
        }
        return (key, try parseFlowNode())
    }

    mutating func parseFlowNode() throws(YAMLError) -> YAMLNode {
        var props = Props()
        try parseProperties(&props, flow: true)
        try skipFlowSpace()
        let l = line, cl = col + 1
        guard i < b.count else { throw error("unexpected end of input inside a flow collection") }
        let c = b[i]
        switch c {
        case LBRACKET, LBRACE: return finish(try parseFlowCollection(), props)
        case SQUOTE: return finish(try parseSingleQuoted(), props)
        case DQUOTE: return finish(try parseDoubleQuoted(), props)
        case STAR: return try parseAlias(props)
        case COMMA, RBRACKET, RBRACE:
            if props.isEmpty { throw error("expected a value in the flow collection") }
            return finish(.null(line: l, column: cl), props)
        case COLON where !props.isEmpty && (isBlankOrEnd(1) || isFlowIndicator(peek(1))):
            return finish(.null(line: l, column: cl), props) // `!!str : value`: an empty key with a tag
        default:
            try checkPlainStart(flow: true)
            var (text, atColon) = scanPlainLine(flow: true)
            // A plain scalar may continue on the next lines; empty lines fold to line feeds, a comment ends it.
            while !atColon, i < b.count, b[i] == LF {
                let saved = (i, line, lineStart)
                var breaks = 0
                consumeNewline()
                while true {
                    skipSpaces()
                    if i < b.count, b[i] == LF { breaks += 1; consumeNewline(); continue }
                    break
                }
                guard i < b.count, !isDocMarker(), b[i] != HASH, !isFlowIndicator(b[i]),
                      !(b[i] == COLON && (isBlankOrEnd(1) || isFlowIndicator(peek(1)))) else {
                    (i, line, lineStart) = saved
                    break
                }
                let (more, colon) = scanPlainLine(flow: true)
                text += breaks == 0 ? " " : String(repeating: "\n", count: breaks)
                text += more
                atColon = colon
            }
            return finish(YAMLNode(.scalar(text, .plain), line: l, column: cl), props)
        }
    }
}
