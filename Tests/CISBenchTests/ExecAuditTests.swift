import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench
import EngineTestSupport

/// 5.23/5.24 read `docker exec` from a real audit log with the real ausearch (Fixtures/audit: captured from auditd on
/// this machine); without audit records they say what they could not see instead of passing.
enum AuditTools {
    static let ausearch = try? ToolRunner().resolve("ausearch", installHint: "")
    static let skipReason: Comment = "ausearch is not installed (scripts/test-env.sh installs auditd)"
}

@Suite("cis-bench: docker exec in the audit log (real ausearch)",
       .enabled(if: CISTestEnvironment.isCI || AuditTools.ausearch != nil, AuditTools.skipReason))
struct ExecAuditLogTests {
    @Test("ausearch --raw records become docker exec commands: privileged, as root, hex arguments, global options")
    func parseRealLog() async throws {
        let result = try await ToolRunner().run("ausearch", ["--raw", "-k", "docker", "-m", "EXECVE,SYSCALL", "-if", CISTestEnvironment.execAuditLog])
        #expect(result.succeeded, "\(result.stderrText)")
        let parsed = ExecAuditLog.parse(ausearchRaw: result.stdoutText)
        // From the fixture's README: run, nine execs, rm by the docker client.
        #expect(parsed.dockerCommands == 11)
        #expect(parsed.execs.count == 9)
        #expect(parsed.execs.allSatisfy { $0.container == "contsec-test-cisbench-auditcap" })
        #expect(parsed.execs.filter(\.privileged).map(\.serial) == [1275, 1280, 1283])
        #expect(parsed.execs.filter(\.asRoot).map(\.serial) == [1276, 1277, 1280, 1281])
        let hex = try #require(parsed.execs.first { $0.serial == 1281 })
        #expect(hex.argv == ["docker", "--host", "unix:///var/run/docker.sock", "exec", "-iu", "root",
                             "contsec-test-cisbench-auditcap", "sh", "-c", "id -u; echo two words"])
        #expect(hex.user == "root")
        #expect(hex.displayCommand.hasSuffix("sh -c 'id -u; echo two words'"))
        #expect(hex.time == Date(timeIntervalSince1970: 1796172150.391))
    }

    @Test("command lines: -e values are never shown; --privileged=false is not privileged")
    func commandLines() {
        let exec = DockerExecCommand.parse(["docker", "exec", "-e", "TOKEN=s3cret", "--env=PASS=hunter2", "-eKEY=v", "--privileged=false", "web", "true"])
        #expect(exec?.privileged == false)
        #expect(exec?.container == "web")
        #expect(exec?.displayCommand == "docker exec -e TOKEN=… --env=PASS=… -eKEY=… --privileged=false web true")
        #expect(DockerExecCommand.parse(["docker", "ps"]) == nil)
        #expect(DockerExecCommand.parse(["docker", "exec", "-uroot", "db", "id"])?.asRoot == true)
        #expect(DockerExecCommand.parse(["docker", "exec", "--user", "root:staff", "db", "id"])?.asRoot == true)
        #expect(DockerExecCommand.parse(["docker", "exec", "--user", "rooty", "db", "id"])?.asRoot == false)
    }

    @Test("a rule watching the docker client makes an empty log meaningful; other docker paths do not")
    func rules() {
        #expect(ExecAuditLog.rulesWatchClient(AuditRules(source: "t", lines: ["-w /usr/bin/docker -p x -k docker"])))
        #expect(ExecAuditLog.rulesWatchClient(AuditRules(source: "t", lines: ["-a always,exit -F path=/usr/local/bin/docker -F perm=x -k docker"])))
        #expect(!ExecAuditLog.rulesWatchClient(AuditRules(source: "t", lines: ["-w /etc/docker -k docker", "-w /var/lib/docker -k docker",
                                                                              "-w /usr/bin/dockerd -k docker"])))
    }
}

@Suite("cis-bench 5.23/5.24 against the audit log (real engine, real ausearch)", .serialized,
       .enabled(if: CISTestEnvironment.shouldRun && (CISTestEnvironment.isCI || AuditTools.ausearch != nil), AuditTools.skipReason))
struct DockerEngineExecAuditTests {
    typealias Env = CISTestEnvironment
    let docker: DockerClient
    init() throws { docker = try Env.client() }

    @Test("no audit records: 5.23 is INFO with the caveat and the rule to add, 5.24 NOTE; neither passes, no finding")
    func withoutRecords() async throws {
        let spec = Env.hardened("noexec")
        let empty = try Env.emptyAuditLog()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        try await Env.withContainers(docker, [spec]) {
            let result = try await Env.audit(docker, checks: ["5.23", "5.24"], containers: [spec.name], auditLog: empty)
            #expect(result.report.status("5.23") == .info)
            #expect(result.report.status("5.24") == .note)
            let details = result.report.outcome("5.23")?.result.details ?? ""
            #expect(details.contains("finished exec sessions leave no trace in the engine"), "\(details)")
            #expect(details.contains("not judged"))
            #expect(details.contains("-p x -k docker` to the audit rules"))
            #expect(result.findings.isEmpty)
            #expect(result.report.score == 0)
        }
    }

    @Test("audit records of docker exec --privileged: 5.23 WARNs per container with the count and the last command")
    func withRecords() async throws {
        let result = try await Env.audit(docker, checks: ["5.23", "5.24"], auditLog: Env.execAuditLog)
        #expect(result.report.status("5.23") == .warn)
        let offender = try #require(result.report.outcome("5.23")?.result.offenders.first { $0.name == "contsec-test-cisbench-auditcap" })
        #expect(offender.detail == "3 privileged docker exec command(s) in the audit log, last `docker container exec --privileged contsec-test-cisbench-auditcap true` at 2026-12-02T00:42:31Z")
        let finding = try #require(result.findings.first { $0.ruleId == "CIS-5.23" && $0.target.name == "contsec-test-cisbench-auditcap" })
        #expect(finding.target.kind == "container")
        #expect(result.report.status("5.24") == .info)
        #expect(result.report.outcome("5.24")?.result.offenders.first { $0.name == "contsec-test-cisbench-auditcap" }?.detail?
            .hasPrefix("4 docker exec command(s) as root in the audit log") == true)
    }

    @Test("audit records but no privileged exec on the audited container: 5.23 PASS, saying what was searched")
    func recordsButClean() async throws {
        let spec = Env.hardened("clean")
        try await Env.withContainers(docker, [spec]) {
            let result = try await Env.audit(docker, checks: ["5.23", "5.24"], containers: [spec.name], auditLog: Env.execAuditLog)
            #expect(result.report.status("5.23") == .pass)
            #expect(result.report.status("5.24") == .pass)
            #expect(result.report.outcome("5.23")?.result.details?.contains("11 docker command(s) recorded") == true,
                    "\(result.report.outcome("5.23")?.result.details ?? "")")
        }
    }

    @Test("--audit-log naming nothing is a usage error")
    func missingAuditLog() throws {
        let run = try ContsecCLI.run("cis-bench", ["--check", "5.23", "--audit-log", "/nonexistent/audit.log"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--audit-log: /nonexistent/audit.log is not a file"), "\(run.stderr)")
    }
}
