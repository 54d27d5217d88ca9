import ContsecProtocol
/// Parses Dockerfile bytes the way BuildKit's front-end does for the parts rules need: parser
/// directives, line continuations with the active escape character, comments, JSON and shell forms,
/// heredocs, flags and stages. Never fails: unknown syntax becomes an instruction rules may ignore.
public enum DockerfileParser {
    public static func parse(_ text: String) -> Dockerfile { parse(bytes: Array(text.utf8)) }

    public static func parse(bytes: [UInt8]) -> Dockerfile {
        var df = Dockerfile()
        let lines = splitLines(bytes)
        var idx = 0
        // Directives: only at the very top, before any blank line, comment or instruction.
        while idx < lines.count {
            guard let (key, value) = directive(lines[idx]) else { break }
            if df.directives[key] == nil { df.directives[key] = value }
            idx += 1
        }
        if let e = df.directives["escape"], e == "`" { df.escape = UInt8(ascii: "`") }
        let esc = df.escape

        while idx < lines.count {
            let first = trimLeft(lines[idx])
            if first.isEmpty || first.first == UInt8(ascii: "#") { idx += 1; continue }
            let startLine = idx + 1
            var content: [UInt8] = []
            // Where each physical line's text starts inside the joined content, to map findings back to lines.
            var segments: [(Int, Int)] = []
            var cur = idx
            while true {
                var line = trimRight(lines[cur])
                if let last = line.last, last == esc {
                    line.removeLast()
                    segments.append((content.count, cur + 1))
                    content.append(contentsOf: line)
                    cur += 1
                    // Comment and empty lines inside a continuation are dropped, as BuildKit does.
                    while cur < lines.count {
                        let t = trimLeft(lines[cur])
                        if t.isEmpty || t.first == UInt8(ascii: "#") { cur += 1 } else { break }
                    }
                    if cur >= lines.count { cur -= 1; break }
                    continue
                }
                segments.append((content.count, cur + 1))
                content.append(contentsOf: line)
                break
            }
            var inst = makeInstruction(trimLeft(content), segments: segments, startLine: startLine, endLine: cur + 1, escape: esc)
            idx = cur + 1
            if inst.keyword == "RUN" || inst.keyword == "COPY" || inst.keyword == "ADD", inst.execForm == nil {
                for marker in heredocMarkers(inst.arguments) {
                    let hStart = idx + 1
                    var body: [String] = []
                    var closed = false
                    while idx < lines.count {
                        var l = lines[idx]
                        idx += 1
                        if marker.stripsTabs { while l.first == TABB { l.removeFirst() } }
                        if String(decoding: l, as: UTF8.self) == marker.delimiter { closed = true; break }
                        body.append(String(decoding: l, as: UTF8.self))
                    }
                    _ = closed
                    let content = body.isEmpty ? "" : body.joined(separator: "\n") + "\n"
                    inst.heredocs.append(Heredoc(delimiter: marker.delimiter, content: content, stripsTabs: marker.stripsTabs,
                                                 quoted: marker.quoted, startLine: hStart, endLine: idx))
                    inst.endLine = idx
                }
            }
            df.instructions.append(inst)
        }
        buildStages(&df)
        return df
    }

    // MARK: - Lines

    static let TABB: UInt8 = 0x09

    static func splitLines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var s = 0
        var k = 0
        let n = bytes.count
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { s = 3; k = 3 }
        while k < n {
            if bytes[k] == 0x0A {
                var e = k
                if e > s, bytes[e - 1] == 0x0D { e -= 1 }
                out.append(bytes[s..<e])
                s = k + 1
            }
            k += 1
        }
        if s < n {
            var e = n
            if bytes[e - 1] == 0x0D { e -= 1 }
            out.append(bytes[s..<e])
        }
        return out
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    static func trimLeft(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var a = s.startIndex
        while a < s.endIndex, isSpace(s[a]) { a += 1 }
        return s[a..<s.endIndex]
    }

