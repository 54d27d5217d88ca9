import Foundation
import Testing
import ContsecProtocol

/// The plugins in sdk-protocol/examples, written in other languages, through the real host.
@Suite struct ExamplePluginTests {
    let examples = Paths.packageRoot + "/sdk-protocol/examples"

    @Test func pythonPluginFindingsReachTheReport() async throws {
        let dir = try temporaryFolder("py-example")
        let open = dir + "/world-writable.txt"
        #expect(FileManager.default.createFile(atPath: open, contents: Data("x".utf8)))
        chmod(open, 0o666)
        let r = try await contsec(["run", "file-perms", "--plugin-path", examples + "/python-file-perms", "--dir", dir,
                             "--format", "json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        let f = findings(r.json)
        #expect(f.contains { $0["ruleId"] == "FP-001" && $0["target"]?["file"]?.stringValue?.hasSuffix("world-writable.txt") == true })
        #expect(pluginEntry(r.json, "file-perms")?["status"] == "ok")
    }

    @Test func shPluginFindingsReachTheReport() async throws {
        let r = try await contsec(["run", "sh-hello", "--plugin-path", examples + "/sh-hello", "--format", "json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).contains { $0["ruleId"] == "SH-000" })
    }

    @Test func pluginDyingBeforeTheHandshakeIsReportedWithItsStderr() async throws {
        let r = try await contsec(["run", "early", "--plugin-path", Paths.fixture("contsec-early"), "--no-log"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin early exited during the handshake (exited with status 2)"))
        #expect(r.stderr.contains("cannot read /etc/early.conf"))
    }
}
