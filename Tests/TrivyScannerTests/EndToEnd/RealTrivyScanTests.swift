import Foundation
import Testing
import TrivyScanner

/// `contsec run trivy-scanner scan` end to end with the real trivy, offline: a misconfiguration and secret scan of
/// Fixtures/insecure-app, and the database errors a vulnerability scan meets without network.
@Suite(.serialized) struct RealTrivyScanTests {
    static let offline = ["--offline"]

    func requireTrivy() throws {
        guard TestEnvironment.trivyOnPath != nil else { throw FixtureError(TestEnvironment.trivyMissingHint) }
    }

    @Test func misconfigurationAndSecretScanOfADirectory() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let reportPath = workspace + "/report.json"
        let run = try ContsecCLI.run(["--format", "json", "--output", reportPath],
                                     ["scan", "--dir", app, "--scanners", "misconfig,secret", "--offline",
                                      "--cache-dir", workspace + "/cache"], workspace: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        let report = try ContsecCLI.jsonReport(reportPath)
        let findings = ContsecCLI.findings(report)

        // The Dockerfile's checks, each at the line that causes it.
        func misconfig(_ id: String) -> [String: Any]? {
            findings.first { $0["ruleId"] as? String == id && $0["category"] as? String == "misconfiguration" }
        }
        let expected: [(String, String, Int?)] = [("DS-0001", "medium", 2), ("DS-0025", "high", 3),
                                                  ("DS-0002", "high", 4), ("DS-0004", "medium", 5), ("DS-0026", "low", nil)]
        for (id, severity, line) in expected {
            let f = try #require(misconfig(id), "no \(id) in \(findings.map { $0["ruleId"] ?? "" })")
            let target = try #require(f["target"] as? [String: Any])
            #expect(f["severity"] as? String == severity, "\(id)")
            #expect(target["file"] as? String == "insecure-app/Dockerfile", "\(id)")  // from the workspace, not from --dir
            #expect(target["name"] as? String == "insecure-app")
            #expect(target["line"] as? Int == line, "\(id)")
            #expect(target["kind"] as? String == "file")
            #expect((f["fingerprint"] as? String)?.count == 64)
        }

        // The secret: rule, file and line only.
        let secrets = findings.filter { $0["category"] as? String == "secret" }
        #expect(secrets.count == 1)
        let secret = try #require(secrets.first)
        #expect(secret["ruleId"] as? String == "aws-access-key-id")
        #expect(secret["severity"] as? String == "critical")
        let target = try #require(secret["target"] as? [String: Any])
        #expect(target["file"] as? String == "insecure-app/deploy.env" && target["line"] as? Int == 3)

        // The key appears nowhere: not in the JSON report, not on stdout or stderr.
        let key = try Fixtures.fakeAWSKey()
        let reportText = try String(contentsOfFile: reportPath, encoding: .utf8)
        #expect(!reportText.contains(key))
        #expect(!reportText.contains(String(key.dropFirst(4))))
        #expect(!run.stdout.contains(key) && !run.stderr.contains(key))

        let plugin = try #require((report["plugins"] as? [[String: Any]])?.first)
        #expect(plugin["status"] as? String == "ok")
        let summary = try #require(plugin["summary"] as? [String: Any])
        #expect(summary["byKind"] as? [String: Int] == ["vulnerability": 0, "misconfiguration": 5, "secret": 1])
        #expect(summary["trivyVersion"] as? String == "0.76.0")
    }

