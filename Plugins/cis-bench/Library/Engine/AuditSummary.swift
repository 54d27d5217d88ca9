import Foundation
import ContsecProtocol

/// The run's summary object: every check's status, the counts and the score, and what was audited.
public enum AuditSummary {
    public static func make(_ report: AuditReport, facts: AuditFacts, findings: Int, durationMs: Int) -> [String: JSONValue] {
        let checks: [JSONValue] = report.outcomes.map { o in
            var entry: [String: JSONValue] = [
                "id": .string(o.check.id), "title": .string(o.check.title), "status": .string(o.result.status.rawValue),
                "section": .int(o.check.section), "scored": .bool(o.check.scored), "automated": .bool(o.check.automated),
            ]
            if let d = o.result.details { entry["details"] = .string(d) }
            if !o.result.offenders.isEmpty { entry["items"] = .array(o.result.offenders.map { .string($0.name) }) }
            return .object(entry)
        }
        var counts: [String: JSONValue] = ["total": .int(report.outcomes.count)]
        for s in CheckStatus.allCases { counts[s.rawValue] = .int(report.count(s)) }
        var daemon: [String: JSONValue] = [
            "configFile": .string(facts.daemon.configPath), "configFound": .bool(facts.daemon.configExists),
            "cmdlineSource": .string(facts.daemon.argumentsSource), "version": .string(facts.version.version),
        ]
        if let e = facts.daemon.configError { daemon["configError"] = .string(e) }
        return [
            "benchmark": .string(CISCatalog.version),
            "checks": .array(checks),
            "counts": .object(counts),
            "score": .int(report.score),
            "findings": .int(findings),
            "findingsPer": "offender (one finding per container, image, file or user)",
            "containers": ["audited": .int(facts.containers.count), "scope": .string(facts.containerScope),
                           "total": .int(facts.totalContainers), "running": .int(facts.runningContainers)],
            "images": .int(facts.images.count),
            "daemon": .object(daemon),
            "auditRules": .string(facts.auditRules.source),
            "durationMs": .int(durationMs),
        ]
    }

    /// The `list` command's summary: the benchmark and its counts (the checks themselves are ``catalogTable(_:)``).
    public static func catalog(_ checks: [CISCheck] = CISCatalog.checks) -> [String: JSONValue] {
        [
            "benchmark": .string(CISCatalog.version),
            "count": .int(checks.count),
            "automated": .int(checks.filter(\.automated).count),
            "manual": .int(checks.filter { !$0.automated }.count),
        ]
    }

    /// The `list` command's table: one row per check, every field (the terminal shows it, JSON keeps it whole).
    public static func catalogTable(_ checks: [CISCheck] = CISCatalog.checks) -> ResultTable {
        ResultTable(
            title: "\(CISCatalog.version) checks",
            columns: [.init("id", "ID"), .init("section", "SECTION"), .init("severity", "SEVERITY"),
                      .init("automated", "AUTOMATED"), .init("scored", "SCORED"), .init("target", "TARGET"),
                      .init("title", "TITLE"), .init("audit", "AUDIT"), .init("remediation", "REMEDIATION")],
            rows: checks.map { c in
                ["id": .string(c.id), "title": .string(c.title), "section": .int(c.section),
                 "automated": .bool(c.automated), "scored": .bool(c.scored), "severity": .string(c.severity.rawValue),
                 "target": .string(c.target.rawValue), "audit": .string(c.audit), "remediation": .string(c.remediation)]
            })
    }
}
