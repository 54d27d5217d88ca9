import Foundation

/// One `docker exec` command the audit log recorded (an EXECVE record of the docker client, rule key `docker`).
public struct AuditedExec: Sendable, Equatable {
    /// The container as typed: a name or an id prefix.
    public var container: String
    public var privileged: Bool
    /// The `--user` value, when given.
    public var user: String?
    public var argv: [String]
    /// When it ran (the record's time stamp).
    public var time: Date
    /// The audit event's serial number.
    public var serial: Int

    /// The command as a person would read it, with environment values left out (`-e TOKEN=…`): they may be secrets.
    public var displayCommand: String {
        var words: [String] = []
        var hideNext = false
        for word in argv {
            if hideNext {
                words.append(Self.redacted(word))
                hideNext = false
            } else if word == "-e" || word == "--env" {
                words.append(word)
                hideNext = true
            } else if word.hasPrefix("--env=") {
                words.append("--env=" + Self.redacted(String(word.dropFirst(6))))
            } else if word.hasPrefix("-e"), word.count > 2, !word.hasPrefix("--") {
                words.append("-e" + Self.redacted(String(word.dropFirst(2))))
            } else {
                words.append(word.contains(" ") ? "'\(word)'" : word)
            }
        }
        let text = words.joined(separator: " ")
        return text.count > 200 ? String(text.prefix(199)) + "…" : text
    }

    static func redacted(_ assignment: String) -> String {
        guard let eq = assignment.firstIndex(of: "=") else { return assignment }
        return String(assignment[...eq]) + "…"
    }

    /// `--user root`, `-u 0`, `-u 0:0`, `--user=root:staff`.
    public var asRoot: Bool { user.map(Self.isRoot) ?? false }

    /// Whether a `user[:group]` value names root.
    public static func isRoot(_ user: String) -> Bool {
        let name = user.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return name == "root" || name == "0"
    }
}

/// What the audit log says about `docker exec` (CIS 5.23/5.24's audit: `ausearch -k docker | grep exec`): the engine
/// forgets finished exec sessions, so only the audit log can say whether `docker exec --privileged` or
/// `--user=root` was used. Without records of docker commands the checks cannot judge, and say so.
public struct ExecAuditLog: Sendable {
    /// Where the records came from, or why there are none ("ausearch not installed", "cannot read …").
    public var source: String
    /// Whether the absence of a privileged or root exec in `execs` means something: the log holds records of
    /// docker commands, or the loaded rules watch the docker client (nothing was run since).
    public var judged: Bool
    /// Docker client commands recorded (any subcommand).
    public var dockerCommands: Int
    public var execs: [AuditedExec]
    /// The docker client on PATH, for the rule to add (`-w <it> -p x -k docker`).
    public var clientBinary: String

    public init(source: String, judged: Bool, dockerCommands: Int = 0, execs: [AuditedExec] = [], clientBinary: String = "/usr/bin/docker") {
        self.source = source; self.judged = judged; self.dockerCommands = dockerCommands; self.execs = execs
        self.clientBinary = clientBinary
    }

    public static let notRead = ExecAuditLog(source: "not read", judged: false)

    /// The rule that makes docker commands auditable.
    public var ruleAdvice: String { "add `-w \(clientBinary) -p x -k docker` to the audit rules (auditd)" }

    /// Whether a rule watches a docker client binary (`-w /usr/bin/docker …` or `-F path=/usr/local/bin/docker`).
    static func rulesWatchClient(_ rules: AuditRules) -> Bool {
        rules.lines.contains { line in
            let words = line.split(separator: " ").map(String.init)
            var paths: [String] = []
            for (i, word) in words.enumerated() {
                if word == "-w", i + 1 < words.count { paths.append(words[i + 1]) }
                if word.hasPrefix("path=") { paths.append(String(word.dropFirst(5))) }
            }
            return paths.contains { path in
                let url = URL(fileURLWithPath: path)
                return url.lastPathComponent == "docker" && url.deletingLastPathComponent().lastPathComponent.hasSuffix("bin")
            }
        }
    }

    /// Offenders per container among `execs` that `matches`: one per container (findings are per container), with
    /// the count and the latest command. `resolve` maps what was typed to a known container's name and id.
    func offenders(_ matches: (AuditedExec) -> Bool, what: String,
                   resolve: (String) -> (name: String, id: String?)) -> [Offender] {
        var byName: [String: (id: String?, execs: [AuditedExec])] = [:]
        for exec in execs where matches(exec) {
            let known = resolve(exec.container)
            byName[known.name, default: (known.id, [])].execs.append(exec)
        }
        let formatter = ISO8601DateFormatter()
        return byName.keys.sorted().map { name in
            let entry = byName[name]!
            let last = entry.execs.max { $0.time < $1.time }!
            let count = entry.execs.count
            return Offender(kind: "container", name: name, id: entry.id,
                            detail: "\(count) \(what) in the audit log, last `\(last.displayCommand)` at \(formatter.string(from: last.time))")
        }
    }

    // MARK: - ausearch --raw

