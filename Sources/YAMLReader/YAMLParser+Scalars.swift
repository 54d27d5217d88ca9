// Plain, quoted and block scalars.
extension YAMLParser {
    /// Indicators cannot start a plain scalar; `-`, `?` and `:` can when a "safe" character follows.
    mutating func checkPlainStart(flow: Bool) throws(YAMLError) {
        let c = peek()
        switch c {
        case COMMA, LBRACKET, RBRACKET, LBRACE, RBRACE, HASH, AMP, STAR, BANG, PIPE, GT, SQUOTE, DQUOTE, PERCENT,
             UInt8(ascii: "@"), UInt8(ascii: "`"):
            throw error("found character '\(String(decoding: [c], as: UTF8.self))' that cannot start a plain value; quote the value")
        case DASH, QMARK, COLON:
            if isBlankOrEnd(1) || (flow && isFlowIndicator(peek(1))) {
                throw error("'\(String(decoding: [c], as: UTF8.self))' cannot stand alone as a value here; quote it")
            }
        default:
            break
        }
    }

    /// Scans one line of a plain scalar. Stops before `: `, a line end, ` #`, and in flow context
    /// before flow indicators. Returns the text without trailing spaces and whether it stopped at `:`
    /// (the cursor is then on the `:`).
    mutating func scanPlainLine(flow: Bool) -> (String, Bool) {
        let s = i
        var end = i
        var atColon = false
        while i < b.count {
            let c = b[i]
            if c == LF { break }
            if c == COLON {
                let j = i + 1
                if j >= b.count || b[j] == SP || b[j] == TAB || b[j] == LF || (flow && isFlowIndicator(b[j])) {
                    atColon = true
                    break
                }
            } else if c == HASH, i > s, b[i - 1] == SP || b[i - 1] == TAB {
                break
            } else if flow, isFlowIndicator(c) {
                break
            }
            i += 1
            if c != SP, c != TAB { end = i }
        }
        return (String(decoding: b[s..<end], as: UTF8.self), atColon)
    }

    /// Folds the continuation lines of a multi-line plain scalar (block context): lines indented
    /// deeper than the owning collection, up to a comment, a less-indented line or a document marker.
    mutating func continuePlain(_ first: String, parentIndent n: Int) throws(YAMLError) -> String {
        var result = first
        while i < b.count, b[i] == LF {
            let saved = (i, line, lineStart)
            var breaks = 0
            consumeNewline()
            var found = false
            while i < b.count {
                while i < b.count, b[i] == SP || b[i] == TAB { i += 1 }
                if i < b.count, b[i] == LF { breaks += 1; consumeNewline(); continue }
                found = i < b.count
                break
            }
            let lineIndent = indentOfCurrentLine()
            if !found || b[i] == HASH || lineIndent <= n || (lineIndent == 0 && isDocMarkerAt(lineStart)) {
                (i, line, lineStart) = saved
                return result
            }
            let (text, atColon) = scanPlainLine(flow: false)
            if atColon { throw error("mapping values are not allowed here (is the indentation of this line right?)") }
            result += breaks == 0 ? " " : String(repeating: "\n", count: breaks)
            result += text
        }
        return result
    }

    // MARK: Quoted

    mutating func parseSingleQuoted() throws(YAMLError) -> YAMLNode {
        let l = line, cl = col + 1
        i += 1
        var out: [UInt8] = []
        while true {
            guard i < b.count else { throw unterminated("single", l, cl) }
            let c = b[i]
            if c == SQUOTE {
                if peek(1) == SQUOTE { out.append(SQUOTE); i += 2; continue }
                i += 1
                break
            }
            if c == LF { try foldQuotedBreak(&out, keep: 0, l, cl, "single"); continue }
            out.append(c)
            i += 1
        }
        return YAMLNode(.scalar(String(decoding: out, as: UTF8.self), .singleQuoted), line: l, column: cl)
    }

