#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// Issue #12: files that are not what they seem at the report and log paths (FIFOs, devices, symlinks, hard links)
/// and write errors. Nothing may block, write elsewhere, or end with exit 0 and an empty report.
@Suite struct HostileFileTests {
    static func today() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd"
        f.timeZone = TimeZone(identifier: "UTC")
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: Date())
    }

    /// Item 3: a FIFO at the log path or at --output used to block contsec for ever (SIGINT and SIGTERM ignored).
    @Test func aFIFOAtTheLogOrOutputPathIsRefusedWithoutBlocking() async throws {
        let ws = try temporaryFolder("fifo")
        try FileManager.default.createDirectory(atPath: ws + "/logs/security", withIntermediateDirectories: true)
        #expect(mkfifo(ws + "/logs/security/container-security-\(Self.today()).log", 0o644) == 0)
        let started = Date()
        let r = try await contsecBounded(["run", "testkit", "--findings", "1", "--format", "json"], timeout: 30, cwd: ws)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.code == 0, "the default log is a convenience: the run goes on. \(r.stderr)")
        #expect(r.stderr.contains("warning: no log file") && r.stderr.contains("a FIFO"), "\(r.stderr)")
        #expect(findings(r.json).count == 1)

        let named = try await contsecBounded(["run", "testkit", "--log-dir", ws + "/logs/security"], timeout: 30, cwd: ws)
        #expect(named.code == 2)
        #expect(named.stderr.contains("a FIFO"))

        #expect(mkfifo(ws + "/report.json", 0o644) == 0)
        let output = try await contsecBounded(["run", "testkit", "--format", "json", "--output", "report.json", "--no-log"], timeout: 30, cwd: ws)
        #expect(output.code == 2)
        #expect(output.stderr.contains("refusing to write report.json: a FIFO, not a regular file"), "\(output.stderr)")
    }

    /// Item 15: a device as --output is refused, and a real write error (the file-size limit here, as a full disk
    /// would) fails the invocation and leaves no half report.
    @Test func writeErrorsFailTheRun() async throws {
        let ws = try temporaryFolder("write-error")
        let full = try await contsecBounded(["run", "testkit", "--format", "json", "--output", "/dev/full", "--no-log"], timeout: 30, cwd: ws)
        #expect(full.code == 2)
        #expect(full.stderr.contains("refusing to write /dev/full: a character device"), "\(full.stderr)")

        try "previous report\n".write(toFile: ws + "/report.json", atomically: false, encoding: .utf8)
        let limited = try await contsec(["run", "testkit", "--findings", "3000", "--format", "json", "--output", "report.json", "--no-log"],
                                        timeout: 60, cwd: ws, wrapper: ["/usr/bin/prlimit", "--fsize=65536", "--"])
        #expect(limited.code == 2, "\(limited.stderr)")
        #expect(limited.stderr.contains("File too large"), "\(limited.stderr)")
        #expect(try String(contentsOfFile: ws + "/report.json", encoding: .utf8) == "previous report\n", "the old report is kept whole")
    }

    /// Item 19: `logs` as a symlink, a hard link at the log path, and --output onto a symlink.
    @Test func symlinksAndHardLinksDoNotRedirectWrites() async throws {
        let ws = try temporaryFolder("links")
        let outside = try temporaryFolder("links-outside")
        #expect(symlink(outside, ws + "/logs") == 0)
        let r = try await contsecBounded(["run", "testkit", "--findings", "1"], timeout: 30, cwd: ws)
        #expect(r.code == 0)
        #expect(r.stderr.contains("is a symbolic link"), "\(r.stderr)")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: outside))?.isEmpty == true, "nothing was written outside the workspace")

        let ws2 = try temporaryFolder("hardlink")
        try FileManager.default.createDirectory(atPath: ws2 + "/logs/security", withIntermediateDirectories: true)
        let victim = outside + "/victim"
        try "keep\n".write(toFile: victim, atomically: false, encoding: .utf8)
        #expect(link(victim, ws2 + "/logs/security/container-security-\(Self.today()).log") == 0)
        let h = try await contsecBounded(["run", "testkit", "--findings", "1", "--log-dir", ws2 + "/logs/security"], timeout: 30, cwd: ws2)
        #expect(h.code == 2)
        #expect(h.stderr.contains("hard links"), "\(h.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep\n")

        #expect(symlink(victim, ws2 + "/report.sarif") == 0)
        let o = try await contsecBounded(["run", "testkit", "--findings", "1", "--format", "sarif", "--output", "report.sarif", "--no-log"],
                                         timeout: 30, cwd: ws2)
        #expect(o.code == 0, "\(o.stderr)")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep\n", "the symlink's target is untouched")
        var st = stat()
        #expect(lstat(ws2 + "/report.sarif", &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG, "the symlink was replaced by the report")
        #expect((try? JSONParser.parse(String(contentsOfFile: ws2 + "/report.sarif", encoding: .utf8)))?["version"] == "2.1.0")
    }
}