    /// Reads `ausearch --raw -k docker -m EXECVE,SYSCALL` output: EXECVE records of the docker client, grouped by event.
    /// The client is known by its SYSCALL record's `exe` (or, without one, argv[0]) ending in `/docker`.
    static func parse(ausearchRaw text: String) -> (dockerCommands: Int, execs: [AuditedExec]) {
        var argvBySerial: [Int: [String]] = [:]
        var exeBySerial: [Int: String] = [:]
        var timeBySerial: [Int: Date] = [:]
        for line in text.split(separator: "\n") {
            guard let (type, time, serial, fields) = record(String(line)) else { continue }
            timeBySerial[serial] = time
            switch type {
            case "EXECVE": argvBySerial[serial] = arguments(fields)
            case "SYSCALL": if let exe = fields["exe"] { exeBySerial[serial] = unquote(exe) ?? decodeHex(exe) ?? exe }
            default: break
            }
        }
        var commands = 0
        var execs: [AuditedExec] = []
        for serial in argvBySerial.keys.sorted() {
            let argv = argvBySerial[serial] ?? []
            let program = exeBySerial[serial] ?? argv.first ?? ""
            guard program == "docker" || program.hasSuffix("/docker") else { continue }
            commands += 1
            if var exec = DockerExecCommand.parse(argv) {
                exec.time = timeBySerial[serial] ?? Date(timeIntervalSince1970: 0)
                exec.serial = serial
                execs.append(exec)
            }
        }
        return (commands, execs)
    }

    /// `type=EXECVE msg=audit(1796172146.871:1275): argc=5 a0="docker" …` → type, time, serial, key=value fields
    /// (values as written: quoted ones keep their quotes, which tell a literal from hex).
    static func record(_ line: String) -> (String, Date, Int, [String: String])? {
        guard line.hasPrefix("type="), let open = line.range(of: "msg=audit("),
              let close = line.range(of: "):", range: open.upperBound..<line.endIndex) else { return nil }
        let type = String(line[line.index(line.startIndex, offsetBy: 5)..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
        let stamp = line[open.upperBound..<close.lowerBound].split(separator: ":")
        guard stamp.count == 2, let seconds = Double(stamp[0]), let serial = Int(stamp[1]) else { return nil }
        // ENRICHED logs append interpreted fields after a 0x1D separator: the raw part is enough.
        let body = line[close.upperBound...].split(separator: "\u{1D}", maxSplits: 1).first.map(String.init) ?? ""
        var fields: [String: String] = [:]
        for token in body.split(separator: " ") {
            guard let eq = token.firstIndex(of: "=") else { continue }
            fields[String(token[..<eq])] = String(token[token.index(after: eq)...])
        }
        return (type, Date(timeIntervalSince1970: seconds), serial, fields)
    }

    /// a0…aN of an EXECVE record. A quoted value is literal; an unquoted one is hex (the kernel encodes arguments with
    /// spaces, quotes or control characters so); a long one comes in pieces `aN[0]`, `aN[1]`… with `aN_len`.
    static func arguments(_ fields: [String: String]) -> [String] {
        guard let argc = fields["argc"].flatMap(Int.init) else { return [] }
        func text(_ raw: String) -> String { unquote(raw) ?? decodeHex(raw) ?? raw }
        return (0..<argc).map { i in
            if let whole = fields["a\(i)"] { return text(whole) }
            var joined = ""
            var k = 0
            while let piece = fields["a\(i)[\(k)]"] { joined += text(piece); k += 1 }
            return joined
        }
    }

    /// The text of a `"quoted"` value; nil when it is not quoted.
    static func unquote(_ value: String) -> String? {
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return nil }
        return String(value.dropFirst().dropLast())
    }

    /// The kernel's hex encoding of an argument, or nil when `value` is not hex (a plain argument).
    static func decodeHex(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard !bytes.isEmpty, bytes.count % 2 == 0,
              bytes.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x46) }) else { return nil }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            guard let b = UInt8(String(decoding: bytes[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            out.append(b)
            i += 2
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Reads a docker client command line the way the docker CLI parses it, far enough to find `exec`, its
/// `--privileged` and `--user`, and the container.
enum DockerExecCommand {
    /// Global options that take a value (`docker --host X exec …`).
    static let globalWithValue: Set<String> = ["-H", "--host", "-c", "--context", "--config", "-l", "--log-level",
                                               "--tlscacert", "--tlscert", "--tlskey"]
    /// `exec` options that take a value.
    static let execWithValue: Set<String> = ["-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys"]
    static let execShortWithValue: Set<Character> = ["e", "u", "w"]

    /// The exec a command line runs, or nil for any other command. Time and serial are left to the caller.
    static func parse(_ argv: [String]) -> AuditedExec? {
        var i = 1
        // Global options, then `exec` or `container exec`.
        while i < argv.count, argv[i].hasPrefix("-") {
            let flag = argv[i]
            i += globalWithValue.contains(flag) ? 2 : 1
        }
        guard i < argv.count else { return nil }
        if argv[i] == "container" { i += 1 }
        guard i < argv.count, argv[i] == "exec" else { return nil }
        i += 1
        var privileged = false
        var user: String?
        while i < argv.count, argv[i].hasPrefix("-"), argv[i] != "-" {
            let token = argv[i]
            i += 1
            if token == "--" { break }
            if token.hasPrefix("--") {
                let parts = token.split(separator: "=", maxSplits: 1).map(String.init)
                let name = parts[0]
                var value = parts.count == 2 ? parts[1] : nil
                if value == nil, execWithValue.contains(name), i < argv.count { value = argv[i]; i += 1 }
                if name == "--privileged" { privileged = value.map { $0.lowercased() != "false" } ?? true }
                if name == "--user" { user = value }
                continue
            }
            // Short options, possibly combined: -it, -iu root, -uroot, -u=root.
            var letters = Substring(token.dropFirst())
            while let letter = letters.first {
                letters = letters.dropFirst()
                guard execShortWithValue.contains(letter) else { continue }
                var value = String(letters)
                if value.hasPrefix("=") { value.removeFirst() }
                if value.isEmpty, i < argv.count { value = argv[i]; i += 1 }
                if letter == "u" { user = value }
                break
            }
        }
        guard i < argv.count else { return nil }
        return AuditedExec(container: argv[i], privileged: privileged, user: user, argv: argv,
                           time: Date(timeIntervalSince1970: 0), serial: 0)
    }
}
