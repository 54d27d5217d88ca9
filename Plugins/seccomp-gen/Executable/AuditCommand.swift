import Foundation
import ContsecPluginKit
import ContainerKit
import SeccompGen

let auditParams: [ParamSpec] = [
    ParamSpec(name: "all", type: .bool, default: false, description: "Also stopped and created containers"),
    ParamSpec(name: "container", type: .list, description: "Only these containers (names or ids)"),
]

func audit(_ ctx: RunContext) async throws -> RunOutcome {
    try await translatingErrors {
        let docker = try DockerClient(requestTimeout: 30)
        let auditor = ContainerAuditor(docker: docker, daemonNoNewPrivileges: ContainerAuditor.daemonSetsNoNewPrivileges())
        let results = try await auditor.audit(all: ctx.arguments.bool("all"), names: ctx.arguments.list("container"))
        for result in results { for finding in result.findings { ctx.emit(finding) } }
        let rows: [[String: JSONValue]] = results.map {
            ["container": .string($0.name), "seccomp": .string($0.seccomp), "apparmor": .string($0.appArmor),
             "noNewPrivileges": .bool($0.noNewPrivileges), "findings": .int($0.findings.count)]
        }
        return .ok(summary: ["containers": .int(results.count), "findings": .int(results.reduce(0) { $0 + $1.findings.count })],
                   table: ResultTable(title: "seccomp and AppArmor confinement",
                                      columns: [.init("container", "CONTAINER"), .init("seccomp", "SECCOMP"),
                                                .init("apparmor", "APPARMOR"), .init("noNewPrivileges", "NO-NEW-PRIVILEGES"),
                                                .init("findings", "FINDINGS")], rows: rows))
    }
}
