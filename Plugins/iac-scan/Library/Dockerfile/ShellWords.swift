/// A light shell reader for RUN commands: splits text into simple commands and words, honouring
/// quotes, so rules can ask "is there an `apt-get install` without `--no-install-recommends`".
/// It is not a shell: no expansion. Commands inside `$( … )` and backticks are read too (after the
/// commands of the outer text), so `V=$(curl … | grep …)` shows its pipe, as in hadolint.
public struct ShellCommand: Sendable, Equatable {
    public var words: [String]
    /// Byte offset of the command's first word in the text it was read from.
    public var offset: Int = 0
    /// The operator that joins this command to the next: "&&", "||", ";", "|", "&", "\n" or "" at the end.
    public var next: String

    public var name: String {
        // Skip leading VAR=value assignments and common wrappers so `sudo apt-get` reads as apt-get with sudo.
        var k = 0
        while k < words.count, words[k].hasByte("="), !words[k].hasPrefix("-") { k += 1 }
        return k < words.count ? words[k] : ""
    }

    /// Words after the command name (assignments skipped).
    public var args: [String] {
        var k = 0
        while k < words.count, words[k].hasByte("="), !words[k].hasPrefix("-") { k += 1 }
        return k + 1 < words.count ? Array(words[(k + 1)...]) : []
    }

    /// The command without a leading `sudo` (and sudo's own flags).
    public var withoutSudo: ShellCommand {
        guard name == "sudo" else { return self }
        var rest = args
        while let f = rest.first, f.hasPrefix("-") { rest.removeFirst() }
        return ShellCommand(words: rest, offset: offset, next: next)
    }
}

public enum ShellWords {
    /// Splits into words honouring single and double quotes and backslash escapes.
    public static func split(_ text: String) -> [String] {
        commands(text).flatMap(\.words)
    }

    public static func commands(_ text: String) -> [ShellCommand] {
        commands(Array(text.utf8), base: 0, depth: 0)
    }

    /// Nested substitutions are read this many levels deep, no more (hostile input cannot recurse forever).
    static let maxSubstitutionDepth = 4

    static func commands(_ u: [UInt8], base: Int, depth: Int) -> [ShellCommand] {
        var out: [ShellCommand] = []
        // Byte ranges of command substitutions' inner text, read after the outer commands.
        var inner: [Range<Int>] = []
        var substitutionStart = 0
        var words: [String] = []
        var word: [UInt8] = []
        var inWord = false
        var quote: UInt8 = 0
        var substitution = 0
        var start = -1
        var k = 0
        func endWord() {
            if inWord { words.append(String(decoding: word, as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
            inWord = false
        }
        func endCommand(_ op: String) {
            endWord()
            if !words.isEmpty { out.append(ShellCommand(words: words, offset: base + max(start, 0), next: op)) }
            else if let last = out.last, op != "\n", last.next == "\n" || last.next == "" { out[out.count - 1].next = op }
            words.removeAll()
            start = -1
        }
        /// Copies a `$(…)` or backtick substitution inside double quotes into the word; returns the index after it.
        func quotedSubstitution(at k: Int) -> Int {
            let backtick = u[k] == UInt8(ascii: "`")
            var e = k + (backtick ? 1 : 2)
            var level = 1
            while e < u.count {
                if u[e] == UInt8(ascii: "\\") { e += 2; continue }
                if backtick ? u[e] == UInt8(ascii: "`") : u[e] == UInt8(ascii: ")") {
                    level -= 1
                    if level == 0 { break }
                } else if !backtick, u[e] == UInt8(ascii: "(") {
                    level += 1
                }
                e += 1
            }
            let end = min(e, u.count)
            inner.append((k + (backtick ? 1 : 2))..<end)
            word.append(contentsOf: u[k..<min(end + 1, u.count)])
            return end + 1
        }
        while k < u.count {
            let c = u[k]
            if start < 0, words.isEmpty, !inWord, c != 0x20, c != 0x09, c != 0x0A { start = k }
            if quote == 0x22, c == UInt8(ascii: "`") || (c == UInt8(ascii: "$") && k + 1 < u.count && u[k + 1] == UInt8(ascii: "(")) {
                k = quotedSubstitution(at: k)
                continue
            }
            if quote != 0 {
                if c == quote { quote = 0 }
                else if c == UInt8(ascii: "\\"), quote == 0x22, k + 1 < u.count { word.append(u[k + 1]); k += 2; continue }
                else { word.append(c) }
                k += 1
                continue
            }
            if substitution > 0, c != UInt8(ascii: "("), c != UInt8(ascii: ")") {
                // Inside `$(...)` everything belongs to the word.
                word.append(c)
                k += 1
                continue
            }
            switch c {
            case 0x22, 0x27:
                quote = c
                inWord = true
            case UInt8(ascii: "\\"):
                if k + 1 < u.count {
                    if u[k + 1] == 0x0A { k += 2; continue }
                    word.append(u[k + 1])
                    inWord = true
                    k += 2
                    continue
                }
            case 0x20, 0x09:
                endWord()
            case 0x0A:
                endCommand("\n")
            case UInt8(ascii: ";"):
                endCommand(";")
            case UInt8(ascii: "&"):
                if k + 1 < u.count, u[k + 1] == UInt8(ascii: "&") { endCommand("&&"); k += 2; continue }
                if k > 0, u[k - 1] == UInt8(ascii: ">") || u[k - 1] == UInt8(ascii: "<") { word.append(c); inWord = true }
                else if k + 1 < u.count, u[k + 1] == UInt8(ascii: ">") { word.append(c); inWord = true }
                else { endCommand("&") }
            case UInt8(ascii: "|"):
                if k + 1 < u.count, u[k + 1] == UInt8(ascii: "|") { endCommand("||"); k += 2; continue }
                endCommand("|")
            case UInt8(ascii: "(") where substitution > 0 || (inWord && word.last == UInt8(ascii: "$")):
                // `$(...)` command substitution stays inside the word; its commands are read afterwards.
                if substitution == 0 { substitutionStart = k + 1 }
                substitution += 1
                word.append(c)
            case UInt8(ascii: ")") where substitution > 0:
                substitution -= 1
                word.append(c)
                if substitution == 0 { inner.append(substitutionStart..<k) }
            case UInt8(ascii: "`"):
                inWord = true
                k = quotedSubstitution(at: k)
                continue
            case UInt8(ascii: "("), UInt8(ascii: ")"):
                // Grouping: a command boundary, so `(cd x && make)` still yields `cd` and `make`.
                endCommand(";")
            case UInt8(ascii: "{"), UInt8(ascii: "}"):
                if !inWord { endCommand(";") } else { word.append(c) }
            case UInt8(ascii: "#") where !inWord:
                // A comment runs to the end of the line.
                while k < u.count, u[k] != 0x0A { k += 1 }
                continue
            default:
                word.append(c)
                inWord = true
            }
            k += 1
        }
        endCommand("")
        if depth < maxSubstitutionDepth {
            for r in inner where !r.isEmpty {
                out.append(contentsOf: commands(Array(u[r]), base: base + r.lowerBound, depth: depth + 1))
            }
        }
        return out
    }

    /// Groups commands into pipelines (`a | b | c`).
    public static func pipelines(_ cmds: [ShellCommand]) -> [[ShellCommand]] {
        var out: [[ShellCommand]] = []
        var cur: [ShellCommand] = []
        for c in cmds {
            cur.append(c)
            if c.next != "|" { out.append(cur); cur = [] }
        }
        if !cur.isEmpty { out.append(cur) }
        return out
    }
}