    static func trimLeft(_ s: [UInt8]) -> ArraySlice<UInt8> { trimLeft(s[...]) }

    static func trimRight(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var e = s.endIndex
        while e > s.startIndex, isSpace(s[e - 1]) { e -= 1 }
        return s[s.startIndex..<e]
    }

    /// `# key=value` with a known directive key.
    static func directive(_ line: ArraySlice<UInt8>) -> (String, String)? {
        let t = trimLeft(line)
        guard t.first == UInt8(ascii: "#") else { return nil }
        let body = String(decoding: t.dropFirst(), as: UTF8.self)
        guard let eq = body.firstIndex(of: "=") else { return nil }
        let key = body[..<eq].trimmingSpaces.lowercased()
        guard key == "syntax" || key == "escape" || key == "check" else { return nil }
        return (key, body[body.index(after: eq)...].trimmingSpaces)
    }

    // MARK: - Instructions

    static func makeInstruction(_ content: ArraySlice<UInt8>, segments: [(Int, Int)] = [], startLine: Int, endLine: Int, escape: UInt8) -> Instruction {
        var k = content.startIndex
        while k < content.endIndex, !isSpace(content[k]) { k += 1 }
        let keyword = String(decoding: content[content.startIndex..<k], as: UTF8.self).uppercased()
        let rest = trimRight(trimLeft(content[k..<content.endIndex]))
        let raw = String(decoding: rest, as: UTF8.self)
        // Flags: leading --name[=value] words.
        var flags: [Instruction.Flag] = []
        var p = rest.startIndex
        while p + 1 < rest.endIndex, rest[p] == UInt8(ascii: "-"), rest[p + 1] == UInt8(ascii: "-") {
            var e = p
            var quote: UInt8 = 0
            while e < rest.endIndex {
                let c = rest[e]
                if quote != 0 { if c == quote { quote = 0 } } else if c == 0x22 || c == 0x27 { quote = c } else if isSpace(c) { break }
                e += 1
            }
            let word = String(decoding: rest[(p + 2)..<e], as: UTF8.self)
            if let eq = word.firstIndex(of: "=") {
                flags.append(.init(name: String(word[..<eq]), value: String(word[word.index(after: eq)...])))
            } else {
                flags.append(.init(name: word, value: nil))
            }
            p = e
            while p < rest.endIndex, isSpace(rest[p]) { p += 1 }
        }
        let argBytes = rest[p..<rest.endIndex]
        let args = String(decoding: argBytes, as: UTF8.self)
        var exec: [String]? = nil
        if argBytes.first == UInt8(ascii: "["), keyword != "ONBUILD" { exec = parseJSONStringArray(argBytes) }
        var inst = Instruction(keyword: keyword, rawArguments: raw, flags: flags, arguments: args, execForm: exec,
                               heredocs: [], startLine: startLine, endLine: endLine)
        inst.argumentLines = segments.map { (max(0, $0.0 - p), $0.1) }
        return inst
    }

    /// A JSON array of strings, or nil when the text is not one (then Docker uses the shell form).
    /// The project's one JSON reader decides, so exec form follows strict JSON as Docker's does.
    static func parseJSONStringArray(_ s: ArraySlice<UInt8>) -> [String]? {
        guard case .array(let items)? = try? JSONParser.parse(Array(s)) else { return nil }
        let strings = items.compactMap(\.stringValue)
        return strings.count == items.count ? strings : nil
    }

    struct HeredocMarker {
        var delimiter: String
        var stripsTabs: Bool
        var quoted: Bool
    }

