#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// README.md's command list itself: every exception names a command that is still in the README, no example
/// relies on a test-only plugin, and every example that needs the internet has an offline one in its block.
@Suite struct ReadmeCommandListTests {
    @Test func theReadmeIsParsed() {
        let texts = ReadmeExamples.commands.map(\.text)
        #expect(texts.count > 40, "\(texts.count) commands")
        // Continuation lines are joined; trailing comments dropped.
        #expect(texts.contains { $0.hasPrefix("CONTSEC_TRIVY_CACHE=/var/lib/contsec-test/trivy-cache .build/debug/contsec workflow") })
        #expect(texts.contains("contsec run iac-scan rules"))
        #expect(!texts.contains { $0.hasPrefix("#") || $0.hasSuffix("\\") })
    }

    @Test func everyListedCommandIsInTheReadme() {
        let texts = Set(ReadmeExamples.commands.map(\.text))
        for key in ReadmeExamples.exceptions.keys.sorted() + ReadmeExamples.expectedExit.keys.sorted() {
            #expect(texts.contains(key), "ReadmeExamples lists a command README.md no longer has: \(key)")
        }
    }

    @Test func noExampleUsesATestOnlyPlugin() {
        for c in ReadmeExamples.commands {
            let words = c.text.split(separator: " ")
            #expect(!words.contains("testkit") && !words.contains("noop"), "README line \(c.line) uses a test-only plugin: \(c.text)")
        }
    }

    /// An example that needs the internet has, in the same block, an offline example of the same plugin command
    /// that the tests run.
    @Test func internetExamplesHaveAnOfflineVariantBeside() {
        for c in ReadmeExamples.commands {
            guard case .needs(let why)? = ReadmeExamples.exceptions[c.text], why.contains("internet") || why.contains("Docker Hub") else { continue }
            // Only contsec's own examples: `contsec [options] run <plugin> <command>` (not `docker run ...`).
            let words = c.text.split(separator: " ")
            guard let contsec = words.firstIndex(where: { $0.hasSuffix("contsec") }),
                  let run = words[contsec...].firstIndex(of: "run"), run + 2 < words.count else { continue }
            let command = words[(run + 1)...(run + 2)].joined(separator: " ")
            let offline = ReadmeExamples.commands.filter {
                $0.block == c.block && ReadmeExamples.exceptions[$0.text] == nil && $0.text.contains(command)
            }
            #expect(!offline.isEmpty, "README line \(c.line) needs the internet and has no offline `\(command)` example beside it")
        }
    }
}

/// Every README command not listed in ReadmeExamples.exceptions, run as written, block by block in one bash each
/// (so an `export` carries to the next line, as when a user pastes a block), in README order, in a sandbox that
/// has the repository's examples/ and sdk-protocol/, `.build/debug/contsec` and `contsec` on PATH, and a fresh HOME.
/// Engine, trivy and registry commands need scripts/test-env.sh; hence the DockerEngine name.
@Suite(.serialized) struct DockerEngineReadmeExampleTests {
    static func available(_ r: ReadmeExamples.Requirement) -> Bool {
        switch r {
        case .docker:
            guard let docker = ["/usr/bin/docker", "/usr/local/bin/docker"].first(where: FileManager.default.isExecutableFile(atPath:)),
                  let result = try? CompletionTests.run(docker, ["info", "--format", "{{.ServerVersion}}"]) else { return false }
            return result.code == 0
        case .trivyDatabase:
            return FileManager.default.fileExists(atPath: "/var/lib/contsec-test/trivy-cache/db/trivy.db")
        case .tool(let name):
            let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
        }
    }

