import Foundation
import Testing
@testable import CISBench

@Suite("cis-bench score, summary and options")
struct ScoreTests {
    func outcome(_ id: String, _ status: CheckStatus) -> CheckOutcome {
        CheckOutcome(check: CISCatalog.byID[id]!, result: CheckResult(status))
    }

    @Test("score: +1 per PASS and -1 per WARN of scored checks; INFO, NOTE and unscored checks count 0")
    func score() {
        let report = AuditReport(outcomes: [
            outcome("2.2", .pass), outcome("2.4", .warn), outcome("5.4", .warn), outcome("5.5", .pass), outcome("5.11", .pass),
            outcome("2.7", .info), outcome("1.2.1", .note),
            outcome("2.8", .pass),   // manual, unscored: docker-bench's `pass -c`
            outcome("5.9", .info),
        ])
        #expect(report.score == 3 - 2)
        #expect(report.count(.pass) == 4 && report.count(.warn) == 2 && report.count(.info) == 2 && report.count(.note) == 1)
    }

    @Test("CONTSEC_CIS_DAEMON_JSON and CONTSEC_CIS_DOCKERD_CMDLINE inject the configuration; explicit values win")
    func environmentOverrides() {
        var o = AuditOptions(environment: ["CONTSEC_CIS_DAEMON_JSON": "/tmp/x.json", "CONTSEC_CIS_DOCKERD_CMDLINE": "dockerd --icc=false"])
        o.applyEnvironmentOverrides()
        #expect(o.daemonJSONPath == "/tmp/x.json")
        #expect(o.dockerdArguments == ["--icc=false"])
        var explicit = AuditOptions(daemonJSONPath: "/etc/mine.json", environment: ["CONTSEC_CIS_DAEMON_JSON": "/tmp/x.json"])
        explicit.applyEnvironmentOverrides()
        #expect(explicit.daemonJSONPath == "/etc/mine.json")
        #expect(explicit.dockerdArguments == nil)
    }

    @Test("a WARN on a daemon setting is one finding on the daemon, with the check's severity and remediation")
    func daemonFinding() {
        let o = CheckOutcome(check: CISCatalog.byID["2.16"]!,
                             result: .warn("the userland proxy is enabled", [Offender(kind: "daemon", name: "dockerd", id: "42")]))
        let findings = FindingBuilder.findings(for: o, hostName: "box")
        #expect(findings.count == 1)
        #expect(findings[0].ruleId == "CIS-2.16")
        #expect(findings[0].target.kind == "daemon" && findings[0].target.name == "dockerd")
        #expect(findings[0].severity == CISCatalog.byID["2.16"]!.severity)
        #expect(findings[0].remediation?.contains("userland-proxy") == true)
        #expect(FindingBuilder.findings(for: CheckOutcome(check: o.check, result: .pass()), hostName: "box").isEmpty)
    }
}
