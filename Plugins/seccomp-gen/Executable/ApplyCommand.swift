import Foundation
import ContsecPluginKit
import ContainerKit
import SeccompGen

let applyParams: [ParamSpec] = [
    ParamSpec(name: "container", type: .string, required: true, description: "Container (name or id) to confine"),
    ParamSpec(name: "type", type: .string, default: "seccomp", description: "Profile kind", allowed: ["seccomp", "apparmor"]),
    ParamSpec(name: "profile", type: .string, description: "Profile in the workspace (security/profiles/seccomp/<profile>.json, or the AppArmor profile's name)"),
    ParamSpec(name: "file", type: .path, description: "seccomp profile file to apply instead of --profile"),
    ParamSpec(name: "mount", type: .string, description: "Also install the profile file here (inside the workspace or an --allowed-root)"),
    ParamSpec(name: "allowed-root", type: .list, description: "Folders outside the workspace --mount may write into, e.g. /etc/seccomp"),
    ParamSpec(name: "force", type: .bool, default: false,
              description: "Apply even a profile that refuses what the container runtime needs to start a container"),
    ParamSpec(name: "stop-timeout", type: .int, description: "Seconds the old container gets to stop (default: its own StopTimeout, else 10)"),
    ParamSpec(name: "missing-ok", type: .bool, default: false,
              description: "No such container is not an error: report the apply as skipped (a pipeline run before the first deployment)"),
]

/// With --missing-ok, a container that does not exist is a skipped apply rather than a failure.
func skippedIfMissing(_ ctx: RunContext, _ container: String, docker: DockerClient) async throws -> RunOutcome? {
    guard ctx.arguments.bool("missing-ok") else { return nil }
    do { _ = try await docker.inspectContainer(container) } catch DockerError.notFound {
        ctx.emit(Action(kind: "profile-applied", target: container, status: .skipped,
                        detail: "no container named \(container): nothing to protect yet"))
        return .ok(summary: ["container": .string(container), "applied": false, "skipped": "no such container"])
    }
    return nil
}

func apply(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let container = a.string("container")!
    if a.string("type") == "apparmor" { return try await applyAppArmor(ctx, container: container) }
    let (path, param) = try profileFile(ctx)
    let (text, parsed) = try readProfile(path, param: param)
    let name = a.string("profile") ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    let missing = ProfileChecker.missingRuntimeNeeds(parsed.profile)
    if !missing.isEmpty && !a.bool("force") {
        throw PluginError.invalidParams(param: param, message: "\(display(path, workspace: ctx.workspace)) refuses "
            + "\(missing.joined(separator: ", ")), which the container runtime calls before the program starts: no container "
            + "can start under it (and a refused futex hangs the start for minutes). Add them, or pass --force")
    }
    return try await translatingErrors {
        var artifacts: [String] = []
        if let mount = a.string("mount") {
            let installed = try ProfileInstaller.install(Data(text.utf8), at: mount, workspace: ctx.workspace,
                                                         allowedRoots: a.list("allowed-root"), dryRun: ctx.dryRun)
            ctx.emit(Action(kind: "file-written", target: installed.path, status: ctx.dryRun ? .planned : .applied,
                            detail: "seccomp profile \(name) installed for --mount", artifacts: [installed.path]))
            artifacts.append(installed.path)
        }
        let docker = try DockerClient(requestTimeout: 120)
        if let skipped = try await skippedIfMissing(ctx, container, docker: docker) { return skipped }
        let recreator = ContainerRecreator(docker: docker, options: .init(stopTimeout: a.int("stop-timeout")))
        let plan = try await recreator.plan(container: container, change: .seccompProfile(json: text, name: name))
        return try await carryOut(plan, recreator: recreator, ctx: ctx, what: "seccomp profile \(name)", artifacts: artifacts)
    }
}

