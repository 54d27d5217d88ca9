import Foundation
import ContsecPluginKit
import ContainerKit
import CISBench

// contsec-cis-bench: the CIS Docker Benchmark v1.6.0 audit of the local engine and host.

let auditParams: [ParamSpec] = [
    ParamSpec(name: "check", type: .list, description: "Run only these check ids or groups, e.g. 5.4,5.10 or 1.1"),
    ParamSpec(name: "exclude", type: .list, description: "Skip these check ids or groups"),
    ParamSpec(name: "section", type: .list, description: "Run only these sections, e.g. 1,2,5"),
    ParamSpec(name: "all-containers", type: .bool, default: false,
              description: "Also judge stopped and created containers (default: running ones, as docker-bench)"),
    ParamSpec(name: "container", type: .list, description: "Only audit these containers (names or id prefixes)"),
    ParamSpec(name: "trusted-users", type: .list, description: "Users allowed in the docker group (1.1.2 warns about others)"),
    ParamSpec(name: "daemon-json", type: .path,
              description: "daemon.json to judge instead of dockerd's own (also CONTSEC_CIS_DAEMON_JSON)"),
    ParamSpec(name: "audit-log", type: .path,
              description: "Audit log to search for docker exec --privileged / --user root (5.23, 5.24) instead of auditd's logs"),
    ParamSpec(name: "dockerd-cmdline", type: .string,
              description: "dockerd command line to judge instead of /proc (also CONTSEC_CIS_DOCKERD_CMDLINE)"),
    ParamSpec(name: "remediation", type: .bool, default: false,
              description: "Print each WARN's remediation under it in the results table (docker-bench's -p)"),
]

func audit(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let checks: [CISCheck]
    do {
        checks = try CheckSelection.resolve(check: a.list("check"), exclude: a.list("exclude"), sections: a.list("section"))
    } catch let e as AuditInputError {
        throw PluginError.invalidParams(param: e.param, message: e.message)
    }
    guard !checks.isEmpty else {
        throw PluginError.invalidParams(param: "check", message: "the selection leaves no check to run")
    }
    var options = AuditOptions(daemonJSONPath: a.path("daemon-json"),
                               dockerdArguments: a.string("dockerd-cmdline").map(AuditOptions.splitCommandLine),
                               allContainers: a.bool("all-containers"), containerFilter: a.list("container"),
                               trustedUsers: a.list("trusted-users"))
    options.auditLogPath = a.path("audit-log")
    options.applyEnvironmentOverrides()
    let docker: DockerClient
    do { docker = try DockerClient(requestTimeout: 30) } catch {
        throw PluginError.preconditionFailed("\(error)")
    }
    ctx.progress("auditing \(checks.count) checks", current: 0, total: checks.count)
    let result: CISAudit.Result
    do {
        result = try await CISAudit(docker: docker, options: options).run(checks)
    } catch let e as AuditInputError {
        throw PluginError.invalidParams(param: e.param, message: e.message)
    } catch let e as DockerError {
        throw PluginError.preconditionFailed("\(e)")
    }
    try ctx.checkCancellation()
    if let e = result.facts.daemon.configError { ctx.log(.warning, e) }
    for finding in result.findings { ctx.emit(finding) }
    let r = result.report
    // docker-bench's lines on stderr (shown by `contsec --verbose`, kept in the log file): "[WARN] 5.4 - title: details".
    var lines = ""
    for o in r.outcomes {
        lines += "[\(o.result.status.rawValue)] \(o.check.id) - \(o.check.title)\(o.result.details.map { ": " + $0 } ?? "")\n"
    }
    lines += "[INFO] Checks: \(r.outcomes.count)\n[INFO] Score: \(r.score)\n"
    FileHandle.standardError.write(Data(lines.utf8))
    ctx.log(.info, "\(CISCatalog.version): \(r.outcomes.count) checks, PASS \(r.count(.pass)) WARN \(r.count(.warn)) INFO \(r.count(.info)) NOTE \(r.count(.note)), score \(r.score)")
    ctx.progress("done", current: checks.count, total: checks.count)
    return .ok(summary: result.summary, table: AuditTable.make(r, remediation: a.bool("remediation")))
}

PluginRunner.main(Plugin(
    name: "cis-bench", version: "0.1.0", vendor: "contsec",
    description: "CIS Docker Benchmark v1.6.0 audit of the local Docker host, daemon, images and containers",
    commands: [
        Command(name: "audit", description: "Audit the engine and host against CIS Docker Benchmark v1.6.0 sections 1-7",
                isDefault: true, params: auditParams, handler: audit),
        Command(name: "list", description: "List the benchmark's checks: id, title, section, automated/manual, scored, severity") { _ in
            .ok(summary: AuditSummary.catalog(), table: AuditSummary.catalogTable())
        },
    ],
    rules: CISCatalog.checks.map { c in
        RuleSpec(id: "CIS-\(c.id)", title: c.title, description: "CIS Docker Benchmark v1.6.0, \(c.id): \(c.audit)",
                 remediation: c.remediation, severity: c.severity, category: .compliance)
    }))
