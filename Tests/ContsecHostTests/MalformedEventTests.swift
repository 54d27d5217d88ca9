import Foundation
import Testing
import ContsecProtocol

/// A plugin that sends events with wrong types, an unknown severity and over-long strings between valid ones:
/// each bad event is rejected with a message naming the field, and every sink still gets the valid events.
@Suite struct MalformedEventTests {
    @Test func badEventsAreRejectedClearlyAndDoNotPoisonTheSinks() async throws {
        let ws = try temporaryFolder("malformed")
        let r = try await contsec(["run", "malformed", "--plugin-path", Paths.fixture("contsec-malformed"),
                             "--format", "json", "--format", "jsonl", "--output", "events.jsonl",
                             "--format", "sarif", "--output", "report.sarif", "--format", "table", "--output", "table.txt"], cwd: ws)
        #expect(r.code == 3)  // a protocol violation fails the run
        let expected = [
            "finding.title: expected a string, got an integer",
            "finding.severity: unknown value 'urgent'",
            "finding.target.line: expected an integer, got a string",
            "finding.title: 5000 bytes is over the 4096-byte limit",
            "finding.message: 70000 bytes is over the 65536-byte limit",
            "action.status: expected a string, got a boolean",
            "progress.current: expected an integer, got a string",
            "log.level: unknown value 'loud'",
        ]
        #expect(r.stderr.contains("plugin malformed broke the protocol 8 times (all 8 below)"))

        // JSON: the two valid findings, every rejection as a warning.
        #expect(findings(r.json).compactMap { $0["ruleId"]?.stringValue } == ["MF-1", "MF-2"])
        let warnings = r.json?["warnings"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(warnings.count == expected.count)
        for e in expected { #expect(warnings.contains { $0.contains(e) }, "missing warning: \(e)") }
        #expect(!r.stdout.contains("AAAAAAAAAAAAAAAA"))  // the huge strings went nowhere

        // JSONL: valid findings and the warnings, in order, each line valid JSON and short.
        let jsonl = try readText(ws + "/events.jsonl").split(separator: "\n")
        let events = jsonl.compactMap { try? JSONParser.parse(String($0)) }
        #expect(events.count == jsonl.count)
        #expect(events.filter { $0["event"] == "finding" }.compactMap { $0["finding"]?["ruleId"]?.stringValue } == ["MF-1", "MF-2"])
        #expect(events.filter { $0["event"] == "protocol-warning" }.count == 8)
        #expect(events.last?["event"] == "plugin-failed")
        #expect(jsonl.allSatisfy { $0.utf8.count < 4096 })

        // SARIF: valid against the schema, the valid results, a failed invocation that says why.
        let sarif = try JSONParser.parse(try readText(ws + "/report.sarif"))
        #expect(sarifProblems(sarif) == [])
        #expect(sarif["runs"]?[0]?["results"]?.arrayValue?.compactMap { $0["ruleId"]?.stringValue } == ["MF-1", "MF-2"])
        let invocation = sarif["runs"]?[0]?["invocations"]?[0]
        #expect(invocation?["executionSuccessful"] == false)
        #expect(invocation?["toolExecutionNotifications"]?.arrayValue?.last?["message"]?["text"]?.stringValue?
            .hasPrefix("protocol-violation: plugin malformed broke the protocol") == true)

        // Table and log.
        let table = try readText(ws + "/table.txt")
        #expect(table.contains("MF-1") && table.contains("MF-2"))
        #expect(table.contains("Total: 2 findings"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: ws + "/logs/security")
        let log = try readText(ws + "/logs/security/" + (logs.first ?? ""))
        #expect(log.contains("] finding HIGH MF-1 a.env:2 — first valid"))
        #expect(log.contains("] finding MEDIUM MF-2 image nginx:1.27 — second valid"))
        for e in expected { #expect(log.contains(e), "log lacks: \(e)") }
        #expect(log.contains("] stderr | \\x1b[31mred alert\\x1b[0m from stderr"))
        #expect(!log.contains("\u{1B}"))
        #expect(log.split(separator: "\n").allSatisfy { $0.utf8.count < 2200 })
    }
}
