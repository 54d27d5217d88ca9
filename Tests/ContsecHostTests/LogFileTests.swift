#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// The daily log file, end to end: where it goes, its modes, what it holds, and how to move or stop it.
@Suite struct LogFileTests {
    private func today() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }

    private func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0
    }

    @Test func theLogGetsTheEventsAndThePluginsStderr() async throws {
        let ws = try temporaryFolder("log")
        let r = try await contsec(["run", "testkit", "--findings", "2", "--severity", "high", "--stderr-lines", "3"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        let path = ws + "/logs/security/container-security-\(today()).log"
        let text = try readText(path)
        let lines = text.split(separator: "\n").map(String.init)
        let runId = try #require(lines.first?.split(separator: " ").dropFirst(2).first.map { String($0.dropLast()) })
        for i in 0..<3 { #expect(lines.contains { $0.hasSuffix("[testkit \(runId)] stderr | stderr line \(i)") }) }
        #expect(lines.contains { $0.contains("] plugin-started ") && $0.hasSuffix(" command=behave") })
        #expect(lines.contains { $0.hasSuffix("] plugin-ready testkit 1.0.0 by contsec") })
        #expect(lines.contains { $0.hasSuffix("] finding HIGH TK-0 fixture.txt:1 — Test finding 0") })
        #expect(lines.contains { $0.hasSuffix("] finding HIGH TK-1 fixture.txt:2 — Test finding 1") })
        #expect(lines.contains { $0.contains("] plugin-finished status=ok duration=") })
        #expect(!text.contains("synthetic finding number"))  // finding messages are not logged
        #expect(lines.allSatisfy { $0.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \[testkit [0-9a-f]{8}\] "#, options: .regularExpression) != nil })
        #expect(mode(path) == 0o640)
        #expect(mode(ws + "/logs/security") == 0o750)
        #expect(mode(ws + "/logs") == 0o750)

        // Appended, not replaced: a second run adds its own lines.
        _ = try await contsec(["run", "testkit", "--findings", "1"], cwd: ws)
        let again = try readText(path).split(separator: "\n")
        #expect(again.count > lines.count)
        #expect(Set(again.compactMap { $0.split(separator: " ").dropFirst(2).first }).count == 2)  // two run ids
    }

    @Test func logDirMovesItAndNoLogTurnsItOff() async throws {
        let ws = try temporaryFolder("log-dir")
        let elsewhere = ws + "/elsewhere/deep"
        let r = try await contsec(["run", "testkit", "--findings", "1", "--log-dir", elsewhere], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: elsewhere + "/container-security-\(today()).log"))
        #expect(!FileManager.default.fileExists(atPath: ws + "/logs"))

        let off = try temporaryFolder("no-log")
        let n = try await contsec(["run", "testkit", "--findings", "1", "--no-log"], cwd: off)
        #expect(n.code == 0)
        #expect(!FileManager.default.fileExists(atPath: off + "/logs"))
    }

    @Test func anUnwritableDefaultLogWarnsButANamedOneIsAnError() async throws {
        let ws = try temporaryFolder("log-blocked")
        try "not a folder".write(toFile: ws + "/logs", atomically: true, encoding: .utf8)
        let r = try await contsec(["run", "testkit", "--findings", "1"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning: no log file: cannot create the log folder \(ws)/logs/security"))
        #expect(r.stdout.contains("Total: 1 finding"))

        let named = try await contsec(["run", "testkit", "--findings", "1", "--log-dir", ws + "/logs/x"], cwd: ws)
        #expect(named.code == 2)
        #expect(named.stderr.contains("--log-dir"))
    }

    @Test func aSymlinkPlantedAtTheLogPathIsNotFollowed() async throws {
        let ws = try temporaryFolder("log-symlink")
        try FileManager.default.createDirectory(atPath: ws + "/logs/security", withIntermediateDirectories: true)
        let victim = ws + "/victim"
        try "keep me\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: ws + "/logs/security/container-security-\(today()).log", withDestinationPath: victim)
        let r = try await contsec(["run", "testkit", "--findings", "1"], cwd: ws)
        #expect(r.code == 0)
        #expect(r.stderr.contains("warning: no log file"))
        #expect(try readText(victim) == "keep me\n")
    }

    @Test func aPluginThatFailsTheHandshakeIsStillReportedAndLogged() async throws {
        let ws = try temporaryFolder("log-handshake")
        let r = try await contsec(["run", "oldproto", "--plugin-path", Paths.fixture("contsec-oldproto"), "--format", "json", "--fail-on", "low"], cwd: ws)
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin oldproto speaks protocol 0.9 only"))
        #expect(pluginEntry(r.json, "oldproto")?["error"]?["kind"] == "version-mismatch")
        #expect(r.json?["gate"]?["failOn"] == "low")  // options after the plugin name still count
        let log = try readText(ws + "/logs/security/container-security-\(today()).log")
        #expect(log.contains("] plugin-failed version-mismatch: plugin oldproto speaks protocol 0.9 only"))
    }
}