    /// `<<EOF`, `<<-EOF`, `<<"EOF"`, `<<'EOF'` in order of appearance (`<<<` here-strings excluded).
    static func heredocMarkers(_ args: String) -> [HeredocMarker] {
        let u = Array(args.utf8)
        var out: [HeredocMarker] = []
        var k = 0
        let lt = UInt8(ascii: "<")
        while k + 2 < u.count {
            guard u[k] == lt, u[k + 1] == lt, (k == 0 || u[k - 1] != lt), u[k + 2] != lt else { k += 1; continue }
            var p = k + 2
            var strip = false
            if p < u.count, u[p] == UInt8(ascii: "-") { strip = true; p += 1 }
            var quote: UInt8 = 0
            if p < u.count, u[p] == 0x22 || u[p] == 0x27 { quote = u[p]; p += 1 }
            let s = p
            while p < u.count {
                let c = u[p]
                let isWord = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D || c == 0x2E
                if !isWord { break }
                p += 1
            }
            if p > s {
                if quote != 0 {
                    if p < u.count, u[p] == quote { p += 1 } else { k = p; continue }
                }
                out.append(HeredocMarker(delimiter: String(decoding: u[s..<p - (quote != 0 ? 1 : 0)], as: UTF8.self),
                                         stripsTabs: strip, quoted: quote != 0))
            }
            k = max(p, k + 2)
        }
        return out
    }

    // MARK: - Stages and variables

    static func buildStages(_ df: inout Dockerfile) {
        var current: Stage? = nil
        var vars: [String: String] = [:]
        func close() {
            if var s = current {
                s.variables = vars
                df.stages.append(s)
            }
        }
        for inst in df.instructions {
            if inst.keyword == "FROM" {
                close()
                let words = inst.arguments.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                let raw = words.first ?? ""
                var name: String? = nil
                if words.count >= 3, words[1].lowercased() == "as" { name = words[2] }
                var globals: [String: String] = [:]
                for (k, v) in df.globalArgs { if let v { globals[k] = v } }
                let (image, unresolved) = VariableExpander.expand(raw, globals, escape: df.escape)
                let parent = df.stages.firstIndex { $0.name != nil && $0.name!.lowercased() == image.lowercased() }
                // A stage starts with the environment of the stage it builds on.
                vars = parent.map { df.stages[$0].variables } ?? [:]
                current = Stage(index: df.stages.count, image: image, rawImage: raw, imageHasUnresolvedVariable: unresolved,
                                name: name, platform: inst.flag("platform")?.value, from: inst, instructions: [],
                                parentStageIndex: parent, variables: [:])
                continue
            }
            if current == nil {
                if inst.keyword == "ARG" {
                    for (k, v) in keyValues(inst.arguments, allowSpaceForm: false) { df.globalArgs[k] = v }
                }
                continue
            }
            var inst = inst
            if inst.keyword == "RUN", inst.commandText.hasByte("$") { inst.environment = vars }
            current!.instructions.append(inst)
            switch inst.keyword {
            case "ARG":
                for (k, v) in keyValues(inst.arguments, allowSpaceForm: false) {
                    if let v { vars[k] = VariableExpander.expand(v, vars, escape: df.escape).0 }
                    else if let g = df.globalArgs[k], let gv = g { vars[k] = gv }
                }
            case "ENV":
                for (k, v) in keyValues(inst.arguments, allowSpaceForm: true) {
                    vars[k] = VariableExpander.expand(v ?? "", vars, escape: df.escape).0
                }
            default: break
            }
        }
        close()
    }

    /// `A=1 B="two words"` pairs; with `allowSpaceForm`, the legacy `ENV KEY value with spaces`.
    /// A word without `=` yields a nil value (`ARG NAME`).
    public static func keyValues(_ text: String, allowSpaceForm: Bool) -> [(String, String?)] {
        let words = ShellWords.split(text)
        guard !words.isEmpty else { return [] }
        if allowSpaceForm, !words[0].hasByte("=") {
            let trimmed = text.trimmingSpaces
            let name = words[0]
            var rest = trimmed.dropFirst(name.count).trimmingSpaces
            if rest.count >= 2, rest.first == "\"", rest.last == "\"" { rest = String(rest.dropFirst().dropLast()) }
            return [(name, rest)]
        }
        return words.map { w in
            if let eq = w.firstIndex(of: "=") { return (String(w[..<eq]), String(w[w.index(after: eq)...])) }
            return (w, nil)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (no Foundation needed).
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
