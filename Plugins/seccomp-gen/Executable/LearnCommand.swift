import Foundation
import ContsecPluginKit
import ContainerKit
import SeccompGen

let learnParams: [ParamSpec] = [
    ParamSpec(name: "image", type: .string, required: true, description: "Local image to learn from (nothing is pulled)"),
    ParamSpec(name: "cmd", type: .string,
              description: "Command instead of the image's CMD: words (with '...' quoting) or a JSON array"),
    ParamSpec(name: "entrypoint", type: .string, description: "Entrypoint instead of the image's (\"\" for none)"),
    ParamSpec(name: "duration", type: .int, default: 10,
              description: "Seconds to let a program that does not end by itself run before stopping it with SIGTERM"),
    ParamSpec(name: "exercise", type: .path,
              description: "Shell script run in the container while learning (e.g. requests to a server); its syscalls are recorded too"),
    ParamSpec(name: "network", type: .string, default: "none", description: "Network of the learning container"),
    ParamSpec(name: "user", type: .string, description: "User to run as instead of the image's"),
    ParamSpec(name: "profile", type: .string, description: "Profile name (default learned-<image>)"),
    ParamSpec(name: "output", type: .string, description: "File to write, relative to the workspace (default security/profiles/seccomp/<profile>.json)"),
    ParamSpec(name: "healthcheck", type: .bool, default: true, description: "Also trace the image's healthcheck command once"),
]

func learn(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let image = a.string("image")!
    let name = a.string("profile") ?? "learned-" + image.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" }
    try checkProfileName(name)
    let duration = a.int("duration") ?? 10
    guard (1...86_400).contains(duration) else {
        throw PluginError.invalidParams(param: "duration", message: "\(duration) is not between 1 and 86400 seconds")
    }
    var exercises: [String] = []
    if let path = a.path("exercise") {
        do { exercises.append(try String(contentsOfFile: path, encoding: .utf8)) } catch {
            throw PluginError.invalidParams(param: "exercise", message: "cannot read \(path): \((error as NSError).localizedDescription)")
        }
    }
    let command = try a.string("cmd").map(splitCommand)
    let entrypoint = try a.string("entrypoint").map { $0.isEmpty ? [] : try splitCommand($0) }
    let output = a.string("output") ?? ProfilePaths.seccomp(name)
    let writer = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun)

    if ctx.dryRun {
        ctx.emit(Action(kind: "container-created", target: "contsec-learn-…", status: .planned,
                        detail: "run \(image) under strace (seccomp=unconfined, network \(a.string("network") ?? "none")) for up to \(duration) s, then remove it"))
        let planned = try writer.write(output, Data(), mode: 0o644)
        ctx.emit(Action(kind: "file-written", target: planned.relativePath, status: .planned,
                        detail: "learned seccomp profile \(name)", artifacts: [planned.relativePath]))
        return .ok(summary: ["profile": .string(name), "path": .string(planned.relativePath), "dryRun": true])
    }

    return try await translatingErrors {
        let docker = try DockerClient(requestTimeout: 60)
        let options = LearnOptions(image: image, command: command, entrypoint: entrypoint, duration: Double(duration),
                                   exercises: exercises, network: a.string("network") ?? "none", user: a.string("user"),
                                   traceHealthcheck: a.bool("healthcheck"))
        let session = LearnSession(docker: docker, options: options) { ctx.progress($0) }
        let result = try await session.run()
        try ctx.checkCancellation()
        for note in result.notes { ctx.log(.warning, note) }
        let profile = LearnedProfile.profile(from: result, image: image)
        let written = try writer.write(output, Data(ProfileWriter.text(profile).utf8), mode: 0o644)
        ctx.emit(Action(kind: "file-written", target: written.relativePath, status: .applied,
                        detail: "learned seccomp profile \(name): \(result.syscalls.count) syscalls seen, run \(result.ending)",
                        artifacts: [written.relativePath]))
        let rows: [[String: JSONValue]] = result.syscalls.keys.sorted().map { syscall in
            let seen = result.syscalls[syscall]!
            return ["syscall": .string(syscall), "calls": .int(seen.calls), "errors": .int(seen.errors),
                    "source": .string(seen.sources.sorted().map(\.rawValue).joined(separator: ","))]
        }
        let runtimeOnly = profile.syscalls.first { $0.comment?.contains("container runtime") == true }?.names ?? []
        return .ok(summary: [
            "profile": .string(name), "path": .string(written.relativePath), "image": .string(image),
            "architecture": .string(result.architecture.rawValue), "syscallsSeen": .int(result.syscalls.count),
            "runtimeAdded": .array(runtimeOnly.map(JSONValue.string)),
            "exitCode": result.exitCode.map { .int($0) } ?? .null, "ending": .string(result.ending),
            "exerciseExitCodes": .array(result.exerciseExitCodes.map { .int($0) }),
            "healthcheckExitCode": result.healthcheckExitCode.map { .int($0) } ?? .null,
            "seconds": .double((result.seconds * 100).rounded() / 100),
        ], table: ResultTable(title: "syscalls seen while learning \(image)",
                              columns: [.init("syscall", "SYSCALL"), .init("calls", "CALLS"), .init("errors", "ERRORS"),
                                        .init("source", "SOURCE")], rows: rows))
    }
}
