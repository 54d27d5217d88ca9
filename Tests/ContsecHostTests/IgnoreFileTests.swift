import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// `.contsecignore`: the `.trivyignore` format, expiry, and ignored findings that are counted and listed.
@Suite struct IgnoreFileTests {
    private let day: TimeInterval = 86400

    @Test func parsesIdsCommentsAndExpiryLikeTrivyignore() {
        let now = IgnoreList.parseDayForTests("2026-12-01")!.addingTimeInterval(5 * 3600)  // 05:00 UTC
        let text = """
        # accepted risks
        CVE-2026-0001
          TK-1   exp:2026-12-02   # reviewed by sec team

        TK-2 exp:2026-12-01
        TK-3 exp:2026-11-30
        TK-4 exp:2026-02-30
        0123abcd exp:2999-01-01 statement:anything-else
        """
        let list = IgnoreList(text: text, path: "/ws/.contsecignore", now: now)
        #expect(Set(list.active.keys) == ["CVE-2026-0001", "TK-1", "0123abcd"])
        // From the day of expiry on (midnight UTC), as trivy reads exp: — TK-2 expires today.
        #expect(list.expired.map(\.id) == ["TK-2", "TK-3"])
        #expect(list.expired.map(\.line) == [5, 6])
        #expect(list.problems == ["/ws/.contsecignore:7: 'exp:2026-02-30' is not a date (exp:YYYY-MM-DD); the entry for TK-4 is skipped"])
        #expect(list.warnings.first == "/ws/.contsecignore:5: the ignore entry for TK-2 expired on 2026-12-01; it no longer ignores anything")
        #expect(list.active["TK-1"]?.line == 3)
    }

    @Test func matchesByRuleIdOrFingerprint() {
        let list = IgnoreList(text: "TK-1\nfp-77\n", path: ".contsecignore")
        let byRule = Finding(ruleId: "TK-1", title: "t", severity: .high, category: .secret, target: Target(kind: "host", name: "h"))
        let byPrint = Finding(ruleId: "TK-9", title: "t", severity: .high, category: .secret, target: Target(kind: "host", name: "h"), fingerprint: "fp-77")
        let neither = Finding(ruleId: "TK-10", title: "t", severity: .high, category: .secret, target: Target(kind: "host", name: "h"), fingerprint: "fp-7")
        #expect(list.match(byRule)?.line == 1)
        #expect(list.match(byPrint)?.line == 2)
        #expect(list.match(neither) == nil)  // exact ids only: TK-1 does not match TK-10
    }

    @Test func expiredEntryIgnoresNothingAndUnexpiredOneIgnoresEndToEnd() async throws {
        let ws = try temporaryFolder("ignore")
        // testkit's finding i has rule TK-(i % 10) and fingerprint tk-i.
        try "TK-1 exp:2999-12-31\nTK-2 exp:2020-01-01\ntk-3\n".write(toFile: ws + "/.contsecignore", atomically: true, encoding: .utf8)
        let r = try await contsec(["run", "testkit", "--findings", "4", "--severity", "high", "--fail-on", "high", "--format", "json", "--no-log"], cwd: ws)
        #expect(r.code == 1, "\(r.stderr)")
        #expect(r.stderr.contains("warning: \(ws)/.contsecignore:2: the ignore entry for TK-2 expired on 2020-01-01; it no longer ignores anything"))
        let ignored = r.json?["ignored"]?.arrayValue ?? []
        #expect(ignored.compactMap { $0["finding"]?["ruleId"]?.stringValue } == ["TK-1", "TK-3"])
        #expect(ignored.compactMap { $0["reason"]?.stringValue } == [".contsecignore:1 TK-1 (until 2999-12-31)", ".contsecignore:3 tk-3"])
        #expect(findings(r.json).compactMap { $0["ruleId"]?.stringValue } == ["TK-0", "TK-2"])  // TK-2's entry expired
        #expect(r.json?["summary"]?["ignored"] == 2)
        #expect(r.json?["summary"]?["findings"] == 2)
        #expect(r.json?["ignoreFile"]?["expired"]?[0]?["id"] == "TK-2")
        #expect(r.stderr.contains("gate tripped: 2 findings at or above high"))
    }

    @Test func ignoringEveryTrippingFindingKeepsTheGateClosed() async throws {
        let ws = try temporaryFolder("ignore-all")
        try "TK-0\nTK-1\n".write(toFile: ws + "/accepted.txt", atomically: true, encoding: .utf8)
        let r = try await contsec(["run", "testkit", "--findings", "2", "--severity", "critical", "--fail-on", "low",
                             "--ignorefile", "accepted.txt", "--no-log"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Total: no findings, 0 actions, 2 ignored"))
    }

    @Test func aMissingIgnorefileTheUserNamedIsAUsageError() async throws {
        let r = try await contsec(["run", "testkit", "--ignorefile", "/nonexistent/ignore", "--no-log"])
        #expect(r.code == 2)
        #expect(r.stderr.contains("cannot read the ignore file /nonexistent/ignore: no such file"))
    }
}

extension IgnoreList {
    static func parseDayForTests(_ s: String) -> Date? {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let p = s.split(separator: "-").compactMap { Int($0) }
        return cal.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))
    }
}
