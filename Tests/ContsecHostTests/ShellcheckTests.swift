import Foundation
import Testing
import ContsecProtocol

/// The shellcheck-wrapper example end to end: contsec runs the Python plugin, which runs the real shellcheck.
@Suite struct ShellcheckTests {
    static let plugin = Paths.packageRoot + "/sdk-protocol/examples/shellcheck-wrapper"
    static let fixture = Paths.fixture("shellcheck")

    func scan(_ extra: [String] = [], env: [String: String] = [:]) throws -> CommandResult {
        try contsec(["run", "shellcheck", "--plugin-path", Self.plugin, "--dir", Self.fixture, "--format", "json"] + extra, env: env)
    }

    func has(_ f: [JSONValue], _ rule: String, _ file: String, _ line: Int, _ severity: String) -> Bool {
        f.contains { $0["ruleId"]?.stringValue == rule && $0["target"]?["file"]?.stringValue == file
            && $0["target"]?["line"]?.intValue == line && $0["severity"]?.stringValue == severity }
    }

    @Test func realShellcheckFindingsWithFileAndLine() throws {
        let r = try scan()
        #expect(r.code == 0, "\(r.stderr)")
        let f = findings(r.json)
        #expect(has(f, "SC2045", "docker-entrypoint.sh", 5, "high"), "\(f)")       // error: iterating over ls
        #expect(has(f, "SC3014", "docker-entrypoint.sh", 8, "medium"))             // warning: == in POSIX sh
        #expect(has(f, "SC2086", "docker-entrypoint.sh", 9, "low"))                // info: unquoted $PORT
        #expect(has(f, "SC2086", "scripts/deploy", 4, "low"))                      // found by its bash shebang
        #expect(!f.contains { ["clean.sh", "notes.txt"].contains($0["target"]?["file"]?.stringValue ?? "") })
        let sc2045 = try #require(f.first { $0["ruleId"] == "SC2045" })
        #expect(sc2045["references"] == ["https://www.shellcheck.net/wiki/SC2045"])
        #expect(sc2045["target"]?["column"] == 10)
        #expect(sc2045["category"] == "misconfiguration")
        #expect(pluginEntry(r.json, "shellcheck")?["summary"]?["scripts"] == 3)
        // Fingerprints are distinct per finding and the same on the next run.
        let prints = f.compactMap { $0["fingerprint"]?.stringValue }
        #expect(Set(prints).count == f.count)
        #expect(Set(findings(try scan().json).compactMap { $0["fingerprint"]?.stringValue }) == Set(prints))
    }

    @Test func severityOptionLimitsWhatIsReported() throws {
        let f = findings(try scan(["--severity", "warning"]).json)
        #expect(!f.isEmpty)
        #expect(f.allSatisfy { ["high", "medium"].contains($0["severity"]?.stringValue ?? "") })
        let excluded = findings(try scan(["--exclude", "SC2086"]).json)
        #expect(!excluded.contains { $0["ruleId"] == "SC2086" })
    }

    @Test func missingShellcheckSaysHowToInstallIt() throws {
        // A PATH with python3 but no shellcheck.
        let bin = try temporaryFolder("no-shellcheck")
        try FileManager.default.createSymbolicLink(atPath: bin + "/python3", withDestinationPath: "/usr/bin/python3")
        let r = try contsec(["run", "shellcheck", "--plugin-path", Self.plugin, "--dir", Self.fixture], env: ["PATH": bin])
        #expect(r.code == 3)
        #expect(r.stderr.contains("shellcheck is not installed") && r.stderr.contains("apt-get install shellcheck"), "\(r.stderr)")
    }
}
