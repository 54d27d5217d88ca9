import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// `--format` is repeatable, each with its own `--output`; the CLI builds its sinks through ReportPipeline.
@Suite struct ReportOptionsTests {
    @Test func eachOutputBelongsToTheFormatBeforeIt() throws {
        var o = ReportOptions(workspace: "/ws")
        try o.add(format: "json")
        try o.add(output: "r.json")
        try o.add(format: "table")
        try o.add(format: "sarif")
        try o.add(output: "r.sarif")
        #expect(o.resolvedReports.map(\.format) == ["json", "table", "sarif"])
        #expect(o.resolvedReports.map(\.output) == ["r.json", nil, "r.sarif"])

        var lone = ReportOptions(workspace: "/ws")
        try lone.add(output: "t.txt")
        #expect(lone.resolvedReports == [ReportOptions.Report(format: "table", output: "t.txt")])

        var twice = ReportOptions(workspace: "/ws")
        try twice.add(format: "json")
        try twice.add(output: "a")
        #expect(throws: CLIError.self) { try twice.add(output: "b") }
        #expect(throws: CLIError.self) { try twice.add(format: "xml") }
    }

    @Test func twoReportsOnStdoutOrInOneFileAreRefused() async throws {
        let ws = try temporaryFolder("formats")
        let both = try await contsec(["run", "testkit", "--format", "json", "--format", "sarif", "--no-log"], cwd: ws)
        #expect(both.code == 2)
        #expect(both.stderr.contains("json and sarif would both write to stdout"))
        let same = try await contsec(["run", "testkit", "--format", "json", "--output", "x", "--format", "sarif", "--output", "x", "--no-log"], cwd: ws)
        #expect(same.code == 2)
        #expect(same.stderr.contains("two reports would write the same --output file"))
        let unknown = try await contsec(["run", "testkit", "--format", "xml"], cwd: ws)
        #expect(unknown.code == 2)
        #expect(unknown.stderr.contains("--format must be one of table, json, jsonl, sarif, got 'xml'"))
    }

    @Test func oneRunWritesEveryFormatAtOnce() async throws {
        let ws = try temporaryFolder("all-formats")
        let r = try await contsec(["run", "testkit", "--findings", "3", "--severity", "high",
                             "--format", "json", "--output", "r.json", "--format", "jsonl", "--output", "r.jsonl",
                             "--format", "sarif", "--output", "r.sarif", "--format", "table"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("HIGH (3)"))
        let json = try JSONParser.parse(try readText(ws + "/r.json"))
        #expect(findings(json).count == 3)
        let jsonl = try readText(ws + "/r.jsonl").split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        #expect(jsonl.filter { $0["event"] == "finding" }.count == 3)
        #expect(jsonl.first?["event"] == "plugin-started")
        #expect(jsonl.last?["event"] == "plugin-finished")
        let sarif = try JSONParser.parse(try readText(ws + "/r.sarif"))
        #expect(sarifProblems(sarif) == [])
        let results = sarif["runs"]?[0]?["results"]?.arrayValue ?? []
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0["level"] == "error" })
        // testkit reports fixture.txt, a path relative to the workspace.
        #expect(results.first?["locations"]?[0]?["physicalLocation"]?["artifactLocation"] == ["uri": "fixture.txt", "uriBaseId": "%SRCROOT%"])
        #expect(results.first?["partialFingerprints"] == ["contsecFingerprint/v1": "tk-0"])
        #expect(sarif["runs"]?[0]?["tool"]?["driver"]?["name"] == "contsec testkit")
        #expect(sarif["runs"]?[0]?["invocations"]?[0]?["executionSuccessful"] == true)
    }

    @Test func theSchemaCheckCatchesBrokenSARIF() throws {
        // The validator must be able to fail: a result without a message, a bad level, a URI with a space.
        let bad = try JSONParser.parse("""
        {"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"R"}]}},
          "results":[{"ruleId":"R","ruleIndex":0,"level":"fatal","locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b"}}}]}]}]}
        """)
        let problems = sarifProblems(bad)
        #expect(problems.contains { $0.contains("missing required 'message'") })
        #expect(problems.contains { $0.contains("\"fatal\" is not one of") || $0.contains("fatal") })
        #expect(problems.contains { $0.contains("characters a URI cannot hold") })
        #expect(problems.contains { $0.contains("security-severity") })
        #expect(problems.contains { $0.contains("no partialFingerprints") })
    }

    @Test func sarifFromALargeScanStaysWithinGitHubsLimit() async throws {
        let ws = try temporaryFolder("sarif-large")
        let r = try await contsec(["run", "testkit", "--findings", "25003", "--severity", "high", "--format", "sarif", "--output", "r.sarif",
                             "--format", "json", "--output", "r.json", "--no-log"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        let sarif = try JSONParser.parse(try readText(ws + "/r.sarif"))
        #expect(sarif["runs"]?[0]?["results"]?.arrayValue?.count == 25_000)
        let note = sarif["runs"]?[0]?["invocations"]?[0]?["toolExecutionNotifications"]?[0]?["message"]?["text"]?.stringValue
        #expect(note?.hasPrefix("3 results were left out") == true)
        #expect(findings(try JSONParser.parse(try readText(ws + "/r.json"))).count == 25_003)  // JSON has them all
    }
}
