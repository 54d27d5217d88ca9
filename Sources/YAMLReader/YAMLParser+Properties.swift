// Node properties (anchors and tags) and aliases.
extension YAMLParser {
    struct Props {
        var anchor: String?
        var tag: String?
        var isEmpty: Bool { anchor == nil && tag == nil }

        /// Properties written on several lines before one node (`&a` newline `!!str` newline `value`).
        mutating func merge(_ other: Props, _ parser: YAMLParser) throws(YAMLError) {
            if let a = other.anchor {
                if anchor != nil { throw parser.error("a node can have only one anchor") }
                anchor = a
            }
            if let t = other.tag {
                if tag != nil { throw parser.error("a node can have only one tag") }
                tag = t
            }
        }
    }

    /// Reads `&anchor` and `!tag` (either order, at most one each) on the current line. In block context a
    /// property must be followed by white space or the end of the line; in flow context also by `,` `]` `}`.
    mutating func parseProperties(_ p: inout Props, flow: Bool = false) throws(YAMLError) {
        while i < b.count {
            if b[i] == AMP {
                if p.anchor != nil { throw error("a node can have only one anchor") }
                i += 1
                let name = scanAnchorName()
                if name.isEmpty { throw error("anchor '&' needs a name") }
                p.anchor = name
                anchorStart[name] = expandedNodes
            } else if b[i] == BANG {
                if p.tag != nil { throw error("a node can have only one tag") }
                p.tag = try scanTag(flow: flow)
            } else {
                break
            }
            if i < b.count, b[i] != SP, b[i] != TAB, b[i] != LF, !(flow && isFlowIndicator(b[i])) {
                throw error("an anchor or tag must be followed by a space")
            }
            skipSpaces()
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

    /// A tag, resolved through the document's `%TAG` handles: `!!str` → `tag:yaml.org,2002:str`,
    /// `!<verbatim>` as written inside the brackets, `!local` and the non-specific `!` unchanged unless
    /// `%TAG !` says otherwise.
    mutating func scanTag(flow: Bool) throws(YAMLError) -> String {
        let start = i
        i += 1 // '!'
        if peek() == UInt8(ascii: "<") {
            i += 1
            let s = i
            while i < b.count, b[i] != UInt8(ascii: ">"), b[i] != SP, b[i] != TAB, b[i] != LF { i += 1 }
            guard i < b.count, b[i] == UInt8(ascii: ">"), i > s else { throw error("unterminated verbatim tag '!<...>'") }
            let v = String(decoding: b[s..<i], as: UTF8.self)
            i += 1
            return v
        }
        // Handle: `!`, `!!` or `!name!`.
        var handleEnd = i
        var k = i
        while k < b.count, isWordChar(b[k]) { k += 1 }
        if k < b.count, b[k] == BANG { handleEnd = k + 1 }
        let handle = String(decoding: b[start..<handleEnd], as: UTF8.self)
        i = handleEnd
        let s = i
        while i < b.count, isTagChar(b[i]) { i += 1 }
        let suffix = try percentDecoded(b[s..<i])
        if handle == "!" && suffix.isEmpty { return "!" } // the non-specific tag
        if suffix.isEmpty { throw error("tag '\(handle)' needs a name after the handle") }
        if let prefix = tagHandles[handle] { return prefix + suffix }
        switch handle {
        case "!": return "!" + suffix
        case "!!": return "tag:yaml.org,2002:" + suffix
        default: throw YAMLError(line: line, column: start - lineStart + 1, message: "undefined tag handle '\(handle)' (declare it with %TAG in this document)")
        }
    }

    func isWordChar(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == DASH
    }

    /// URI characters allowed in a tag shorthand: no `!`, no flow indicators.
    func isTagChar(_ c: UInt8) -> Bool {
        if isWordChar(c) || c >= 0x80 { return true }
        switch c {
        case UInt8(ascii: "%"), UInt8(ascii: "#"), UInt8(ascii: ";"), UInt8(ascii: "/"), UInt8(ascii: "?"), COLON,
             UInt8(ascii: "@"), AMP, UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "$"), UInt8(ascii: "_"), DOT,
             UInt8(ascii: "~"), STAR, SQUOTE, UInt8(ascii: "("), UInt8(ascii: ")"):
            return true
        default:
            return false
        }
    }

    func percentDecoded(_ s: ArraySlice<UInt8>) throws(YAMLError) -> String {
        guard s.contains(PERCENT) else { return String(decoding: s, as: UTF8.self) }
        var out: [UInt8] = []
        var k = s.startIndex
        func hex(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        while k < s.endIndex {
            if s[k] == PERCENT {
                guard k + 2 < s.endIndex, let h = hex(s[k + 1]), let l = hex(s[k + 2]) else {
                    throw error("invalid percent escape in a tag")
                }
                out.append(h * 16 + l)
                k += 3
            } else {
                out.append(s[k])
                k += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
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

    /// `*name`: a copy of the anchored node, positioned at the alias. An alias cannot carry properties.
    mutating func parseAlias(_ props: Props = Props()) throws(YAMLError) -> YAMLNode {
        if !props.isEmpty { throw error("an alias cannot have an anchor or a tag") }
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

    /// Keys are read as text: a sequence or mapping used as a key (valid YAML, rare in configuration) is
    /// refused rather than flattened.
    func checkScalarKey(_ key: YAMLNode) throws(YAMLError) {
        if key.scalar == nil {
            throw YAMLError(line: key.line, column: key.column,
                            message: "a sequence or mapping used as a mapping key (complex key) is not supported", unsupported: true)
        }
    }
}