    mutating func parseDoubleQuoted() throws(YAMLError) -> YAMLNode {
        let l = line, cl = col + 1
        i += 1
        var out: [UInt8] = []
        // Bytes up to here came from escapes: white space written as `\t` survives line folding.
        var escaped = 0
        while true {
            guard i < b.count else { throw unterminated("double", l, cl) }
            let c = b[i]
            if c == DQUOTE { i += 1; break }
            if c == LF { try foldQuotedBreak(&out, keep: escaped, l, cl, "double"); continue }
            if c == BACKSLASH {
                let e = peek(1)
                if e == LF {
                    // Escaped line break: no space is added; empty lines that follow are line feeds.
                    i += 1
                    consumeNewline()
                    try skipQuotedLinePrefix(&out, l, cl, "double")
                    escaped = out.count
                    continue
                }
                i += 2
                switch e {
                case UInt8(ascii: "0"): out.append(0)
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "t"), TAB: out.append(9)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "e"): out.append(27)
                case SP, DQUOTE, UInt8(ascii: "/"), BACKSLASH: out.append(e)
                case UInt8(ascii: "N"): appendUTF8(&out, 0x85)
                case UInt8(ascii: "_"): appendUTF8(&out, 0xA0)
                case UInt8(ascii: "L"): appendUTF8(&out, 0x2028)
                case UInt8(ascii: "P"): appendUTF8(&out, 0x2029)
                case UInt8(ascii: "x"): appendUTF8(&out, try hexEscape(2))
                case UInt8(ascii: "u"): appendUTF8(&out, try hexEscape(4))
                case UInt8(ascii: "U"): appendUTF8(&out, try hexEscape(8))
                default:
                    i -= 2
                    throw error("invalid escape '\\\(String(decoding: [e], as: UTF8.self))' in a double-quoted string (use single quotes for literal backslashes)")
                }
                escaped = out.count
                continue
            }
            out.append(c)
            i += 1
        }
        return YAMLNode(.scalar(String(decoding: out, as: UTF8.self), .doubleQuoted), line: l, column: cl)
    }

    func unterminated(_ kind: String, _ l: Int, _ c: Int) -> YAMLError {
        YAMLError(line: l, column: c, message: "unterminated \(kind)-quoted string (the quote opened here is never closed)")
    }

    mutating func hexEscape(_ count: Int) throws(YAMLError) -> UInt32 {
        var v: UInt32 = 0
        for _ in 0..<count {
            guard i < b.count else { throw error("truncated hexadecimal escape") }
            let c = b[i]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw error("invalid hexadecimal digit in escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    func appendUTF8(_ out: inout [UInt8], _ v: UInt32) {
        let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    /// Line folding inside quoted scalars: one break becomes a space, n+1 breaks become n newlines. Trailing
    /// white space before the break is dropped, except the first `keep` bytes (escapes).
    mutating func foldQuotedBreak(_ out: inout [UInt8], keep: Int, _ l: Int, _ cl: Int, _ kind: String) throws(YAMLError) {
        while out.count > keep, let last = out.last, last == SP || last == TAB { out.removeLast() }
        consumeNewline()
        var folded: [UInt8] = []
        try skipQuotedLinePrefix(&folded, l, cl, kind)
        out.append(contentsOf: folded.isEmpty ? [SP] : folded)
    }

    /// Moves past the indentation of a quoted scalar's continuation line, appending one line feed per empty
    /// line on the way. Like libyaml, continuation lines may start at any column (the spec wants them indented
    /// more than the parent); a document marker ends the stream's patience.
    mutating func skipQuotedLinePrefix(_ out: inout [UInt8], _ l: Int, _ cl: Int, _ kind: String) throws(YAMLError) {
        while true {
            if isDocMarker() { throw unterminated(kind, l, cl) }
            skipSpaces()
            if i < b.count, b[i] == LF { out.append(LF); consumeNewline(); continue }
            if i >= b.count { throw unterminated(kind, l, cl) }
            return
        }
    }

    // MARK: Block scalars

    /// `|` and `>` with optional chomping (`+`/`-`) and indentation indicators, in either order.
    mutating func parseBlockScalar(parentIndent n: Int) throws(YAMLError) -> YAMLNode {
        let l = line, cl = col + 1
        let folded = b[i] == GT
        i += 1
        var chomp = 0 // -1 strip, 0 clip, +1 keep
        var explicit = 0
        for _ in 0..<2 {
            let c = peek()
            if c == UInt8(ascii: "+"), chomp == 0 { chomp = 1; i += 1 }
            else if c == DASH, chomp == 0 { chomp = -1; i += 1 }
            else if c >= UInt8(ascii: "1"), c <= UInt8(ascii: "9"), explicit == 0 { explicit = Int(c - 0x30); i += 1 }
        }
        let afterHeader = i
        skipSpaces()
        if i < b.count, b[i] == HASH {
            if i == afterHeader { throw error("a comment needs white space before '#'") }
            skipToLineEnd()
        }
        if i < b.count, b[i] != LF {
            throw error("invalid block scalar header: after '|' or '>' only '+', '-', an indentation digit 1-9 and a comment may follow")
        }
        if i < b.count { consumeNewline() }

        var contentIndent: Int
        if explicit > 0 {
            contentIndent = (n >= 0 ? n : 0) + explicit
        } else {
            // Auto-detect: the indentation of the first line that is not only spaces. Leading lines of spaces may
            // not be longer than it; with no text at all, the longest of them is the indentation.
            var k = i
            var longestEmpty = 0
            contentIndent = -1
            while k < b.count {
                var sp = 0
                while k < b.count, b[k] == SP { k += 1; sp += 1 }
                if k >= b.count || b[k] == LF {
                    longestEmpty = max(longestEmpty, sp)
                    if k < b.count { k += 1; continue }
                    break
                }
                contentIndent = sp
                break
            }
            if contentIndent > n, longestEmpty > contentIndent {
                throw YAMLError(line: l, column: cl, message: "a leading empty line of the block scalar has more spaces than its first line of text")
            }
            if contentIndent <= n { contentIndent = max(n + 1, longestEmpty) }
        }

        // Each entry: nil for an empty line, else the line's bytes after the indentation.
        var entries: [ArraySlice<UInt8>?] = []
        while i < b.count {
            let ls = i
            var sp = 0
            while i < b.count, b[i] == SP { i += 1; sp += 1 }
            if i >= b.count || b[i] == LF {
                // A line of spaces only: text (its extra spaces) when longer than the indentation, else empty.
                if sp > contentIndent {
                    entries.append(b[(ls + contentIndent)..<i])
                } else {
                    entries.append(nil)
                }
                if i < b.count { consumeNewline() }
                continue
            }
            if sp < contentIndent || (sp == 0 && isDocMarkerAt(ls)) {
                if sp < contentIndent, b[i] == TAB {
                    throw error("tab character used for indentation inside a block scalar; YAML allows only spaces here")
                }
                i = ls
                break
            }
            skipToLineEnd()
            entries.append(b[(ls + contentIndent)..<i])
            if i < b.count { consumeNewline() }
        }
        // Blank lines after the text belong to the scalar only for chomping purposes.
        let lastText = entries.lastIndex { $0 != nil }
        var out: [UInt8] = []
        if let last = lastText {
            let trailing = entries.count - last - 1
            if folded {
                var pending = 0
                var prevMore = false
                var first = true
                for e in entries[0...last] {
                    guard let text = e else { pending += 1; continue }
                    let more = text.first == SP || text.first == TAB
                    if first {
                        out.append(contentsOf: repeatElement(LF, count: pending))
                    } else if !more && !prevMore {
                        if pending == 0 { out.append(SP) } else { out.append(contentsOf: repeatElement(LF, count: pending)) }
                    } else {
                        out.append(contentsOf: repeatElement(LF, count: pending + 1))
                    }
                    out.append(contentsOf: text)
                    pending = 0
                    prevMore = more
                    first = false
                }
            } else {
                for (k, e) in entries[0...last].enumerated() {
                    if k > 0 { out.append(LF) }
                    if let text = e { out.append(contentsOf: text) }
                }
            }
            // The last line's break is content unless stripped. The end of the file counts as a break, as in the
            // YAML test suite (L24T, JEF9) and its reference parser: a missing final newline changes nothing.
            if chomp >= 0 { out.append(LF) }
            if chomp > 0 { out.append(contentsOf: repeatElement(LF, count: trailing)) }
        } else if chomp > 0 {
            out.append(contentsOf: repeatElement(LF, count: entries.count))
        }
        return YAMLNode(.scalar(String(decoding: out, as: UTF8.self), folded ? .folded : .literal), line: l, column: cl)
    }
}
