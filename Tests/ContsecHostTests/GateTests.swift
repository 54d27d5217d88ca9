import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// `--fail-on`, `--max-findings` and exit-code precedence, end to end with the real binary and the testkit plugin.
@Suite struct GateTests {
    @Test func failOnHighTripsOnAHighFindingAndNotOnAMediumOne() async throws {
        let high = try await contsec(["run", "testkit", "--findings", "2", "--severity", "high", "--fail-on", "high", "--format", "json", "--no-log"])
        #expect(high.code == 1, "\(high.stderr)")
        #expect(high.stderr.contains("gate tripped: 2 findings at or above high (high 2); --fail-on high"))
        #expect(high.json?["gate"]?["tripped"] == true)
        #expect(high.json?["gate"]?["failOn"] == "high")

        let medium = try await contsec(["run", "testkit", "--findings", "2", "--severity", "medium", "--fail-on", "high", "--format", "json", "--no-log"])
        #expect(medium.code == 0, "\(medium.stderr)")
        #expect(!medium.stderr.contains("gate tripped"))
        #expect(medium.json?["gate"]?["tripped"] == false)
        #expect(medium.json?["gate"]?["reasons"] == [])

        let critical = try await contsec(["run", "testkit", "--findings", "1", "--severity", "critical", "--fail-on", "HIGH", "--no-log"])
        #expect(critical.code == 1)  // at or above; any letter case
    }

    @Test func maxFindingsTripsOnlyAboveTheLimit() async throws {
        let at = try await contsec(["run", "testkit", "--findings", "3", "--max-findings", "3", "--no-log"])
        #expect(at.code == 0, "\(at.stderr)")
        let over = try await contsec(["run", "testkit", "--findings", "4", "--max-findings", "3", "--format", "json", "--no-log"])
        #expect(over.code == 1)
        #expect(over.stderr.contains("4 findings, more than --max-findings 3"))
        #expect(over.json?["gate"]?["maxFindings"] == 3)
    }

    @Test func badGateValuesAreUsageErrors() async throws {
        let sev = try await contsec(["run", "testkit", "--fail-on", "urgent", "--no-log"])
        #expect(sev.code == 2)
        #expect(sev.stderr.contains("--fail-on expects one of critical, high, medium, low, info, unknown, got 'urgent'"))
        let n = try await contsec(["run", "testkit", "--max-findings", "-1", "--no-log"])
        #expect(n.code == 2)
        #expect(n.stderr.contains("--max-findings expects a whole number"))
    }

    @Test func aFailedPluginBeatsATrippedGate() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "2", "--severity", "critical", "--crash", "exit", "--fail-on", "high",
                             "--format", "json", "--no-log"])
        #expect(r.code == 3, "\(r.stderr)")
        #expect(r.json?["gate"]?["tripped"] == true)  // the verdict is still reported
        #expect(r.stderr.contains("gate tripped"))
        #expect(r.stderr.contains("exited with status 3"))
    }

    @Test func exitCodePrecedence() {
        #expect(ExitDecision.combine([.gateTripped, .pluginFailed]) == .pluginFailed)
        #expect(ExitDecision.combine([.pluginFailed, .interrupted, .usage]) == .interrupted)
        #expect(ExitDecision.combine([.pluginNotFound, .pluginFailed]) == .pluginNotFound)
        #expect(ExitDecision.combine([.usage, .pluginNotFound]) == .usage)
        #expect(ExitDecision.combine([.success, .gateTripped]) == .gateTripped)
        #expect(ExitDecision.combine([]) == .success)
        let ok = RunRecord(plugin: "p", path: "/p", runId: "r", result: RunResult(status: .ok), started: Date(), duration: 0)
        var gated = ok
        gated.result = RunResult(status: .gateTripped, message: "2 critical")
        #expect(ExitDecision.code(records: [ok], verdict: nil) == .success)
        #expect(ExitDecision.code(records: [ok, gated], verdict: nil) == .gateTripped)
        #expect(ExitDecision.code(records: [ok], verdict: GateVerdict(options: GateOptions(failOn: .low), reasons: ["x"])) == .gateTripped)
    }

    @Test func gateCountsEveryNonIgnoredFindingAcrossPlugins() {
        let ignore = IgnoreList(text: "SEC-1\n", path: ".contsecignore")
        let critical = FixedEvents.run([], ignore: ignore, gate: GateOptions(failOn: .critical))
        #expect(!critical.verdict.tripped)  // the only critical finding is ignored
        let high = FixedEvents.run([], ignore: ignore, gate: GateOptions(failOn: .high))
        #expect(high.verdict.reasons == ["1 finding at or above high (high 1); --fail-on high"])
        let unknown = FixedEvents.run([], gate: GateOptions(failOn: .unknown, maxFindings: 7))
        #expect(unknown.verdict.reasons == ["7 findings at or above unknown (critical 1, high 1, medium 2, low 1, info 1, unknown 1); --fail-on unknown"])
    }
}
