#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// Issue #12: a hostile repository scanned by iac-scan, and hostile YAML: FIFOs behind symlinks, files the scan
/// cannot read, huge files and alias bombs. Bounded in time (the harness kills contsec) and memory (prlimit).
@Suite struct HostileRepositoryTests {
    static let insecureDockerfile = "FROM nginx:latest\nUSER root\n"

    /// An alias bomb: nine levels of ten aliases each, a billion nodes once expanded, in under 1 KB.
    static let billionLaughs: String = {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (prev, name) in zip("abcdefgh", "bcdefghi") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        return text
    }()

    /// Item 5: a symlink named Dockerfile pointing at a FIFO used to block the scan until the idle timeout and lose
    /// every finding, other files' included.
    @Test func aDockerfileSymlinkToAFIFODoesNotBlockTheScan() async throws {
        let ws = try temporaryFolder("iac-fifo")
        try FileManager.default.createDirectory(atPath: ws + "/app", withIntermediateDirectories: true)
        try Self.insecureDockerfile.write(toFile: ws + "/app/Dockerfile", atomically: true, encoding: .utf8)
        #expect(mkfifo(ws + "/pipe", 0o644) == 0)
        #expect(symlink(ws + "/pipe", ws + "/Dockerfile") == 0)
        let started = Date()
        let r = try await contsecBounded(["run", "iac-scan", "--dir", ws, "--format", "json", "--no-log"], timeout: 60, cwd: ws)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).contains { $0["ruleId"] == "CS-DF-001" && $0["target"]?["file"] == "app/Dockerfile" })
    }

    /// Items 12 and 14: a Dockerfile over the per-file limit (with a secret in its first lines), a mode-000 file and a
    /// mode-000 folder are reported as findings the gate sees, never "ok, no findings".
    @Test func filesTheScanCannotReadAreFindingsTheGateSees() async throws {
        let ws = try temporaryFolder("iac-unread")
        // 60 MB used to cost 1.18 GiB; now the per-file limit (4 MiB) stops it before any parsing.
        #expect(FileManager.default.createFile(atPath: ws + "/Dockerfile", contents: nil))
        let huge = try #require(FileHandle(forWritingAtPath: ws + "/Dockerfile"))
        huge.write(Data("FROM alpine:3.19\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nRUN true \\\n".utf8))
        let continuation = Data(String(repeating: "  && echo layer \\\n", count: 4096).utf8)
        for _ in 0..<80 { huge.write(continuation) }
        try huge.close()
        try FileManager.default.createDirectory(atPath: ws + "/locked", withIntermediateDirectories: true)
        try Self.insecureDockerfile.write(toFile: ws + "/locked/Dockerfile", atomically: true, encoding: .utf8)
        try Self.insecureDockerfile.write(toFile: ws + "/secret.Dockerfile", atomically: true, encoding: .utf8)
        chmod(ws + "/secret.Dockerfile", 0o000)
        chmod(ws + "/locked", 0o000)
        defer { chmod(ws + "/locked", 0o755) }
        // Root reads mode-000 files anyway: drop the capabilities that let it, as an ordinary user would be.
        let wrapper = geteuid() == 0 ? ["/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search",
                                         "--inh-caps=-dac_override,-dac_read_search", "--", "/usr/bin/prlimit", "--as=\(1 << 30)", "--"]
                                     : ["/usr/bin/prlimit", "--as=\(1 << 30)", "--"]
        let r = try await contsec(["run", "iac-scan", "--dir", ws, "--format", "json", "--no-log", "--fail-on", "low"],
                                  timeout: 60, cwd: ws, wrapper: wrapper)
        #expect(r.code == 1, "the gate trips on what could not be scanned: \(r.stderr)")
        let unscanned = findings(r.json).filter { $0["ruleId"] == "CS-SCAN-001" }
        let files = Set(unscanned.compactMap { $0["target"]?["file"]?.stringValue })
        #expect(files == ["Dockerfile", "locked", "secret.Dockerfile"], "\(files)")
        #expect(unscanned.allSatisfy { $0["severity"] == "high" })
        #expect(unscanned.first { $0["target"]?["file"] == "Dockerfile" }?["message"]?.stringValue?.contains("over the 4194304-byte limit") == true)
        #expect(!r.stdout.contains("wJalrXUtnFEMI"))
        #expect(pluginEntry(r.json, "iac-scan")?["summary"]?["unscanned"] == 3)
    }

    /// Item 9: a 1 KB alias bomb in a manifest or a workflow file is refused with a clear error, in bounded memory.
    @Test func aliasBombsAreRefused() async throws {
        let ws = try temporaryFolder("yaml-bomb")
        try ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n" + Self.billionLaughs.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\n")
            .write(toFile: ws + "/bomb.yaml", atomically: true, encoding: .utf8)
        try Self.insecureDockerfile.write(toFile: ws + "/Dockerfile", atomically: true, encoding: .utf8)
        let started = Date()
        let r = try await contsecBounded(["run", "iac-scan", "--dir", ws, "--format", "json", "--no-log"], memoryMiB: 512, timeout: 60, cwd: ws)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).contains { $0["ruleId"] == "CS-DF-001" }, "the other files are still scanned")
        #expect(pluginEntry(r.json, "iac-scan")?["summary"]?["parseErrors"] == 1)

        try ("steps:\n  - plugin: noop\n" + Self.billionLaughs).write(toFile: ws + "/bomb-workflow.yaml", atomically: true, encoding: .utf8)
        let w = try await contsecBounded(["workflow", ws + "/bomb-workflow.yaml", "--no-log"], memoryMiB: 512, timeout: 60)
        #expect(w.code == 2)
        #expect(w.stderr.contains("aliases expand to more than"), "\(w.stderr)")
    }
}