/// Reports a re-create plan as actions: `planned` under --dry-run, else each step as it is done.
func carryOut(_ plan: RecreatePlan, recreator: ContainerRecreator, ctx: RunContext, what: String,
              artifacts: [String]) async throws -> RunOutcome {
    let name = plan.original.name
    for note in plan.notes { ctx.log(.info, note) }
    var summary: [String: JSONValue] = [
        "container": .string(name), "change": .string(plan.change),
        "differences": .array(plan.differences.map { .string($0.description) }),
        "steps": .array(plan.steps.map { .string($0.description) }),
    ]
    if plan.isNoChange {
        ctx.emit(Action(kind: "profile-applied", target: name, status: .skipped, detail: "\(name) already runs with \(what)"))
        summary["applied"] = false
        return .ok(summary: summary)
    }
    if ctx.dryRun {
        for step in plan.steps {
            ctx.emit(Action(kind: "container-\(step.kind.rawValue)", target: step.target, status: .planned, detail: step.description))
        }
        ctx.emit(Action(kind: "profile-applied", target: name, status: .planned, detail: what, artifacts: artifacts))
        summary["applied"] = false
        return .ok(summary: summary)
    }
    do {
        let result = try await recreator.execute(plan) { step, outcome in
            switch outcome {
            case .done: ctx.emit(Action(kind: "container-\(step.kind.rawValue)", target: step.target, status: .applied, detail: step.description))
            case .failed(let reason):
                ctx.emit(Action(kind: "container-\(step.kind.rawValue)", target: step.target, status: .failed, detail: "\(step.description): \(reason)"))
            }
        }
        for warning in result.warnings { ctx.log(.warning, warning) }
        ctx.emit(Action(kind: "profile-applied", target: name, status: .applied,
                        detail: "\(what) (new container \(result.containerID.prefix(12)))", artifacts: artifacts))
        summary["applied"] = true
        summary["containerId"] = .string(result.containerID)
        summary["previousId"] = .string(result.originalID)
        return .ok(summary: summary)
    } catch RecreateError.failed(let failure) {
        ctx.emit(Action(kind: "profile-applied", target: name, status: .failed, detail: failure.description))
        throw PluginError.failed(failure.description)
    }
}

func applyAppArmor(_ ctx: RunContext, container: String) async throws -> RunOutcome {
    guard let name = ctx.arguments.string("profile") else {
        throw PluginError.invalidParams(param: "profile", message: "name the AppArmor profile: --profile NAME")
    }
    try checkProfileName(name)
    let host = AppArmorHost()
    let file = ctx.workspace + "/" + ProfilePaths.appArmor(name)
    guard host.kernelHasAppArmor else {
        let exists = FileManager.default.fileExists(atPath: file)
        throw PluginError.preconditionFailed("this kernel has no AppArmor (/sys/module/apparmor/parameters/enabled is "
            + "missing or not Y): an AppArmor profile cannot be loaded or applied here. "
            + (exists ? "\(ProfilePaths.appArmor(name)) is ready for a host with AppArmor (check it with apparmor_parser -Q -K)."
                      : "Create it with: contsec run seccomp-gen create --type apparmor --profile \(name)"))
    }
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
        throw PluginError.invalidParams(param: "profile", message: "no \(ProfilePaths.appArmor(name)) in the workspace: create it first (create --type apparmor --profile \(name))")
    }
    return try await translatingErrors {
        let validation = try await host.validate(text)
        guard validation.checked else { throw PluginError.toolMissing(tool: "apparmor_parser", install: AppArmorHost.installHint) }
        guard validation.valid else { throw PluginError.invalidParams(param: "profile", message: "apparmor_parser rejects \(file): \(validation.message ?? "")") }
        if ctx.dryRun {
            ctx.emit(Action(kind: "apparmor-profile-loaded", target: name, status: .planned, detail: "apparmor_parser -r -W \(file)"))
        } else {
            try await host.load(file: file)
            ctx.emit(Action(kind: "apparmor-profile-loaded", target: name, status: .applied, detail: "apparmor_parser -r -W \(file)"))
        }
        let docker = try DockerClient(requestTimeout: 120)
        let recreator = ContainerRecreator(docker: docker, options: .init(stopTimeout: ctx.arguments.int("stop-timeout")))
        let plan = try await recreator.plan(container: container, change: .appArmorProfile(name))
        return try await carryOut(plan, recreator: recreator, ctx: ctx, what: "AppArmor profile \(name)", artifacts: [])
    }
}
