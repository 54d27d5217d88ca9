import Foundation
import Testing
import ContsecProtocol

/// Issue #12, item 10: SARIF's rules are one descriptor per distinct rule id, and a plugin chooses how many there are
/// and how long their texts. The descriptors keep only what SARIF shows, are written one at a time, and a run has
/// at most GitHub's 25,000 rules.
@Suite struct SARIFRulesMemoryTests {
    /// 250 rules whose findings carry the longest texts the protocol allows (4 KiB title, 64 KiB message and
    /// remediation, 100 references of 4 KiB): ~130 MB the rules used to keep whole. The JSON report, finished after
    /// the SARIF one, gives the host's peak RSS.
    @Test func manyRulesWithLongTextsStayWithinAMemoryCap() async throws {
        let ws = try temporaryFolder("sarif-rules")
        let dir = try HostilePlugin.make("rulebook", runBody: """
            refs = ["https://example.com/" + "x" * 4000] * 100
            for i in range(250):
                f = finding("R-%d" % i, "high"); f["title"] = "t" * 4000; f["message"] = "m" * 60000
                f["remediation"] = "r" * 60000; f["references"] = refs
                send({"jsonrpc": "2.0", "method": "finding", "params": f})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsecBounded(["run", "rulebook", "--plugin-path", dir, "--format", "sarif", "--output", ws + "/r.sarif",
                                          "--format", "json", "--output", ws + "/r.json", "--no-log"],
                                         memoryMiB: 1024, timeout: 240, cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        let peak = try JSONParser.parse(try String(contentsOfFile: ws + "/r.json", encoding: .utf8))["contsec"]?["peakRSSKiB"]?.intValue ?? 0
        #expect(peak > 0 && peak < 100 * 1024, "host peak RSS \(peak) KiB")
        let sarif = try JSONParser.parse(try String(contentsOfFile: ws + "/r.sarif", encoding: .utf8))
        let rules = sarif["runs"]?[0]?["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        #expect(rules.count == 250)
        // What a descriptor shows is cut as before: 1 KiB title, 4 KiB description, 8 KiB remediation, marked "…".
        #expect(rules.first?["shortDescription"]?["text"]?.stringValue == String(repeating: "t", count: 1024) + "…")
        #expect(rules.first?["fullDescription"]?["text"]?.stringValue == String(repeating: "m", count: 4096) + "…")
        let help = rules.first?["help"]?["text"]?.stringValue ?? ""
        #expect(help.hasPrefix(String(repeating: "r", count: 8192) + "…\n\nReferences:\n- https://example.com/xxx"))
        #expect(help.utf8.count < 8192 + 10 * 2100 + 100, "ten references, each cut at 2 KiB")
        #expect(sarif["runs"]?[0]?["results"]?.arrayValue?.count == 250)
        try? FileManager.default.removeItem(atPath: ws)
    }

    /// GitHub rejects a run with more than 25,000 rules: the results of rules past that are left out, and the
    /// invocation says how many.
    @Test func rulesPastGitHubsLimitAreLeftOutAndCounted() async throws {
        let ws = try temporaryFolder("sarif-rule-cap")
        let dir = try HostilePlugin.make("ruleflood", runBody: """
            for i in range(25003):
                send({"jsonrpc": "2.0", "method": "finding", "params": finding("F-%d" % i, "low")})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsecBounded(["run", "ruleflood", "--plugin-path", dir, "--format", "sarif", "--no-log"], timeout: 240, cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        let run = try JSONParser.parse(r.stdout)["runs"]?[0]
        #expect(run?["tool"]?["driver"]?["rules"]?.arrayValue?.count == 25_000)
        #expect(run?["results"]?.arrayValue?.count == 25_000)
        let notes = run?["invocations"]?[0]?["toolExecutionNotifications"]?.arrayValue?.compactMap { $0["message"]?["text"]?.stringValue } ?? []
        #expect(notes.contains { $0.hasPrefix("3 results were left out: their rules came after 25000 others") }, "\(notes)")
    }
}
