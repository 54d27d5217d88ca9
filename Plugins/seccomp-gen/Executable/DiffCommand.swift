import Foundation
import ContsecPluginKit
import SeccompGen

let diffParams: [ParamSpec] = [
    ParamSpec(name: "from", type: .path, description: "The first profile (default: the default template, Docker's default profile)"),
    ParamSpec(name: "to", type: .path, description: "The second profile (default: the default template)"),
    ParamSpec(name: "arch", type: .list, description: "Architectures (default x86_64,aarch64)"),
    ParamSpec(name: "cap-add", type: .list, description: "Capabilities the containers get beyond Docker's default"),
]

func diff(_ ctx: RunContext) async throws -> RunOutcome {
    let from = ctx.arguments.path("from"), to = ctx.arguments.path("to")
    guard from != nil || to != nil else {
        throw PluginError.invalidParams(param: "from", message: "name at least one profile: --from A.json [--to B.json] (the other side is Docker's default)")
    }
    func load(_ path: String?, _ param: String) throws -> (SeccompProfile, String) {
        guard let path else { return (DockerDefault.profile(), "default template") }
        return (try readProfile(path, param: param).parsed.profile, display(path, workspace: ctx.workspace))
    }
    let (a, aName) = try load(from, "from"), (b, bName) = try load(to, "to")
    let arches = try architectures(ctx)
    let changes = ProfileDiff.compare(a, b, architectures: arches, capabilities: capabilities(ctx))
    var perArch: [String: JSONValue] = [:]
    for arch in arches {
        let mine = changes.filter { $0.architecture == arch }
        perArch[arch.rawValue] = ["added": .int(mine.filter { $0.kind == .added }.count),
                                  "removed": .int(mine.filter { $0.kind == .removed }.count),
                                  "changed": .int(mine.filter { $0.kind == .changed }.count)]
    }
    let rows: [[String: JSONValue]] = changes.map {
        ["arch": .string($0.architecture.rawValue), "syscall": .string($0.syscall), "change": .string($0.kind.rawValue),
         "before": .string($0.before), "after": .string($0.after)]
    }
    return .ok(summary: ["from": .string(aName), "to": .string(bName), "changes": .object(perArch)],
               table: ResultTable(title: "\(aName) → \(bName)",
                                  columns: [.init("arch", "ARCH"), .init("syscall", "SYSCALL"), .init("change", "CHANGE"),
                                            .init("before", "BEFORE"), .init("after", "AFTER")], rows: rows))
}