    static func sandbox() throws -> (dir: String, env: [String: String]) {
        let dir = try temporaryFolder("readme")
        let fm = FileManager.default
        for folder in ["examples", "sdk-protocol"] {
            try fm.copyItem(atPath: Paths.packageRoot + "/" + folder, toPath: dir + "/" + folder)
        }
        // Only the contsec binary: the plugins are found beside its real path, and nothing walks into the build.
        try fm.createDirectory(atPath: dir + "/.build/debug", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir + "/.build/debug/contsec", withDestinationPath: Paths.contsec)
        try fm.createDirectory(atPath: dir + "/.bin", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: dir + "/.bin/contsec", withDestinationPath: Paths.contsec)
        try fm.createDirectory(atPath: dir + "/.home", withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CONTSEC_") }
        env["HOME"] = dir + "/.home"
        env["PATH"] = dir + "/.bin:" + (env["PATH"] ?? "/usr/bin:/bin")
        env["LANG"] = "C.UTF-8"
        return (dir, env)
    }

    struct Outcome {
        var code: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `commands` in one bash, in `dir`; each command's exit status, stdout and stderr.
    static func runBlock(_ commands: [String], in dir: String, env: [String: String], timeout: TimeInterval = 600) throws -> [Outcome] {
        let out = dir + "/.readme-out-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        var script = "cd \(CompletionTests.quote(dir))\nexec 3>\(CompletionTests.quote(out + "/codes"))\n"
        for (i, c) in commands.enumerated() {
            // A group, not a subshell: `export` and `cd` carry on to the next command.
            script += "{ \(c)\n} >\(CompletionTests.quote("\(out)/\(i).out")) 2>\(CompletionTests.quote("\(out)/\(i).err")) </dev/null; echo \"\(i) $?\" >&3\n"
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["--norc", "--noprofile", "-c", script]
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(-p.processIdentifier, SIGKILL); p.terminate(); throw TestFailure("README block did not finish within \(timeout) s") }
        let codes = ((try? String(contentsOfFile: out + "/codes", encoding: .utf8)) ?? "").split(separator: "\n").reduce(into: [Int: Int32]()) {
            let parts = $1.split(separator: " ")
            if parts.count == 2, let i = Int(parts[0]), let c = Int32(parts[1]) { $0[i] = c }
        }
        return commands.indices.map { i in
            Outcome(code: codes[i] ?? -1, stdout: (try? String(contentsOfFile: "\(out)/\(i).out", encoding: .utf8)) ?? "",
                    stderr: (try? String(contentsOfFile: "\(out)/\(i).err", encoding: .utf8)) ?? "")
        }
    }

    @Test func everyReadmeCommandRunsAsWritten() throws {
        let (dir, env) = try Self.sandbox()
        let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
        var availability: [ReadmeExamples.Requirement: Bool] = [:]
        var ran = 0
        for block in Set(ReadmeExamples.commands.map(\.block)).sorted() {
            var toRun: [(ReadmeExamples.Command, String)] = []
            for c in ReadmeExamples.commands where c.block == block {
                var text = c.text
                switch ReadmeExamples.exceptions[c.text] {
                case .runInstead(let other, _)?: text = other
                case nil: break
                default: continue
                }
                let missing = ReadmeExamples.requirements(for: text).filter { r in
                    if availability[r] == nil { availability[r] = Self.available(r) }
                    return availability[r] == false
                }
                if !missing.isEmpty {
                    let why = "README line \(c.line) not run: it needs \(missing.map(\.description).joined(separator: " and "))"
                    if isCI { Issue.record(Comment(rawValue: "CI=true: " + why)) } else { print(why) }
                    continue
                }
                toRun.append((c, text))
            }
            guard !toRun.isEmpty else { continue }
            let outcomes = try Self.runBlock(toRun.map(\.1), in: dir, env: env)
            for ((c, text), o) in zip(toRun, outcomes) {
                ran += 1
                let expected = ReadmeExamples.expectedExit[c.text] ?? 0
                #expect(o.code == expected, """
                    README line \(c.line): `\(text)` exited \(o.code), expected \(expected).
                    If it cannot run here, list it in ReadmeExamples.exceptions with the reason.
                    stdout: \(o.stdout.suffix(1500))
                    stderr: \(o.stderr.suffix(1500))
                    """)
            }
        }
        #expect(ran >= 20, "only \(ran) README commands ran")
    }
}
