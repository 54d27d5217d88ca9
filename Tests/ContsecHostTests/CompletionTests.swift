#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// `contsec completion bash|zsh|fish`, exercised in the real shells: the generated bash function is driven the way
/// bash drives it (COMP_WORDS / COMP_CWORD, then COMPREPLY), fish answers `complete -C`, and the zsh function runs
/// with zsh's completion builtins replaced by stubs that print what they were offered.
/// Expected words come from the plugins' declarations in their sources (iac-scan: scan, rules; observability
/// setup --tracing: otel, none) and from contsec's command list.
@Suite struct CompletionTests {
    static let hostCommands: Set = ["plugins", "describe", "run", "workflow", "report", "plugin", "completion", "version", "help"]

    /// The script for `shell`, generated with a private HOME (so a private declaration cache).
    static func script(_ shell: String, home: String, extra: [String] = []) throws -> String {
        let r = try contsec(["completion", shell] + extra, env: ["HOME": home, "XDG_CACHE_HOME": home + "/cache"], timeout: 180)
        guard r.code == 0 else { throw TestFailure("completion \(shell): exit \(r.code): \(r.stderr)") }
        return r.stdout
    }

    static let bashScript: Result<String, Error> = Result { try script("bash", home: try temporaryFolder("compl-home")) }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }

    /// Runs `program` with `arguments`, returns stdout (stderr must be empty unless `allowStderr`).
    static func run(_ program: String, _ arguments: [String], cwd: String? = nil) throws -> (out: String, err: String, code: Int32) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        p.environment = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = DataBox(), e = DataBox()
        let g = DispatchGroup()
        DispatchQueue.global().async(group: g) { o.set(out.fileHandleForReading.readDataToEndOfFile()) }
        DispatchQueue.global().async(group: g) { e.set(err.fileHandleForReading.readDataToEndOfFile()) }
        g.wait()
        p.waitUntilExit()
        return (String(decoding: o.get(), as: UTF8.self), String(decoding: e.get(), as: UTF8.self), p.terminationStatus)
    }

    /// What bash offers for the command line `words` (the last word is the one under the cursor), through the
    /// function the script registers for contsec.
    static func bash(_ script: String, _ words: [String], cwd: String? = nil) throws -> [String] {
        let dir = try temporaryFolder("compl-bash")
        try script.write(toFile: dir + "/contsec.bash", atomically: true, encoding: .utf8)
        let driver = """
        source \(quote(dir + "/contsec.bash"))
        spec=$(complete -p contsec) && [[ $spec == 'complete -F _contsec contsec' ]] || { echo "not registered: $spec" >&2; exit 1; }
        COMP_WORDS=(\(words.map(quote).joined(separator: " ")))
        COMP_CWORD=\(words.count - 1)
        COMP_LINE=\(quote(words.joined(separator: " ")))
        COMP_POINT=${#COMP_LINE}
        _contsec
        printf '%s\\n' "${COMPREPLY[@]}"
        """
        let r = try run("/bin/bash", ["--norc", "--noprofile", "-c", driver], cwd: cwd)
        guard r.code == 0 else { throw TestFailure("bash failed (\(r.code)): \(r.err)") }
        return r.out.split(separator: "\n").map(String.init)
    }

    @Test func bashCompletesCommandsPluginsAndPluginCommands() throws {
        let s = try Self.bashScript.get()
        #expect(Set(try Self.bash(s, ["contsec", ""])) == Self.hostCommands)
        let plugins = Set(try Self.bash(s, ["contsec", "run", ""]))
        #expect(plugins.isSuperset(of: ["iac-scan", "cis-bench", "trivy-scanner", "registry", "netpolicy", "volume-crypt", "observability"]),
                "\(plugins)")
        #expect(Set(try Self.bash(s, ["contsec", "run", "iac-scan", ""])) == ["scan", "rules"])
        #expect(try Self.bash(s, ["contsec", "run", "iac-scan", "r"]) == ["rules"])
        #expect(Set(try Self.bash(s, ["contsec", "describe", "iac"])) == ["iac-scan"])
        #expect(Set(try Self.bash(s, ["contsec", "plugin", ""])) == ["test", "install", "uninstall"])
        #expect(Set(try Self.bash(s, ["contsec", "completion", ""])) == ["bash", "zsh", "fish"])
        // Global options and their values are skipped when finding the plugin and its command.
        #expect(Set(try Self.bash(s, ["contsec", "--format", "json", "run", "iac-scan", ""])) == ["scan", "rules"])
        #expect(Set(try Self.bash(s, ["contsec", "--plugin-path", "/nowhere", "-v", "run", "iac-scan", ""])) == ["scan", "rules"])
    }

    @Test func bashCompletesTypedFlags() throws {
        let s = try Self.bashScript.get()
        // A command's own flags, and the default command's when none is named (iac-scan scan has --severity, --dir).
        #expect(try Self.bash(s, ["contsec", "run", "iac-scan", "scan", "--sev"]) == ["--severity"])
        #expect(Set(try Self.bash(s, ["contsec", "run", "iac-scan", "--d"])) == ["--dir", "--dry-run"])
        // rules declares no --dir.
        #expect(!(try Self.bash(s, ["contsec", "run", "iac-scan", "rules", "--d"])).contains("--dir"))
        // An enumeration completes as its values, in both spellings (bash splits --flag=value at '=').
        #expect(Set(try Self.bash(s, ["contsec", "run", "observability", "setup", "--tracing", ""])) == ["otel", "none"])
        #expect(Set(try Self.bash(s, ["contsec", "run", "observability", "setup", "--tracing", "=", ""])) == ["otel", "none"])
        #expect(try Self.bash(s, ["contsec", "run", "observability", "setup", "--tracing", "=", "o"]) == ["otel"])
        #expect(Set(try Self.bash(s, ["contsec", "--format", ""])) == Set(["table", "json", "jsonl", "sarif"]))
        #expect(Set(try Self.bash(s, ["contsec", "run", "iac-scan", "--fail-on", ""])) == Set(Severity.allCases.map(\.rawValue)))
        // After a flag's value, flags again.
        #expect(try Self.bash(s, ["contsec", "run", "observability", "setup", "--tracing", "otel", "--dash"]) == ["--dashboard"])
    }

    @Test func bashCompletesPathFlagsAsFiles() throws {
        let s = try Self.bashScript.get()
        let dir = try temporaryFolder("compl-files")
        try "FROM scratch\n".write(toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/deploy", withIntermediateDirectories: true)
        #expect(try Self.bash(s, ["contsec", "run", "iac-scan", "scan", "--dir", "Do"], cwd: dir) == ["Dockerfile"])
        #expect(try Self.bash(s, ["contsec", "run", "iac-scan", "--dir", "de"], cwd: dir) == ["deploy"])
        #expect(try Self.bash(s, ["contsec", "workflow", "Do"], cwd: dir) == ["Dockerfile"])
        // A free-text flag offers nothing rather than files.
        #expect(try Self.bash(s, ["contsec", "run", "iac-scan", "scan", "--severity", "D"], cwd: dir).isEmpty)
    }

    /// The script carries the declarations: once generated, completing runs no plugin, and a second generation
    /// takes the declaration from the cache; a changed executable is asked again.
    @Test func completingNeverExecutesAPlugin() throws {
        let home = try temporaryFolder("compl-trip"), dir = try temporaryFolder("compl-tripdir")
        let marker = dir + "/executed", wrapper = dir + "/contsec-tripwire"
        func writeWrapper(_ comment: String) throws {
            try "#!/bin/sh\n# \(comment)\ntouch \(Self.quote(marker))\nexec \(Self.quote(Paths.products + "/test-plugin-noop"))\n"
                .write(toFile: wrapper, atomically: true, encoding: .utf8)
            chmod(wrapper, 0o755)
        }
        try writeWrapper("first")
        let script = try Self.script("bash", home: home, extra: ["--plugin-path", dir])
        #expect(FileManager.default.fileExists(atPath: marker), "the plugin is asked once, when the script is generated")
        try FileManager.default.removeItem(atPath: marker)
        // noop declares one command, run.
        #expect(try Self.bash(script, ["contsec", "run", "tripwire", ""]) == ["run"])
        #expect(try Self.bash(script, ["contsec", "run", ""]).contains("tripwire"))
        #expect(!FileManager.default.fileExists(atPath: marker), "completing executed the plugin")
        _ = try Self.script("bash", home: home, extra: ["--plugin-path", dir])
        #expect(!FileManager.default.fileExists(atPath: marker), "an unchanged plugin is answered from the cache")
        _ = try Self.script("fish", home: home, extra: ["--plugin-path", dir, "--cache-only"])
        #expect(!FileManager.default.fileExists(atPath: marker))
        try writeWrapper("changed")
        _ = try Self.script("bash", home: home, extra: ["--plugin-path", dir, "--cache-only"])
        #expect(!FileManager.default.fileExists(atPath: marker), "--cache-only asks no plugin")
        _ = try Self.script("bash", home: home, extra: ["--plugin-path", dir])
        #expect(FileManager.default.fileExists(atPath: marker), "a changed executable is asked again")
        // The cache is private.
        var st = stat()
        #expect(stat(home + "/cache/contsec/declarations.json", &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func fishCompletesFromTheGeneratedScript() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/fish") else {
            Issue.record("fish is not installed: apt-get install fish (scripts/test-env.sh installs it)"); return
        }
        let dir = try temporaryFolder("compl-fish")
        try Self.script("fish", home: dir).write(toFile: dir + "/contsec.fish", atomically: true, encoding: .utf8)
        func fish(_ line: String) throws -> Set<String> {
            let r = try Self.run("/usr/bin/fish", ["--no-config", "-c", "source \(Self.quote(dir + "/contsec.fish")); complete -C \(Self.quote(line))"], cwd: dir)
            #expect(r.code == 0 && r.err.isEmpty, "fish: \(r.err)")
            return Set(r.out.split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1)[0]) })
        }
        #expect(try fish("contsec ").isSuperset(of: Self.hostCommands))
        #expect(try fish("contsec run ").isSuperset(of: ["iac-scan", "cis-bench", "observability"]))
        #expect(try fish("contsec run iac-scan ") == ["scan", "rules"])
        #expect(try fish("contsec run iac-scan scan --sev") == ["--severity"])
        #expect(try fish("contsec run observability setup --tracing ") == ["otel", "none"])
        #expect(try fish("contsec --format ") == ["table", "json", "jsonl", "sarif"])
        #expect(!(try fish("contsec run iac-scan rules --")).contains("--dir"))
    }

    @Test func zshFunctionOffersTheSameWords() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/zsh") else {
            Issue.record("zsh is not installed: apt-get install zsh (scripts/test-env.sh installs it)"); return
        }
        let dir = try temporaryFolder("compl-zsh")
        let file = dir + "/_contsec"
        try Self.script("zsh", home: dir).write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try Self.run("/usr/bin/zsh", ["-n", file]).code == 0)
        // zsh's completion builtins only work inside a completion widget: stubs print what would be offered.
        func zsh(_ words: [String]) throws -> Set<String> {
            let driver = """
            compdef() { : }
            _describe() { local name=${@[-1]}; local -a items; items=("${(@P)name}"); print -l -- ${items%%:*} }
            compadd() {
                local i n
                for ((i = 1; i <= $#; i++)); do
                    if [[ ${@[i]} == -a ]]; then n=${@[i+1]}; print -l -- "${(@P)n}"; return; fi
                    if [[ ${@[i]} == -- ]]; then print -l -- "${@[i+1,-1]}"; return; fi
                done
            }
            _files() { print -- '<files>' }
            _message() { : }
            compset() { : }
            source \(Self.quote(file))
            words=(\(words.map(Self.quote).joined(separator: " ")))
            CURRENT=\(words.count)
            PREFIX=\(Self.quote(words.last ?? ""))
            _contsec
            """
            let r = try Self.run("/usr/bin/zsh", ["-f", "-c", driver])
            #expect(r.code == 0 && r.err.isEmpty, "zsh: \(r.err)")
            let offered = r.out.split(separator: "\n").map(String.init)
            let prefix = words.last ?? ""
            return Set(offered.filter { $0.hasPrefix(prefix) || $0 == "<files>" })
        }
        #expect(try zsh(["contsec", ""]) == Self.hostCommands)
        #expect(try zsh(["contsec", "run", "iac-scan", ""]) == ["scan", "rules"])
        #expect(try zsh(["contsec", "run", "iac-scan", "scan", "--sev"]) == ["--severity"])
        #expect(try zsh(["contsec", "run", "observability", "setup", "--tracing", ""]) == ["otel", "none"])
        #expect(try zsh(["contsec", "run", "iac-scan", "--dir", ""]) == ["<files>"])
    }
}
