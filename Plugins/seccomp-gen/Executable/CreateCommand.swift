import Foundation
import ContsecPluginKit
import ContainerKit
import SeccompGen

let createParams: [ParamSpec] = [
    ParamSpec(name: "type", type: .string, default: "seccomp", description: "Profile kind", allowed: ["seccomp", "apparmor"]),
    ParamSpec(name: "profile", type: .string, description: "Profile name (file name; default <app-type>-<template>)"),
    ParamSpec(name: "app-type", type: .string, default: "web", description: "What runs in the container",
              allowed: AppType.allCases.map(\.rawValue)),
    ParamSpec(name: "template", type: .string, default: "default",
              description: "default (Docker's), strict (minus what the app type does not need), permissive (plus a documented set)",
              allowed: TemplateKind.allCases.map(\.rawValue)),
    ParamSpec(name: "output", type: .string,
              description: "File to write, relative to the workspace (default security/profiles/seccomp/<profile>.json or security/profiles/apparmor/<profile>)"),
]

func create(_ ctx: RunContext) async throws -> RunOutcome {
    let started = DispatchTime.now()
    let a = ctx.arguments
    let appType = AppType(rawValue: a.string("app-type") ?? "web")!
    let template = TemplateKind(rawValue: a.string("template") ?? "default")!
    let kind = a.string("type") ?? "seccomp"
    let name = a.string("profile") ?? "\(appType.rawValue)-\(template.rawValue)"
    try checkProfileName(name)
    let writer = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun)
    return try await translatingErrors {
        if kind == "apparmor" {
            return try await createAppArmor(ctx, name: name, appType: appType, writer: writer, started: started)
        }
        let profile = TemplateBuilder.profile(template, appType: appType)
        let text = ProfileWriter.text(profile)
        let written = try writer.write(a.string("output") ?? ProfilePaths.seccomp(name), Data(text.utf8), mode: 0o644)
        ctx.emit(Action(kind: "file-written", target: written.relativePath, status: ctx.dryRun ? .planned : .applied,
                        detail: "seccomp profile \(name): \(template.rawValue) template for \(appType.rawValue)",
                        artifacts: [written.relativePath]))
        let x86 = EffectiveFilter(profile, context: FilterContext(architecture: .x86_64))
        let arm = EffectiveFilter(profile, context: FilterContext(architecture: .aarch64))
        let table = templateTable(template, appType: appType)
        return .ok(summary: [
            "profile": .string(name), "path": .string(written.relativePath), "template": .string(template.rawValue),
            "appType": .string(appType.rawValue), "bytes": .int(written.bytes),
            "allowedSyscalls": ["x86_64": .int(x86.allowed.count), "aarch64": .int(arm.allowed.count)],
            "elapsedMs": .double(milliseconds(since: started)),
        ], table: table)
    }
}

/// What the template changes relative to Docker's default, with the reasons.
func templateTable(_ template: TemplateKind, appType: AppType) -> ResultTable {
    let columns: [ResultTable.Column] = [.init("change", "CHANGE"), .init("what", "WHAT"), .init("syscalls", "SYSCALLS"),
                                         .init("reason", "REASON")]
    var rows: [[String: JSONValue]] = []
    switch template {
    case .default:
        rows = DockerDefault.groups.map {
            ["change": "allowed", "what": .string($0.title), "syscalls": .string($0.names.joined(separator: " ")), "reason": .string($0.reason)]
        }
    case .strict:
        rows = StrictTemplate.restrictions(for: appType).map { r in
            ["change": "removed", "what": .string(r.title), "syscalls": .string(r.syscalls.joined(separator: " ")),
             "reason": .string(r.reason)]
        }
    case .permissive:
        rows = PermissiveTemplate.additions.map {
            ["change": "added", "what": .string($0.title), "syscalls": .string($0.names.joined(separator: " ")), "reason": .string($0.reason)]
        }
    }
    return ResultTable(title: "\(template.rawValue) template for \(appType.rawValue), compared with Docker's default", columns: columns, rows: rows)
}

func createAppArmor(_ ctx: RunContext, name: String, appType: AppType, writer: ConfinedWriter,
                    started: DispatchTime) async throws -> RunOutcome {
    let text = AppArmorProfile.text(name: name, appType: appType)
    let host = AppArmorHost()
    let validation = try await host.validate(text)
    if validation.checked, !validation.valid {
        throw PluginError.failed("apparmor_parser rejected the generated profile \(name): \(validation.message ?? "")")
    }
    if !validation.checked {
        ctx.log(.warning, "apparmor_parser is not installed (\(AppArmorHost.installHint)): the profile was not validated")
    }
    let written = try writer.write(ctx.arguments.string("output") ?? ProfilePaths.appArmor(name), Data(text.utf8), mode: 0o644)
    ctx.emit(Action(kind: "file-written", target: written.relativePath, status: ctx.dryRun ? .planned : .applied,
                    detail: "AppArmor profile \(name) for \(appType.rawValue)"
                        + (validation.checked ? " (apparmor_parser -Q -K: valid)" : " (not validated)"),
                    artifacts: [written.relativePath]))
    let rows: [[String: JSONValue]] =
        AppArmorProfile.capabilities(appType).map { ["rule": .string("capability \($0.name)"), "why": .string($0.why)] }
        + AppArmorProfile.writableDirectories(appType).map { ["rule": .string("\($0.path)/** rwlk"), "why": .string($0.why)] }
    return .ok(summary: [
        "profile": .string(name), "path": .string(written.relativePath), "type": "apparmor", "appType": .string(appType.rawValue),
        "validated": .bool(validation.checked), "kernelHasAppArmor": .bool(host.kernelHasAppArmor),
        "elapsedMs": .double(milliseconds(since: started)),
    ], table: ResultTable(title: "AppArmor profile \(name): what \(appType.rawValue) keeps", columns: [.init("rule", "RULE"), .init("why", "WHY")], rows: rows))
}

let templatesCommand = Command(name: "templates",
                               description: "List what each template changes from Docker's default, per app type, with the reasons") { _ in
    var rows: [[String: JSONValue]] = []
    for r in StrictTemplate.restrictions {
        rows.append(["template": "strict", "change": "removed", "what": .string(r.title),
                     "appTypes": .string(AppType.allCases.filter { !r.keptBy.contains($0) }.map(\.rawValue).joined(separator: ",")),
                     "syscalls": .string(Array(Set(r.syscalls)).sorted().joined(separator: " ")), "reason": .string(r.reason)])
    }
    for p in PermissiveTemplate.additions {
        rows.append(["template": "permissive", "change": "added", "what": .string(p.title), "appTypes": "all",
                     "syscalls": .string(p.names.joined(separator: " ")), "reason": .string(p.reason)])
    }
    return .ok(summary: ["restrictions": .int(StrictTemplate.restrictions.count), "additions": .int(PermissiveTemplate.additions.count)],
               table: ResultTable(title: "seccomp templates compared with Docker's default",
                                  columns: [.init("template", "TEMPLATE"), .init("change", "CHANGE"), .init("what", "WHAT"),
                                            .init("appTypes", "APP TYPES"), .init("syscalls", "SYSCALLS"), .init("reason", "REASON")],
                                  rows: rows))
}
