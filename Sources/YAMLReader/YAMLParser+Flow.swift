// Flow collections: [a, b] and {k: v}; line breaks inside are plain whitespace.
extension YAMLParser {
    mutating func skipFlowSpace() {
        while i < b.count {
            let c = b[i]
            if c == SP || c == TAB { i += 1 }
            else if c == LF { consumeNewline() }
            else if c == HASH, i == lineStart || b[i - 1] == SP || b[i - 1] == TAB { skipToLineEnd() }
            else { break }
        }
    }

    mutating func parseFlowCollection() throws(YAMLError) -> YAMLNode {
        try enter()
        defer { depth -= 1 }
        let l = line, cl = col + 1
        let isSeq = b[i] == LBRACKET
        i += 1
        let close = isSeq ? RBRACKET : RBRACE
        let what = isSeq ? "flow sequence '['" : "flow mapping '{'"
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var merges: [YAMLNode] = []
        var seenKeys: [String: Int] = [:]
        while true {
            skipFlowSpace()
            guard i < b.count else { throw YAMLError(line: l, column: cl, message: "unterminated \(what) (opened here, never closed)") }
            if b[i] == close { i += 1; break }
            if isDocMarker() { throw YAMLError(line: l, column: cl, message: "unterminated \(what) (opened here, never closed)") }
            let key = try parseFlowNode()
            skipFlowSpace()
            var value: YAMLNode?
            if i < b.count, b[i] == COLON {
                i += 1
                skipFlowSpace()
                if i < b.count, b[i] == COMMA || b[i] == close {
                    value = .null(line: line, column: col + 1)
                } else {
                    value = try parseFlowNode()
                }
                skipFlowSpace()
            }
            if isSeq {
                if let v = value {
                    items.append(YAMLNode(.mapping([YAMLPair(key: key, value: v)]), line: key.line, column: key.column))
                } else {
                    items.append(key)
                }
            } else {
                let v = value ?? .null(line: key.line, column: key.column)
                if key.scalar == "<<", key.style == .plain { merges.append(v) } else {
                    try checkDuplicate(key, &seenKeys)
                    pairs.append(YAMLPair(key: key, value: v))
                }
            }
            guard i < b.count else { throw YAMLError(line: l, column: cl, message: "unterminated \(what) (opened here, never closed)") }
            if b[i] == COMMA { i += 1; continue }
            if b[i] == close { i += 1; break }
            throw error("expected ',' or '\(isSeq ? "]" : "}")' in \(what)")
        }
        if isSeq { return YAMLNode(.sequence(items), line: l, column: cl) }
        return YAMLNode(.mapping(try applyMerges(pairs, merges)), line: l, column: cl)
    }

    mutating func parseFlowNode() throws(YAMLError) -> YAMLNode {
        skipFlowSpace()
        var props = Props()
        try parseProperties(&props)
        skipFlowSpace()
        let l = line, cl = col + 1
        guard i < b.count else { throw error("unexpected end of input inside a flow collection") }
        let c = b[i]
        switch c {
        case LBRACKET, LBRACE: return finish(try parseFlowCollection(), props)
        case SQUOTE: return finish(try parseSingleQuoted(), props)
        case DQUOTE: return finish(try parseDoubleQuoted(), props)
        case STAR: return try parseAlias()
        case COMMA, RBRACKET, RBRACE: return finish(.null(line: l, column: cl), props)
        default:
            if c == UInt8(ascii: "@") || c == UInt8(ascii: "`") { try checkPlainStart() }
            var (text, atColon) = scanPlainLine(flow: true)
            // A plain scalar may continue on the next line inside a flow collection.
            while !atColon, i < b.count, b[i] == LF {
                let saved = (i, line, lineStart)
                skipFlowSpace()
                guard i < b.count, !isFlowIndicator(b[i]), b[i] != COLON, b[i] != HASH, !isDocMarker() else {
                    (i, line, lineStart) = saved
                    break
                }
                let (more, colon) = scanPlainLine(flow: true)
                text += " " + more
                atColon = colon
            }
            return finish(YAMLNode(.scalar(text, .plain), line: l, column: cl), props)
        }
    }
}