    /// `--dir sub`: SARIF points at sub/Dockerfile from the workspace (%SRCROOT%), where GitHub finds the file.
    @Test func directoryScanPathsResolveFromTheWorkspaceInSARIF() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let sarifPath = workspace + "/report.sarif"
        let run = try ContsecCLI.run(["--format", "sarif", "--output", sarifPath],
                                     ["scan", "--dir", "insecure-app", "--scanners", "misconfig", "--offline",
                                      "--cache-dir", workspace + "/cache"], workspace: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarifPath))) as? [String: Any])
        let results = try #require((sarif["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        #expect(results.count == 5)
        for result in results {
            let physical = (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
            #expect(physical?["artifactLocation"] as? [String: String] == ["uri": "insecure-app/Dockerfile", "uriBaseId": "%SRCROOT%"])
        }
    }

    /// Trivy's stderr log reaches the host as progress while the scan runs.
    @Test func trivyLogStreamsAsProgress() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let stream = workspace + "/events.jsonl"
        let run = try ContsecCLI.run(["--format", "jsonl", "--output", stream],
                                     ["scan", "--dir", app, "--scanners", "misconfig", "--offline", "--cache-dir", workspace + "/cache"],
                                     workspace: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        let events = try String(contentsOfFile: stream, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let progress = events.filter { $0["event"] as? String == "progress" }
            .compactMap { ($0["progress"] as? [String: Any])?["message"] as? String }
        #expect(progress.contains("trivy: [misconfig] Misconfiguration scanning is enabled"), "\(progress)")
        #expect(progress.contains("trivy: using its built-in misconfiguration checks"))
        // Progress comes before the findings, i.e. while Trivy runs, not replayed at the end.
        let firstProgress = events.firstIndex { $0["event"] as? String == "progress" } ?? Int.max
        let firstFinding = events.firstIndex { $0["event"] as? String == "finding" } ?? -1
        #expect(firstProgress < firstFinding)
        #expect(!events.contains { $0["event"] as? String == "log" && $0["level"] as? String == "error" })
    }

    @Test func blockCriticalTripsOnTheSecretWithTheGateExitCode() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try ContsecCLI.run([], ["scan", "--dir", app, "--scanners", "secret", "--offline", "--block-critical",
                                          "--cache-dir", workspace + "/cache"], workspace: workspace)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("1 critical finding (aws-access-key-id) and --block-critical is set"))
        // Only the Dockerfile's checks at or above high, none critical: the gate passes.
        let pass = try ContsecCLI.run([], ["scan", "--dir", app, "--scanners", "misconfig", "--offline", "--block-critical",
                                           "--severity", "HIGH,CRITICAL", "--cache-dir", workspace + "/cache"], workspace: workspace)
        #expect(pass.status == 0, "\(pass.stderr)")
    }

    @Test func offlineVulnerabilityScanWithoutADatabaseNamesOfflineAndTheCacheDir() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let cache = workspace + "/empty-cache"
        let run = try ContsecCLI.run([], ["scan", "--dir", app, "--scanners", "vuln", "--offline", "--cache-dir", cache],
                                     workspace: workspace)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("no vulnerability database in the cache dir \(cache)"), "\(run.stderr)")
        #expect(run.stderr.contains("--offline"))
    }

    /// Without --offline Trivy downloads its database; pointed at a closed loopback port (never the internet), the
    /// download fails and the message says what to do.
    @Test func databaseThatCannotBeDownloadedIsAClearError() throws {
        try requireTrivy()
        let app = try Fixtures.insecureAppCopy()
        let workspace = (app as NSString).deletingLastPathComponent
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let cache = workspace + "/empty-cache"
        let run = try ContsecCLI.run([], ["scan", "--dir", app, "--scanners", "vuln", "--cache-dir", cache], workspace: workspace,
                                     environment: ["TRIVY_DB_REPOSITORY": "127.0.0.1:1/contsec-test/no-db"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("Trivy could not download its vulnerability database"), "\(run.stderr)")
        #expect(run.stderr.contains("connection refused"))
        #expect(run.stderr.contains("--offline") && run.stderr.contains(cache))
        // The same with --db-repository, as for an internal mirror of trivy-db.
        let flag = try ContsecCLI.run([], ["scan", "--dir", app, "--scanners", "vuln", "--cache-dir", cache,
                                           "--db-repository", "127.0.0.1:1/contsec-test/mirror-db:2"], workspace: workspace)
        #expect(flag.status == 3, "\(flag.stderr)")
        #expect(flag.stderr.contains("Trivy could not download its vulnerability database"), "\(flag.stderr)")
        #expect(flag.stderr.contains("127.0.0.1:1/contsec-test/mirror-db"), "\(flag.stderr)")
    }

    /// Under --offline an image must come from the local engine: Trivy is never sent to a registry for it.
    @Test func offlineScanOfAnImageTheEngineLacksFetchesNothing() throws {
        try requireTrivy()
        let workspace = try Fixtures.temporaryDirectory("absent")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try ContsecCLI.run([], ["scan", "--image", "contsec-test/never-built:\(UUID().uuidString.prefix(8).lowercased())",
                                          "--offline"], workspace: workspace)
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stderr.contains("is not in the local Docker engine"), "\(run.stderr)")
        #expect(run.stderr.contains("--offline forbids fetching it"))
    }

    /// The offline flags the plugin passes exist in the installed trivy.
    @Test func offlineFlagsAreTrivyFlags() throws {
        let trivy = try #require(TestEnvironment.trivyOnPath, Comment(rawValue: TestEnvironment.trivyMissingHint))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: trivy)
        process.arguments = ["image", "--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        for flag in TrivyScanner.TrivyOptions.offlineFlags + ["--disable-telemetry", "--skip-version-check", "--no-progress"] {
            #expect(help.contains(flag + " "), "trivy image --help lacks \(flag)")
        }
    }
}
