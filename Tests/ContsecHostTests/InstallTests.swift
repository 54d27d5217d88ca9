#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// `contsec plugin install` / `uninstall` against a throw-away HOME.
@Suite struct InstallTests {
    static let shellcheckExample = Paths.packageRoot + "/sdk-protocol/examples/shellcheck-wrapper"

    func mode(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_mode & 0o7777) : -1
    }

    @Test func folderInstallRunsAndUninstallRemovesOnlyWhatItCreated() throws {
        let home = try temporaryFolder("inst-home")
        let env = ["HOME": home]
        let r = try contsec(["plugin", "install", Self.shellcheckExample], env: env)
        #expect(r.code == 0, "\(r.stderr)")
        let dest = home + "/.contsec/plugins/shellcheck"
        #expect(r.stdout.contains("installed shellcheck 1.0.0 in \(dest)"))
        #expect(mode(dest) == 0o755)
        #expect(mode(dest + "/contsec-shellcheck") == 0o755)
        #expect(mode(dest + "/plugin.json") == 0o644)
        // The SDK was a symlink in the example; the installed copy is a real file and stands alone.
        var st = stat()
        #expect(lstat(dest + "/contsec_plugin.py", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG)
        let manifest = try PluginManifest.load(dest + "/plugin.json")
        #expect(manifest.sha256 == PluginTrust.sha256(ofFile: dest + "/contsec-shellcheck"))
        #expect(manifest.permissions?.network == false)

        let listed = try contsec(["plugins", "--json"], env: env)
        let entry = listed.json?["plugins"]?.arrayValue?.first { $0["name"] == "shellcheck" }
        #expect(entry?["source"] == "user")
        #expect(entry?["path"]?.stringValue == dest + "/contsec-shellcheck")
        let run = try contsec(["run", "shellcheck", "--dir", Paths.fixture("shellcheck"), "--format", "json"], env: env)
        #expect(run.code == 0, "\(run.stderr)")
        #expect(findings(run.json).count >= 5)

        // Already installed: refused without --force, replaced with it.
        let again = try contsec(["plugin", "install", Self.shellcheckExample], env: env)
        #expect(again.code == ExitCode.usage.rawValue)
        #expect(again.stderr.contains("already installed") && again.stderr.contains("--force"))
        #expect(try contsec(["plugin", "install", "--force", Self.shellcheckExample], env: env).code == 0)

        // A file the user put there survives uninstall.
        try "mine".write(toFile: dest + "/notes.txt", atomically: true, encoding: .utf8)
        let un = try contsec(["plugin", "uninstall", "shellcheck"], env: env)
        #expect(un.code == 0, "\(un.stderr)")
        #expect(un.stdout.contains("kept \(dest)/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: dest + "/notes.txt"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/contsec-shellcheck"))
        #expect(!FileManager.default.fileExists(atPath: dest + "/plugin.json"))
        try FileManager.default.removeItem(atPath: dest + "/notes.txt")
        // Without the install record, uninstall will not touch a folder.
        let foreign = try contsec(["plugin", "uninstall", "shellcheck"], env: env)
        #expect(foreign.code == ExitCode.usage.rawValue)
        #expect(foreign.stderr.contains("was not installed by contsec plugin install"))
        #expect(try contsec(["plugin", "uninstall", "nothing-here"], env: env).code == ExitCode.pluginNotFound.rawValue)
    }

    @Test func bareExecutableInstallLearnsItsVersionFromTheHandshake() throws {
        let home = try temporaryFolder("inst-bare"), src = try temporaryFolder("inst-src")
        try FileManager.default.copyItem(atPath: Paths.products + "/test-plugin-noop", toPath: src + "/contsec-quiet")
        let r = try contsec(["plugin", "install", src + "/contsec-quiet"], env: ["HOME": home])
        #expect(r.code == 0, "\(r.stderr)")
        let m = try PluginManifest.load(home + "/.contsec/plugins/quiet/plugin.json")
        #expect(m.name == "quiet" && m.version == "1.0.0" && m.vendor == "contsec" && m.executable == "contsec-quiet")
        #expect(m.sha256 == PluginTrust.sha256(ofFile: src + "/contsec-quiet"))
        #expect(try contsec(["run", "quiet"], env: ["HOME": home]).code == 0)
        // Something that is not a plugin is not installed.
        try "#!/bin/sh\necho hello\n".write(toFile: src + "/contsec-hello", atomically: true, encoding: .utf8)
        chmod(src + "/contsec-hello", 0o755)
        let bad = try contsec(["plugin", "install", src + "/contsec-hello"], env: ["HOME": home])
        #expect(bad.code == ExitCode.usage.rawValue)
        #expect(bad.stderr.contains("is not a working contsec plugin"))
        #expect(!FileManager.default.fileExists(atPath: home + "/.contsec/plugins/hello"))
    }

    @Test func shadowingABundledPluginNeedsForce() throws {
        // A plugin that calls itself iac-scan, the name of a plugin bundled beside contsec.
        let home = try temporaryFolder("inst-shadow"), src = try temporaryFolder("inst-ssrc")
        try FileManager.default.copyItem(atPath: Paths.products + "/test-plugin-noop", toPath: src + "/contsec-iac-scan")
        let r = try contsec(["plugin", "install", src + "/contsec-iac-scan"], env: ["HOME": home])
        #expect(r.code == ExitCode.usage.rawValue)
        #expect(r.stderr.contains("a bundled plugin named iac-scan exists beside contsec"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home + "/.contsec/plugins/iac-scan"))
        let forced = try contsec(["plugin", "install", "--force", src + "/contsec-iac-scan"], env: ["HOME": home])
        #expect(forced.code == 0, "\(forced.stderr)")
        #expect(forced.stdout.contains("comes first in the search order"))
        let listed = try contsec(["plugins", "--json"], env: ["HOME": home])
        #expect(listed.json?["shadowed"]?.arrayValue?.contains { $0["path"]?.stringValue == home + "/.contsec/plugins/iac-scan/contsec-iac-scan" } == true)
    }

    @Test func tamperedInstalledCopyIsRefusedUntilReStamped() throws {
        let home = try temporaryFolder("inst-tamper"), src = try temporaryFolder("inst-tsrc")
        try FileManager.default.copyItem(atPath: Paths.products + "/test-plugin-noop", toPath: src + "/contsec-calm")
        #expect(try contsec(["plugin", "install", src + "/contsec-calm"], env: ["HOME": home]).code == 0)
        let dest = home + "/.contsec/plugins/calm"
        let h = try #require(FileHandle(forWritingAtPath: dest + "/contsec-calm"))
        h.seekToEndOfFile(); h.write(Data([0])); h.closeFile()
        let r = try contsec(["run", "calm"], env: ["HOME": home])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains("declares") && r.stderr.contains(PluginTrust.sha256(ofFile: dest + "/contsec-calm")!))
        #expect(try contsec(["plugin", "install", dest], env: ["HOME": home]).code == ExitCode.usage.rawValue)
        #expect(try contsec(["plugin", "install", "--force", dest], env: ["HOME": home]).code == 0)
        #expect(try contsec(["run", "calm"], env: ["HOME": home]).code == 0)
    }
}
