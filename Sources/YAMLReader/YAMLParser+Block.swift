// Block nodes: the node after `key:`, `- `, `? `, `: ` or at a document's root; block mappings and sequences.
extension YAMLParser {
    /// Where a block node starts, which decides what may begin on its first line.
    enum Context {
        /// A document's root on a line of its own.
        case document
        /// A document's root on the `---` line: no block collection may start there.
        case documentStartLine
        /// After `key:` — the first line holds a scalar, flow collection or block scalar; a sequence may sit at
        /// the key's own indentation on the next lines.
        case mappingValue
        /// After `- `: a compact sequence or mapping may start on the same line.
        case sequenceEntry
        /// After `? ` or an explicit `: `: compact collections on the same line, sequences at the same indentation.
        case explicitEntry

        var inlineFirstLine: Bool { self == .mappingValue || self == .documentStartLine }
        var allowsSequenceAtParentIndent: Bool { self == .mappingValue || self == .explicitEntry }
    }

    mutating func parseNode(parentIndent n: Int, ctx: Context) throws(YAMLError) -> YAMLNode {
        try enter()
        defer { depth -= 1 }
        skipSpaces()
        let startLine = line, startCol = col + 1
        // Properties on lines of their own belong to the node; properties on its first content line belong to
        // an implicit key when one starts there (`&a4 !!map` newline `&a5 key5: v` anchors the map and the key).
        var props = Props()
        var firstLine = true
        while true {
            let propCol = col
            var lineProps = Props()
            try parseProperties(&lineProps)
            if i < b.count, b[i] != LF, b[i] != HASH {
                return try parseContent(parentIndent: n, nodeProps: props, lineProps: lineProps, propCol: propCol,
                                        inline: firstLine && ctx.inlineFirstLine)
            }
            if i < b.count, b[i] == HASH, !lineProps.isEmpty, !(b[i - 1] == SP || b[i - 1] == TAB) {
                throw error("a comment needs white space before '#'")
            }
            try props.merge(lineProps, self)
            // Nothing more on this line: the node, if any, starts on a later line.
            skipToLineEnd()
            guard skipBlankLines(), !isDocMarker() else {
                return finish(.null(line: startLine, column: startCol), props)
            }
            firstLine = false
            if indentOfCurrentLine() > n {
                if b[i] == AMP || b[i] == BANG { continue }
                return try parseContent(parentIndent: n, nodeProps: props, lineProps: Props(), propCol: col, inline: false)
            }
            if col == n, ctx.allowsSequenceAtParentIndent, b[i] == DASH, isBlankOrEnd(1), !tabBeforeCursor() {
                return try parseBlockSequence(indent: col, props: props, atParentIndent: true)
            }
            return finish(.null(line: startLine, column: startCol), props)
        }
    }

