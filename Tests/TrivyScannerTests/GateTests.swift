import Foundation
import Testing
import ContsecProtocol
@testable import TrivyScanner

/// `--max-vulns` and `--block-critical` against the real reports: alpine-39 has 6 vulnerabilities (2 critical,
/// 4 medium), debian-buster 2 (1 critical, 1 low).
@Suite struct GateTests {
    func result(_ name: String, severities: [Severity] = [], ignoreUnfixed: Bool = false, max: Int? = nil,
                blockCritical: Bool = false) throws -> ScanResult {
        try ScanJob.result(from: Fixtures.report(name),
                           options: TrivyOptions(severities: severities, ignoreUnfixed: ignoreUnfixed),
                           gate: ScanGate(maxVulnerabilities: max, blockCritical: blockCritical,
                                          threshold: SeverityList.threshold(severities)))
    }

    @Test func maxVulnsTripsOnlyAboveTheLimit() throws {
        let five = try result("alpine-39", max: 5)
        #expect(five.verdict?.message == "6 vulnerabilities found, more than --max-vulns 5 allows")
        #expect(try result("alpine-39", max: 6).verdict == nil)
        #expect(try result("alpine-39").verdict == nil)  // no gate asked for
    }

    @Test func maxVulnsCountsAtOrAboveTheSeverityThreshold() throws {
        // HIGH,CRITICAL: only the 2 critical ones count (and only they are reported).
        let strict = try result("alpine-39", severities: SeverityList.parse(["HIGH", "CRITICAL"]), max: 1)
        #expect(strict.findings.count == 2)
        #expect(strict.verdict?.message == "2 vulnerabilities at or above high found, more than --max-vulns 1 allows")
        #expect(try result("alpine-39", severities: [.high, .critical], max: 2).verdict == nil)
        #expect(try result("alpine-39", severities: [.medium, .critical], max: 5).verdict != nil)
    }

    @Test func blockCriticalTripsOnAnyCritical() throws {
        let alpine = try result("alpine-39", blockCritical: true)
        // One CVE in two packages: two findings, the id named once.
        #expect(alpine.verdict?.message == "2 critical findings (CVE-2019-14697) and --block-critical is set")
        let debian = try result("debian-buster", blockCritical: true)
        #expect(debian.verdict?.reasons == ["1 critical finding (CVE-2019-18224) and --block-critical is set"])
        // Without criticals the gate passes.
        #expect(try result("debian-buster", severities: [.low], blockCritical: true).verdict == nil)
    }

    @Test func bothGatesReportBothReasons() throws {
        let r = try result("alpine-39", max: 5, blockCritical: true)
        #expect(r.verdict?.reasons.count == 2)
    }

    @Test func ignoreUnfixedChangesWhatCounts() throws {
        #expect(try result("debian-buster", max: 1).verdict != nil)
        #expect(try result("debian-buster", ignoreUnfixed: true, max: 1).verdict == nil)
    }

    @Test func summaryCountsBySeverityAndKind() throws {
        let s = try result("alpine-39", max: 5).summary
        #expect(s["findings"] == 6)
        #expect(s["bySeverity"] == ["critical": 2, "high": 0, "medium": 4, "low": 0, "info": 0, "unknown": 0])
        #expect(s["byKind"] == ["vulnerability": 6, "misconfiguration": 0, "secret": 0])
        #expect(s["vulnerabilitiesCounted"] == 6)
        #expect(s["maxVulns"] == 5)
        #expect(s["trivyVersion"] != nil)
    }

    @Test func severityListAcceptsTrivyAndContsecSpellings() throws {
        #expect(try SeverityList.parse(["CRITICAL", "high", "High"]) == [.high, .critical])
        #expect(SeverityList.threshold([.high, .critical]) == .high)
        #expect(SeverityList.threshold([]) == .unknown)
        #expect(throws: TrivyScannerError.invalidParameter(
            param: "severity", message: "'SEVERE' is not a Trivy severity: use UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL")) {
            try SeverityList.parse(["SEVERE"])
        }
    }
}
