import Foundation
import ContsecPluginKit
import SeccompGen

let checkParams: [ParamSpec] = [
    ParamSpec(name: "file", type: .path, description: "Profile file to check"),
    ParamSpec(name: "profile", type: .string, description: "Profile in the workspace: security/profiles/seccomp/<profile>.json"),
    ParamSpec(name: "arch", type: .list, description: "Architectures to judge it for (default x86_64,aarch64)"),
    ParamSpec(name: "cap-add", type: .list, description: "Capabilities the containers get beyond Docker's default (rules gated on them count)"),
    ParamSpec(name: "kernel", type: .string, description: "Kernel version to judge minKernel rules for (default: a current kernel)"),
]

/// The profile file a command names with --file or --profile.
func profileFile(_ ctx: RunContext) throws -> (path: String, param: String) {
    if let file = ctx.arguments.path("file") { return (file, "file") }
    if let name = ctx.arguments.string("profile") {
        try checkProfileName(name)
        return (ctx.workspace + "/" + ProfilePaths.seccomp(name), "profile")
    }
    throw PluginError.invalidParams(param: "file", message: "name the profile: --file PATH or --profile NAME")
}

func check(_ ctx: RunContext) async throws -> RunOutcome {
    let started = DispatchTime.now()
    let (path, param) = try profileFile(ctx)
    let (_, parsed) = try readProfile(path, param: param)
    var kernel: KernelVersion?
    if let text = ctx.arguments.string("kernel") {
        guard let version = KernelVersion(text) else {
            throw PluginError.invalidParams(param: "kernel", message: "'\(text)' is not a kernel version such as 5.15")
        }
        kernel = version
    }
    let options = CheckOptions(architectures: try architectures(ctx), capabilities: capabilities(ctx), kernel: kernel)
    let issues = ProfileChecker.check(parsed, options: options)
    let shown = display(path, workspace: ctx.workspace)
    for issue in issues {
        var properties: [String: JSONValue] = ["syscalls": .array(issue.syscalls.map(JSONValue.string))]
        if !issue.architectures.isEmpty { properties["architectures"] = .array(issue.architectures.map { .string($0.rawValue) }) }
        if let jsonPath = issue.path { properties["jsonPath"] = .string(jsonPath) }
        ctx.emit(Finding(ruleId: issue.ruleId, title: issue.title, severity: issue.severity, category: .misconfiguration,
                         target: Target(kind: "file", name: shown, file: shown), message: issue.message,
                         remediation: issue.remediation,
                         fingerprint: SHA256.hex(Array("\(issue.ruleId)|\(shown)|\(issue.syscalls.joined(separator: ","))|\(issue.path ?? "")".utf8)),
                         properties: properties))
    }
    let rows: [[String: JSONValue]] = issues.map {
        ["severity": .string($0.severity.rawValue), "rule": .string($0.ruleId),
         "syscalls": .string($0.syscalls.joined(separator: " ")), "where": .string($0.path ?? $0.architectures.map(\.rawValue).joined(separator: ",")),
         "why": .string($0.message)]
    }
    var counts: [String: JSONValue] = [:]
    for s in Severity.allCases { counts[s.rawValue] = .int(issues.filter { $0.severity == s }.count) }
    return .ok(summary: ["file": .string(shown), "issues": .int(issues.count), "bySeverity": .object(counts),
                         "rules": .int(parsed.profile.syscalls.count), "elapsedMs": .double(milliseconds(since: started))],
               table: ResultTable(title: "seccomp check of \(shown)",
                                  columns: [.init("severity", "SEVERITY"), .init("rule", "RULE"), .init("syscalls", "SYSCALLS"),
                                            .init("where", "WHERE"), .init("why", "WHY")], rows: rows))
}
