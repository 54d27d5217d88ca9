import ContsecProtocol

/// Rules CS-DF-001...037 over a parsed Dockerfile.
enum DockerfileRules {
    static func check(_ df: Dockerfile, _ sink: inout FindingSink) {
        var seenNames = Set<String>()
        // ARGs before the first FROM are build args too.
        for inst in df.instructions {
            if inst.keyword == "FROM" { break }
            if inst.keyword == "ARG" { checkArg(inst, stage: "global", &sink) }
        }
        var pipefailByStage: [Bool] = []
        for stage in df.stages {
            let label = stage.name ?? "stage \(stage.index)"
            checkFrom(stage, label: label, &sink)
            if let n = stage.name?.lowercased() {
                if seenNames.contains(n) {
                    sink.report("CS-DF-021", line: stage.from.startLine, message: "Stage name '\(stage.name!)' is already used by an earlier FROM.",
                                locator: "dup|\(n)|\(stage.index)")
                }
                seenNames.insert(n)
            }
            // True when pipes cannot hide failures: SHELL set with pipefail, or a non-POSIX shell
            // (PowerShell, cmd), including Windows images whose default shell is cmd (escape=`).
            var pipefail = stage.parentStageIndex.map { pipefailByStage[$0] } ?? (df.escape == UInt8(ascii: "`"))
            var cmds = 0, entrypoints = 0
            let isFinal = stage.index == df.stages.count - 1
            // The previous instruction when it was a RUN: its flags and number of commands (hadolint DL3059).
            var lastRun: (flags: [Instruction.Flag], commands: Int)? = nil
            for inst in stage.instructions {
                if inst.keyword != "RUN" { lastRun = nil }
                switch inst.keyword {
                case "ADD": checkAdd(inst, label: label, &sink)
                case "ENV": checkEnv(inst, label: label, &sink)
                case "ARG": checkArg(inst, stage: label, &sink)
                case "RUN":
                    let n = checkRun(inst, stage: stage, label: label, pipefail: pipefail, isFinal: isFinal, &sink)
                    // Only single-command neighbours: chained commands (`a && b`) in separate RUNs are a choice (hadolint's spec).
                    if let prev = lastRun, prev.flags == inst.flags, prev.commands <= 1, n <= 1 {
                        sink.report("CS-DF-033", line: inst.startLine, endLine: inst.endLine,
                                    message: "RUN follows another single-command RUN with the same options; each RUN adds a layer.",
                                    locator: "\(label)|RUN|\(collapse(inst.commandText))")
                    }
                    lastRun = (inst.flags, n)
                case "SHELL":
                    if let words = inst.execForm, let sh = words.first {
                        let name = String(sh.split(separator: "/").last ?? "")
                        let posix = ["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"].contains(name)
                        // `sh -o pipefail` does not count: /bin/sh is dash on Debian/Ubuntu, which has long lacked
                        // the option (hadolint DL4006 warns there too).
                        let knowsPipefail = ["bash", "ash", "zsh", "ksh", "mksh"].contains(name)
                        pipefail = (knowsPipefail && words.contains("pipefail")) || !posix
                    }
                case "EXPOSE": checkExpose(inst, stage: stage, label: label, &sink)
                case "MAINTAINER":
                    sink.report("CS-DF-019", line: inst.startLine, message: "MAINTAINER is deprecated.", locator: "\(label)|MAINTAINER")
                case "WORKDIR": checkWorkdir(inst, label: label, &sink)
                case "CMD", "ENTRYPOINT":
                    let isCmd = inst.keyword == "CMD"
                    if isCmd { cmds += 1 } else { entrypoints += 1 }
                    if (isCmd ? cmds : entrypoints) > 1 {
                        sink.report(isCmd ? "CS-DF-022" : "CS-DF-023", line: inst.startLine, endLine: inst.endLine,
                                    message: "\(inst.keyword) appears more than once in \(label); only the last one takes effect.",
                                    locator: "\(label)|\(inst.keyword)|\(isCmd ? cmds : entrypoints)")
                    }
                    if inst.execForm == nil, !inst.arguments.isEmpty {
                        sink.report("CS-DF-026", line: inst.startLine, endLine: inst.endLine,
                                    message: "\(inst.keyword) uses the shell form; the process runs under /bin/sh -c and does not receive signals.",
                                    locator: "\(label)|\(inst.keyword)|\(collapse(inst.arguments))")
                    }
                default: break
                }
            }
            pipefailByStage.append(pipefail)
        }
        checkUser(df, &sink)
        checkHealthcheck(df, &sink)
    }

