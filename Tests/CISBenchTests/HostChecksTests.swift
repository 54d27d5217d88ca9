import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench

@Suite("cis-bench host checks: audit rules and the docker group", .serialized,
       .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineHostChecksTests {
    typealias Env = CISTestEnvironment

    @Test("audit rules from rule files: a watched path passes, comments do not count, a missing file is INFO")
    func auditRules() async throws {
        let dir = NSTemporaryDirectory() + "contsec-cis-test-audit-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir + "/rules.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "## docker\n-w /etc/docker -k docker\n# -w /var/lib/docker -k docker\n".write(toFile: dir + "/audit.rules", atomically: true, encoding: .utf8)
        try "-w /usr/bin/runc -k docker\n".write(toFile: dir + "/rules.d/docker.rules", atomically: true, encoding: .utf8)
        let checks = try CheckSelection.resolve(check: ["1.1.5", "1.1.6", "1.1.13", "1.1.18"], exclude: [], sections: [])
        let options = AuditOptions(environment: [:], auditDirectory: dir, useAuditctl: false)
        let result = try await CISAudit(docker: try Env.client(), options: options).run(checks)
        #expect(result.facts.auditRules.source.contains(dir + "/audit.rules"))
        #expect(result.report.status("1.1.6") == (HostFiles.stat("/etc/docker")?.kind == .directory ? .pass : .info))
        #expect(result.report.status("1.1.5") == .warn)   // only a commented-out rule
        #expect(result.report.status("1.1.13") == (HostFiles.stat("/etc/sysconfig/docker") == nil ? .info : .warn))
        #expect(result.report.status("1.1.18") == (HostFiles.stat("/usr/bin/runc")?.kind == .file ? .pass : .info))
        #expect(result.findings.contains { $0.ruleId == "CIS-1.1.5" && $0.remediation?.contains("-w /var/lib/docker -k docker") == true })
    }

    @Test("docker group members: with --trusted-users others warn, without it the members are listed as INFO")
    func groupMembers() throws {
        let file = NSTemporaryDirectory() + "contsec-cis-test-group-" + UUID().uuidString.prefix(8).lowercased()
        try "root:x:0:\ndocker:x:999:alice,mallory\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let members = HostFiles.groupMembers("docker", groupFile: file)
        #expect(members == ["alice", "mallory"])
        #expect(HostFiles.groupMembers("wheel", groupFile: file) == nil)

        let check = CISCatalog.byID["1.1.2"]!
        let listed = check.evaluate(try Self.facts(members: members, trusted: []))
        #expect(listed.status == .info && listed.details?.contains("alice, mallory") == true)
        let judged = check.evaluate(try Self.facts(members: members, trusted: ["alice"]))
        #expect(judged.status == .warn && judged.offenders.map(\.name) == ["mallory"])
        #expect(check.evaluate(try Self.facts(members: members, trusted: ["alice", "mallory"])).status == .pass)
    }

    /// Facts with only what 1.1.2 reads filled in.
    static func facts(members: [String]?, trusted: [String]) throws -> AuditFacts {
        let info = try JSONDecoder().decode(SystemInfo.self, from: Data("{}".utf8))
        let version = try JSONDecoder().decode(VersionInfo.self, from: Data(#"{"Version":"24.0.0","ApiVersion":"1.43"}"#.utf8))
        return AuditFacts(info: info, version: version,
                          daemon: DaemonSettings(arguments: [], argumentsSource: "test", configPath: "", configExists: false, config: [:]),
                          auditRules: AuditRules(source: "test", lines: []), containers: [], totalContainers: 0,
                          runningContainers: 0, images: [], imagesInUse: [], networks: [], swarm: .inactive, mountPoints: [],
                          dockerGroupMembers: members, trustedUsers: trusted, environment: [:])
    }
}
