#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// `scripts/install.sh` into a temporary prefix, contsec used from there with a clean environment, and
/// `--uninstall` leaving nothing behind. The binaries come from this build (`--bin-dir`): a release build of the
/// whole package takes minutes, and the script's layout and manifests are what is under test.
@Suite(.serialized) struct InstallScriptTests {
    static let script = Paths.packageRoot + "/scripts/install.sh"

    /// The bundled plugins: every Plugins/<name>/ with a plugin.json (what install.sh installs).
    static var bundled: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Paths.packageRoot + "/Plugins")) ?? []).sorted()
            .filter { FileManager.default.fileExists(atPath: Paths.packageRoot + "/Plugins/\($0)/plugin.json") }
    }

    static func install(_ args: [String]) throws -> (out: String, err: String, code: Int32) {
        try CompletionTests.run("/bin/bash", [script] + args)
    }

    /// Every path under `dir`, relative to it.
    static func tree(_ dir: String) -> Set<String> {
        var all = Set<String>()
        let e = FileManager.default.enumerator(atPath: dir)
        while let rel = e?.nextObject() as? String { all.insert(rel) }
        return all
    }

    /// Runs the installed contsec with nothing of this machine's setup: PATH without the build, a fresh HOME,
    /// no CONTSEC_PLUGIN_PATH.
    static func installed(_ prefix: String, _ args: [String], cwd: String) throws -> CommandResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prefix + "/bin/contsec")
        p.arguments = args
        p.environment = ["PATH": prefix + "/bin:/usr/bin:/bin", "HOME": try temporaryFolder("inst-home"), "LANG": "C.UTF-8"]
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
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
        return CommandResult(code: p.terminationStatus, stdout: String(decoding: o.get(), as: UTF8.self),
                             stderr: String(decoding: e.get(), as: UTF8.self))
    }

    @Test func installRunUninstall() throws {
        let prefix = try temporaryFolder("prefix")
        // Something of the user's in the prefix already: uninstall must leave it.
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try "#!/bin/sh\n".write(toFile: prefix + "/bin/mine", atomically: true, encoding: .utf8)

        let r = try Self.install(["--prefix", prefix, "--bin-dir", Paths.products])
        #expect(r.code == 0, "\(r.out)\n\(r.err)")
        let files = Self.tree(prefix)
        for name in Self.bundled {
            for f in ["contsec-\(name)", "plugin.json", ".contsec-install.json"] {
                #expect(files.contains("lib/contsec/plugins/\(name)/\(f)"), "missing \(name)/\(f)")
            }
        }
        for f in ["bin/contsec", "share/man/man1/contsec.1", "share/bash-completion/completions/contsec",
                  "share/zsh/site-functions/_contsec", "share/fish/vendor_completions.d/contsec.fish", "lib/contsec/install-record.txt"] {
            #expect(files.contains(f), "missing \(f)")
        }
        #expect(!files.contains { $0.contains("testkit") || $0.contains("noop") }, "test-only plugins are not installed")

        // From the prefix, with a clean PATH and HOME: every bundled plugin, its manifest's sha256 verified.
        let work = try temporaryFolder("inst-work")
        let listed = try Self.installed(prefix, ["plugins", "--json"], cwd: work)
        #expect(listed.code == 0, "\(listed.stderr)")
        // (A contsec installed system-wide on this machine would add its own plugins, as source "system".)
        let plugins = (listed.json?["plugins"]?.arrayValue ?? []).filter { $0["source"] != "system" }
        #expect(plugins.compactMap { $0["name"]?.stringValue } == Self.bundled)
        for p in plugins {
            let name = p["name"]?.stringValue ?? ""
            #expect(p["path"]?.stringValue == "\(prefix)/lib/contsec/plugins/\(name)/contsec-\(name)")
            #expect(p["source"] == "installed")
            #expect(p["sha256"]?.stringValue == PluginTrust.sha256(ofFile: Paths.products + "/contsec-\(name)"))
        }
        // Listing verifies each sha256 (a mismatch is refused): none refused, none invalid.
        #expect(listed.json?["refused"]?.arrayValue?.isEmpty == true && listed.json?["invalid"]?.arrayValue?.isEmpty == true)

        // A scan from there: the example's Dockerfile uses a ':latest' base image (CS-DF-001).
        let scan = try Self.installed(prefix, ["run", "iac-scan", "--dir", Paths.packageRoot + "/examples/insecure-app",
                                               "--format", "json", "--no-log"], cwd: work)
        #expect(scan.code == 0, "\(scan.stderr)")
        #expect(findings(scan.json).contains { $0["ruleId"] == "CS-DF-001" }, "\(scan.stdout.prefix(500))")
        // The man page renders, and the bash completion knows the installed plugins.
        let man = try CompletionTests.run("/usr/bin/man", ["-l", prefix + "/share/man/man1/contsec.1"])
        #expect(man.code == 0 && man.out.contains("EXIT STATUS"), "\(man.err)")
        let completion = try String(contentsOfFile: prefix + "/share/bash-completion/completions/contsec", encoding: .utf8)
        #expect(Set(try CompletionTests.bash(completion, ["contsec", "run", "iac-scan", ""])) == ["scan", "rules"])

        // Again over the installed copy (an upgrade), then uninstall: only what was there before stays.
        let again = try Self.install(["--prefix", prefix, "--bin-dir", Paths.products])
        #expect(again.code == 0, "\(again.err)")
        let u = try Self.install(["--uninstall", "--prefix", prefix])
        #expect(u.code == 0, "\(u.out)\n\(u.err)")
        #expect(Self.tree(prefix) == ["bin", "bin/mine"])
        let twice = try Self.install(["--uninstall", "--prefix", prefix])
        #expect(twice.code != 0 && twice.err.contains("nothing to uninstall"))
    }

    @Test func badArgumentsAreRefused() throws {
        let r = try Self.install(["--prefix"])
        #expect(r.code != 0 && r.err.contains("--prefix needs a folder"))
        let bogus = try Self.install(["--frobnicate"])
        #expect(bogus.code != 0 && bogus.err.contains("unknown argument '--frobnicate'"))
        let missing = try Self.install(["--prefix", try temporaryFolder("prefix-x"), "--bin-dir", "/nonexistent"])
        #expect(missing.code != 0 && missing.err.contains("/nonexistent"))
    }
}