    static func collapse(_ s: String) -> String {
        s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).joined(separator: " ")
    }

    /// The chain of stages the final image is built from, final stage first.
    static func finalChain(_ df: Dockerfile) -> [Stage] {
        var chain: [Stage] = []
        var cur = df.stages.last
        while let s = cur {
            chain.append(s)
            cur = s.parentStageIndex.map { df.stages[$0] }
            if chain.count > df.stages.count { break }
        }
        return chain
    }

    // MARK: FROM

    static func checkFrom(_ stage: Stage, label: String, _ sink: inout FindingSink) {
        guard stage.parentStageIndex == nil, stage.image.lowercased() != "scratch", !stage.imageHasUnresolvedVariable else { return }
        switch Heuristics.imageTag(stage.image) {
        case .latest:
            sink.report("CS-DF-001", line: stage.from.startLine, message: "FROM \(stage.image) uses the mutable ':latest' tag.",
                        locator: "\(label)|FROM|\(stage.image)", properties: ["image": .string(stage.image)])
        case .none:
            sink.report("CS-DF-002", line: stage.from.startLine, message: "FROM \(stage.image) has no tag, so it resolves to ':latest'.",
                        locator: "\(label)|FROM|\(stage.image)", properties: ["image": .string(stage.image)])
        default: break
        }
    }

    // MARK: USER / HEALTHCHECK (final image)

    static func checkUser(_ df: Dockerfile, _ sink: inout FindingSink) {
        guard let final = df.stages.last else { return }
        for stage in finalChain(df) {
            guard let user = stage.instructions.last(where: { $0.keyword == "USER" }) else { continue }
            let value = VariableExpander.expand(user.arguments.trimmingSpaces, stage.variables, escape: df.escape).0
            let name = value.split(separator: ":", maxSplits: 1).first.map(String.init) ?? value
            if name == "root" || name == "0" {
                sink.report("CS-DF-004", line: user.startLine, message: "The last USER of the final image is '\(value)'.",
                            locator: "USER|\(value)")
            }
            return
        }
        sink.report("CS-DF-003", line: final.from.startLine,
                    message: "The final stage (FROM \(final.rawImage)) never sets USER, so the container runs as root.",
                    locator: "final|\(final.rawImage)")
    }

    static func checkHealthcheck(_ df: Dockerfile, _ sink: inout FindingSink) {
        guard let final = df.stages.last else { return }
        for stage in finalChain(df) where stage.instructions.contains(where: { $0.keyword == "HEALTHCHECK" }) { return }
        sink.report("CS-DF-016", line: final.from.startLine,
                    message: "The final image (FROM \(final.rawImage)) has no HEALTHCHECK.", locator: "final|\(final.rawImage)")
    }

    // MARK: ADD / ENV / ARG / EXPOSE / WORKDIR

    static let archiveSuffixes = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst"]

    static func checkAdd(_ inst: Instruction, label: String, _ sink: inout FindingSink) {
        guard inst.heredocs.isEmpty else { return }
        let words = inst.execForm ?? ShellWords.split(inst.arguments)
        guard words.count >= 2 else { return }
        let sources = words.dropLast()
        let remote = sources.filter { $0.hasPrefix("http://") || $0.hasPrefix("https://") || $0.hasPrefix("git@") }
        if !remote.isEmpty, inst.flag("checksum") == nil {
            sink.report("CS-DF-006", line: inst.startLine, endLine: inst.endLine,
                        message: "ADD fetches \(remote[0]) with no integrity check.", locator: "\(label)|ADD|\(collapse(inst.arguments))")
        }
        let local = sources.filter { s in
            !(s.hasPrefix("http://") || s.hasPrefix("https://") || s.hasPrefix("git@"))
                && !archiveSuffixes.contains(where: { s.lowercased().hasSuffix($0) })
        }
        if !local.isEmpty {
            sink.report("CS-DF-005", line: inst.startLine, endLine: inst.endLine,
                        message: "ADD \(local.joined(separator: " ")) copies local files; COPY is explicit and does not auto-extract or fetch.",
                        locator: "\(label)|ADD|\(collapse(inst.arguments))")
        }
    }

    static func checkEnv(_ inst: Instruction, label: String, _ sink: inout FindingSink) {
        for (k, v) in DockerfileParser.keyValues(inst.arguments, allowSpaceForm: true)
        where Heuristics.looksLikeSecretName(k) && Heuristics.isLiteralSecretValue(v ?? "") {
            // The value itself is never copied into the finding.
            sink.report("CS-DF-007", line: lineOfWord(k, in: inst), endLine: inst.endLine,
                        message: "ENV \(k) is set to a literal value that is stored in the image layers.",
                        locator: "\(label)|ENV|\(k)", properties: ["variable": .string(k)])
        }
    }

    static func checkArg(_ inst: Instruction, stage label: String, _ sink: inout FindingSink) {
        for (k, v) in DockerfileParser.keyValues(inst.arguments, allowSpaceForm: false) where Heuristics.looksLikeSecretName(k) {
            let msg = v.map { Heuristics.isLiteralSecretValue($0) ? "ARG \(k) has a literal default value" : "ARG \(k) carries a secret" }
                ?? "ARG \(k) carries a secret"
            sink.report("CS-DF-008", line: lineOfWord(k, in: inst), endLine: inst.endLine,
                        message: msg + "; build arguments are recorded in the image history.",
                        locator: "\(label)|ARG|\(k)", properties: ["variable": .string(k)])
        }
    }

    /// The line of a continued ENV/ARG on which `name` is declared (its first whole-word occurrence).
    static func lineOfWord(_ name: String, in inst: Instruction) -> Int {
        let hay = Array(inst.arguments.utf8), needle = Array(name.utf8)
        guard !needle.isEmpty, hay.count >= needle.count else { return inst.startLine }
        func isNameByte(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F }
        var k = 0
        while k + needle.count <= hay.count {
            if hay[k] == needle[0], hay[k..<(k + needle.count)].elementsEqual(needle),
               k == 0 || !isNameByte(hay[k - 1]), k + needle.count == hay.count || !isNameByte(hay[k + needle.count]) {
                return inst.line(atCommandOffset: k)
            }
            k += 1
        }
        return inst.startLine
    }

    static func checkExpose(_ inst: Instruction, stage: Stage, label: String, _ sink: inout FindingSink) {
        for w in ShellWords.split(inst.arguments) {
            let expanded = VariableExpander.expand(w, stage.variables).0
            let port = expanded.split(separator: "/").first.map(String.init) ?? expanded
            if port == "22" {
                sink.report("CS-DF-015", line: inst.startLine, message: "EXPOSE \(expanded) publishes the SSH port.",
                            locator: "\(label)|EXPOSE|22")
            }
        }
    }

    static func checkWorkdir(_ inst: Instruction, label: String, _ sink: inout FindingSink) {
        var p = inst.arguments.trimmingSpaces
        if p.count >= 2, p.first == "\"" || p.first == "'", p.last == p.first { p = String(p.dropFirst().dropLast()) }
        guard !p.isEmpty, !p.hasPrefix("/"), !p.hasPrefix("$") else { return }
        let u = Array(p.utf8)
        if u.count >= 2, u[1] == UInt8(ascii: ":") { return } // Windows drive letter
        sink.report("CS-DF-020", line: inst.startLine, message: "WORKDIR \(p) is relative to whatever the previous WORKDIR was.",
                    locator: "\(label)|WORKDIR|\(p)")
    }

    // MARK: RUN

    static let shells: Set<String> = ["sh", "bash", "zsh", "dash", "ash", "ksh", "python", "python3", "perl", "ruby", "node", "/bin/sh", "/bin/bash", "/usr/bin/env"]

    static func subcommand(_ args: [String]) -> String? { args.first { !$0.hasPrefix("-") } }

    /// Checks one RUN; returns how many simple commands it runs.
    @discardableResult
    static func checkRun(_ inst: Instruction, stage: Stage, label: String, pipefail: Bool, isFinal: Bool, _ sink: inout FindingSink) -> Int {
        let text = inst.commandText
        let raw = ShellWords.commands(text)
        let cmds = raw.map(\.withoutSudo)
        let loc = "\(label)|RUN|\(collapse(text))"
        // Findings point at the line of the offending command inside a multi-line RUN or heredoc.
        func report(_ id: String, _ message: String, at cmd: ShellCommand? = nil) {
            let line = cmd.map { inst.line(atCommandOffset: $0.offset) } ?? inst.startLine
            sink.report(id, line: line, endLine: inst.endLine, message: message, locator: loc)
        }
        let mounts = inst.flagValues("mount").joined(separator: " ")

        if let sudo = raw.first(where: { $0.name == "sudo" }) { report("CS-DF-014", "RUN uses sudo.", at: sudo) }

        let pipelines = ShellWords.pipelines(cmds)
        var firstPipe: ShellCommand? = nil
        for p in pipelines where p.count > 1 {
            if firstPipe == nil { firstPipe = p[0] }
            if let fetch = p.firstIndex(where: { $0.name == "curl" || $0.name == "wget" }),
               let sh = p[(fetch + 1)...].first(where: { shells.contains($0.name) }) {
                report("CS-DF-009", "RUN pipes the output of \(p[fetch].name) straight into \(sh.name).", at: p[fetch])
                break
            }
        }
        if let pipe = firstPipe, inst.execForm == nil, !pipefail, !text.has("pipefail") {
            report("CS-DF-010", "RUN has a pipe but the shell does not use -o pipefail, so failures on the left side are ignored.", at: pipe)
        }

        var aptInstall: ShellCommand? = nil, firstUpdate: ShellCommand? = nil, anyInstall = false
        var reported = Set<String>()
        var c = ShellCommand(words: [], next: "")
        func once(_ id: String, _ message: String) {
            if reported.insert(id).inserted { report(id, message, at: c) }
        }
        for cmd in cmds {
            c = cmd
            let args = c.args
            let sub = subcommand(args)
            switch c.name {
            case "apt-get":
                if sub == "install" {
                    if aptInstall == nil { aptInstall = c }
                    anyInstall = true
                    if !args.contains("--no-install-recommends"), !args.contains(where: { $0.contains("Install-Recommends=false") || $0.contains("Install-Recommends=0") }) {
                        once("CS-DF-011", "apt-get install runs without --no-install-recommends.")
                    }
                    let unpinned = PackageInstalls.unpinnedApt(c, env: inst.environment)
                    if !unpinned.isEmpty {
                        once("CS-DF-012", "apt-get install of unpinned package(s): \(unpinned.prefix(5).joined(separator: ", ")).")
                    }
                } else if sub == "update" {
                    if firstUpdate == nil { firstUpdate = c }
                } else if sub == "upgrade" || sub == "dist-upgrade" {
                    once("CS-DF-028", "RUN runs apt-get \(sub!).")
                }
            case "apt":
                once("CS-DF-030", "RUN uses apt\(sub.map { " " + $0 } ?? ""); apt is meant for interactive use.")
                if sub == "install" { anyInstall = true }
                if sub == "update", firstUpdate == nil { firstUpdate = c }
            case "apk":
                if sub == "add" {
                    anyInstall = true
                    if !args.contains("--no-cache"), !mounts.has("/var/cache/apk") {
                        once("CS-DF-024", "apk add runs without --no-cache.")
                    }
                    let unpinned = PackageInstalls.unpinnedApk(c, env: inst.environment)
                    if !unpinned.isEmpty {
                        once("CS-DF-032", "apk add of unpinned package(s): \(unpinned.prefix(5).joined(separator: ", ")).")
                    }
                } else if sub == "update", firstUpdate == nil { firstUpdate = c }
            case "yum", "dnf", "microdnf", "zypper":
                if sub == "install" || sub == "in" {
                    anyInstall = true
                    let tool = c.name == "microdnf" ? "dnf" : c.name
                    let cleaned = text.has("\(c.name) clean") || text.has("/var/cache/\(tool)") || (tool == "zypper" && text.has("zypper cc"))
                    if !cleaned, !mounts.has("/var/cache/\(tool)") {
                        once("CS-DF-031", "\(c.name) install without cleaning its cache in the same RUN.")
                    }
                } else if sub == "update" || sub == "makecache" || sub == "refresh" || sub == "ref", firstUpdate == nil {
                    firstUpdate = c
                }
            case _ where PackageInstalls.isPipInstall(c):
                if !args.contains("--no-cache-dir"), !pipCacheDisabled(c, earlier: cmds.prefix { $0 != c }, stage: stage),
                   !cacheMountHoldsPipCache(inst) {
                    once("CS-DF-025", "pip install runs without --no-cache-dir.")
                }
                let unpinned = PackageInstalls.unpinnedPip(c, env: inst.environment)
                if !unpinned.isEmpty {
                    once("CS-DF-034", "pip install of unpinned package(s): \(unpinned.prefix(5).joined(separator: ", ")).")
                }
            case "chmod":
                let modes: Set<String> = ["777", "0777", "a+rwx", "ugo+rwx", "o+rwx", "o+w", "a+w", "=rwx"]
                if let m = args.first(where: { modes.contains($0) }) {
                    once("CS-DF-017", "chmod \(m) makes files writable by every user.")
                }
            case "curl":
                if args.contains("--insecure") || args.contains(where: { $0.hasPrefix("-") && !$0.hasPrefix("--") && $0.contains("k") }) {
                    once("CS-DF-027", "curl runs with certificate verification disabled (-k/--insecure).")
                }
            case "wget":
                if args.contains("--no-check-certificate") {
                    once("CS-DF-027", "wget runs with --no-check-certificate.")
                }
                if !wgetIsQuiet(args) {
                    once("CS-DF-035", "wget runs without --progress=dot:giga, -q or -nv; its progress bar floods the build log.")
                }
            case _ where c.name.split(separator: "/").last == "npm":
                let unpinned = PackageInstalls.unpinnedNpm(c, env: inst.environment)
                if !unpinned.isEmpty {
                    once("CS-DF-037", "npm install of unpinned package(s): \(unpinned.prefix(5).joined(separator: ", ")).")
                }
            case _ where c.name.split(separator: "/").last == "go":
                let unpinned = PackageInstalls.unpinnedGo(c, env: inst.environment)
                if !unpinned.isEmpty {
                    once("CS-DF-036", "go \(sub ?? "install") of a module without a pinned version: \(unpinned.prefix(3).joined(separator: ", ")).")
                }
            case "cd":
                once("CS-DF-029", "RUN changes directory with cd.")
            default: break
            }
        }
        if let install = aptInstall, isFinal, !text.has("/var/lib/apt/lists"), !mounts.has("/var/lib/apt") {
            report("CS-DF-013", "apt-get install leaves /var/lib/apt/lists in the final image.", at: install)
        }
        if let update = firstUpdate, !anyInstall {
            report("CS-DF-018", "The package index is updated in a RUN that installs nothing; a later install uses a stale cached layer.", at: update)
        }
        return cmds.count
    }

    /// PIP_NO_CACHE_DIR set to a true value (1, on, yes, true) for this pip: on the command itself
    /// (`PIP_NO_CACHE_DIR=1 pip install`), by an earlier `export` in the same RUN, or by ENV. A false value
    /// (`0`, `off`...) keeps the cache, as pip reads it (hadolint DL3042 agrees).
    static func pipCacheDisabled(_ c: ShellCommand, earlier: ArraySlice<ShellCommand>, stage: Stage) -> Bool {
        let key = "PIP_NO_CACHE_DIR="
        var value: String? = c.words.prefix { $0.hasByte("=") && !$0.hasPrefix("-") }.last { $0.hasPrefix(key) }.map { String($0.dropFirst(key.count)) }
        if value == nil {
            value = earlier.reversed().lazy.compactMap { cmd in
                cmd.name == "export" ? cmd.args.last { $0.hasPrefix(key) }.map { String($0.dropFirst(key.count)) } : nil
            }.first
        }
        guard let v = value ?? stage.variables["PIP_NO_CACHE_DIR"] else { return false }
        return ["1", "on", "yes", "true"].contains(v.trimmingSpaces.lowercased())
    }

    /// `RUN --mount=type=cache,target=/root/.cache/pip`: pip's cache lives in the mount, not in the layer, so
    /// `--no-cache-dir` would only throw the build cache away.
    static func cacheMountHoldsPipCache(_ inst: Instruction) -> Bool {
        let pipCacheDir = inst.environment["PIP_CACHE_DIR"]
        for mount in inst.flagValues("mount") {
            var type = "bind", target = ""
            for part in mount.split(separator: ",") {
                let kv = part.split(separator: "=", maxSplits: 1).map(String.init)
                guard kv.count == 2 else { continue }
                switch kv[0] {
                case "type": type = kv[1]
                case "target", "dst", "destination": target = Heuristics.normalizedPath(kv[1])
                default: break
                }
            }
            guard type == "cache" else { continue }
            if target.hasSuffix("/.cache/pip") || target.hasSuffix("/.cache") || target == pipCacheDir.map(Heuristics.normalizedPath) {
                return true
            }
        }
        return false
    }

    /// wget with `--progress`, quiet or no-verbose output, or a log file (hadolint DL3047's exceptions).
    static func wgetIsQuiet(_ args: [String]) -> Bool {
        for a in args {
            if a.hasPrefix("--progress") || a == "--quiet" || a == "--no-verbose" || a == "-nv" || a.hasPrefix("--output-file")
                || a.hasPrefix("--append-output") { return true }
            // Short options may be grouped (`-qO-`): q (quiet), o (log file) and a (append log) count; O and the
            // letters after it are the output document.
            if a.hasPrefix("-"), !a.hasPrefix("--") {
                for ch in a.dropFirst() {
                    if ch == "q" || ch == "o" || ch == "a" { return true }
                    if ch == "O" || ch == "P" || ch == "e" { break }
                }
            }
        }
        return false
    }
}
