import Foundation
import ContainerKit
import ContsecProtocol

/// The whole audit: select checks, gather the facts they need once, evaluate, build findings.
public struct CISAudit: Sendable {
    public var options: AuditOptions
    public var docker: DockerClient

    public init(docker: DockerClient, options: AuditOptions) {
        self.docker = docker; self.options = options
    }

    public struct Result: Sendable {
        public var report: AuditReport
        public var facts: AuditFacts
        public var findings: [Finding]
        public var summary: [String: JSONValue]
    }

    public func run(_ checks: [CISCheck]) async throws -> Result {
        let started = Date()
        try options.checkDaemonJSON()
        try options.checkAuditLog()
        let facts = try await FactGatherer(docker: docker, options: options).gather(FactNeeds(checkIDs: Set(checks.map(\.id))))
        let report = AuditRunner.run(checks, facts: facts)
        let host = facts.info.name ?? ProcessInfo.processInfo.hostName
        let findings = report.outcomes.flatMap { FindingBuilder.findings(for: $0, hostName: host) }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        return Result(report: report, facts: facts, findings: findings,
                      summary: AuditSummary.make(report, facts: facts, findings: findings.count, durationMs: ms))
    }
}