    /// The content of a block node at the cursor. `lineProps` were written on this same line (starting at
    /// `propCol`); `inline` forbids block collections (the first line after `key:` or `---`).
    mutating func parseContent(parentIndent n: Int, nodeProps: Props, lineProps: Props, propCol: Int, inline: Bool) throws(YAMLError) -> YAMLNode {
        let ch = b[i]
        let c = col
        let l = line, cl = col + 1
        let mapIndent = lineProps.isEmpty ? c : propCol
        func startsCollection() throws(YAMLError) {
            if inline {
                throw error("a block collection cannot start here; put it on the next line, indented")
            }
            if tabBefore(lineProps.isEmpty ? i : lineStart + propCol) { throw tabIndentationError() }
        }
        func key(_ node: YAMLNode) throws(YAMLError) -> YAMLNode {
            if inline { throw error("mapping values are not allowed here (quote the value if it contains ': ')") }
            try startsCollection()
            return finish(node, lineProps)
        }
        var props = nodeProps
        switch ch {
        case DASH where isBlankOrEnd(1):
            if inline { throw error("a block sequence cannot start on the same line as its key or '---'; put '- item' on the next line") }
            if !lineProps.isEmpty { throw error("an anchor or tag before a block sequence must be on a line of its own") }
            try startsCollection()
            return try parseBlockSequence(indent: c, props: props, atParentIndent: false)
        case QMARK where isBlankOrEnd(1):
            if !lineProps.isEmpty { throw error("an anchor or tag before an explicit key '? ' must be on a line of its own") }
            try startsCollection()
            return try parseBlockMapping(indent: c, props: props, firstKey: nil, line: l, column: cl)
        case COLON where isBlankOrEnd(1):
            let k = try key(.null(line: l, column: cl))
            return try parseBlockMapping(indent: mapIndent, props: props, firstKey: k, line: l, column: cl)
        case PIPE, GT:
            try props.merge(lineProps, self)
            return finish(try parseBlockScalar(parentIndent: n), props)
        case LBRACKET, LBRACE:
            let node = try parseFlowCollection()
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                throw YAMLError(line: l, column: cl, message: "a flow collection used as a mapping key (complex key) is not supported",
                                unsupported: true)
            }
            try props.merge(lineProps, self)
            return finish(node, props)
        case STAR:
            let node = try parseAlias(lineProps)
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                try checkScalarKey(node)
                let k = try key(node)
                return try parseBlockMapping(indent: mapIndent, props: props, firstKey: k, line: l, column: cl)
            }
            if !nodeProps.isEmpty { throw error("an alias cannot have an anchor or a tag") }
            return node
        case SQUOTE, DQUOTE:
            let node = ch == SQUOTE ? try parseSingleQuoted() : try parseDoubleQuoted()
            let multiLine = line != l
            skipSpaces()
            if i < b.count, b[i] == COLON, isBlankOrEnd(1) {
                if multiLine { throw YAMLError(line: l, column: cl, message: "an implicit mapping key must be on a single line") }
                let k = try key(node)
                return try parseBlockMapping(indent: mapIndent, props: props, firstKey: k, line: l, column: cl)
            }
            try props.merge(lineProps, self)
            return finish(node, props)
        default:
            try checkPlainStart(flow: false)
            let (text, atColon) = scanPlainLine(flow: false)
            if atColon {
                let k = try key(YAMLNode(.scalar(text, .plain), line: l, column: cl))
                return try parseBlockMapping(indent: mapIndent, props: props, firstKey: k, line: l, column: cl)
            }
            let full = try continuePlain(text, parentIndent: n)
            try props.merge(lineProps, self)
            return finish(YAMLNode(.scalar(full, .plain), line: l, column: cl), props)
        }
    }

    /// Entries of a block mapping at column `c`. `firstKey` is an implicit key already read (cursor on its
    /// `:`), nil when the mapping starts with an explicit `? ` key.
    mutating func parseBlockMapping(indent c: Int, props: Props, firstKey: YAMLNode?, line l: Int, column cl: Int) throws(YAMLError) -> YAMLNode {
        var pairs: [YAMLPair] = []
        var merges: [YAMLNode] = []
        var seenKeys: [String: Int] = [:]
        var pendingKey = firstKey
        while true {
            let key: YAMLNode
            var value: YAMLNode
            var atNextEntry = false
            if let k = pendingKey {
                key = k
                i += 1 // the ':'
                value = try parseNode(parentIndent: c, ctx: .mappingValue)
            } else if b[i] == QMARK, isBlankOrEnd(1) {
                let kl = line, kc = col + 1
                i += 1
                key = try parseNode(parentIndent: c, ctx: .explicitEntry)
                try checkScalarKey(key)
                value = .null(line: kl, column: kc)
                if try nextContentLine(), !isDocMarker(), col == c, !tabBeforeCursor(), b[i] == COLON, isBlankOrEnd(1) {
                    i += 1
                    value = try parseNode(parentIndent: c, ctx: .explicitEntry)
                } else {
                    atNextEntry = true
                }
            } else {
                key = try parseMappingKey()
                i += 1 // the ':'
                value = try parseNode(parentIndent: c, ctx: .mappingValue)
            }
            if key.scalar == "<<", key.style == .plain, key.tag == nil {
                merges.append(value)
            } else {
                try checkDuplicate(key, &seenKeys)
                pairs.append(YAMLPair(key: key, value: value))
            }
            if !atNextEntry {
                guard try nextContentLine() else { break }
            }
            guard i < b.count, !isDocMarker() else { break }
            let cc = col
            if cc < c { break }
            if tabBeforeCursor() { throw tabIndentationError() }
            if cc > c {
                throw error("bad indentation of a mapping entry (expected column \(c + 1) like the keys above, found column \(cc + 1))")
            }
            if b[i] == DASH, isBlankOrEnd(1) {
                throw error("expected a mapping key at this indentation, found a sequence entry '- '")
            }
            pendingKey = nil
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

    /// A key of a later mapping entry (the cursor at its first byte, at the mapping's column), leaving the
    /// cursor on its `:`.
    mutating func parseMappingKey() throws(YAMLError) -> YAMLNode {
        var props = Props()
        try parseProperties(&props)
        let l = line, cl = col + 1
        let ch = peek()
        var key: YAMLNode
        switch ch {
        case COLON where isBlankOrEnd(1):
            key = .null(line: l, column: cl)
        case SQUOTE, DQUOTE:
            key = ch == SQUOTE ? try parseSingleQuoted() : try parseDoubleQuoted()
            if line != l { throw YAMLError(line: l, column: cl, message: "an implicit mapping key must be on a single line") }
            skipSpaces()
            guard i < b.count, b[i] == COLON, isBlankOrEnd(1) else {
                throw error("could not find expected ':' after the quoted key")
            }
        case STAR:
            key = try parseAlias(props)
            try checkScalarKey(key)
            skipSpaces()
            guard i < b.count, b[i] == COLON, isBlankOrEnd(1) else { throw error("could not find expected ':' after the alias key") }
            return key
        case LBRACKET, LBRACE:
            throw unsupported("a flow collection used as a mapping key (complex key) is not supported")
        case QMARK where isBlankOrEnd(1):
            throw error("an anchor or tag before an explicit key '? ' must be on a line of its own")
        case LF, 0, HASH:
            throw error("an anchor or tag must be on the same line as the key it belongs to")
        default:
            try checkPlainStart(flow: false)
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
            items.append(try parseNode(parentIndent: c, ctx: .sequenceEntry))
            guard try nextContentLine(), !isDocMarker() else { break }
            let cc = col
            if cc < c { break }
            if tabBeforeCursor() { throw tabIndentationError() }
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
}
