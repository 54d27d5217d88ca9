import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// What to learn from.
public struct LearnOptions: Sendable {
    /// A local image (nothing is pulled).
    public var image: String
    /// The command, replacing the image's `Cmd` (the image's entrypoint still runs first, as with `docker run`).
    public var command: [String]?
    /// Replaces the image's entrypoint (`[]` removes it).
    public var entrypoint: [String]?
    /// How long to let a program that does not end by itself run, in seconds.
    public var duration: Double
    /// Shell scripts run in the container (with `/bin/sh -c`) while it learns, one after the other, after ``warmup``.
    public var exercises: [String]
    /// Seconds between the start and the first exercise (for servers to open their ports).
    public var warmup: Double
    /// Network for the learning container: `none` (default: nothing leaves the machine) or a network name.
    public var network: String
    /// Run as this user instead of the image's.
    public var user: String?
    /// Also trace the image's healthcheck command once, so the profile lets it pass.
    public var traceHealthcheck: Bool
    /// Extra labels for the learning container (every one also gets `contsec-learn=1`).
    public var labels: [String: String]

    public init(image: String, command: [String]? = nil, entrypoint: [String]? = nil, duration: Double = 10,
                exercises: [String] = [], warmup: Double = 1, network: String = "none", user: String? = nil,
                traceHealthcheck: Bool = true, labels: [String: String] = [:]) {
        self.image = image
        self.command = command
        self.entrypoint = entrypoint
        self.duration = duration
        self.exercises = exercises
        self.warmup = warmup
        self.network = network
        self.user = user
        self.traceHealthcheck = traceHealthcheck
        self.labels = labels
    }
}

/// Where a syscall was seen.
public enum SyscallSource: String, Sendable, Comparable, CaseIterable {
    case program, exercise, healthcheck, runtime
    public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// What a learning run saw.
public struct LearnResult: Sendable {
    /// The host architecture the program ran on.
    public var architecture: Architecture
    /// Every syscall name seen, with its counts and where it came from.
    public var syscalls: [String: (calls: Int, errors: Int, sources: Set<SyscallSource>)]
    /// Names strace reported that are not syscalls of this architecture (left out of the profile).
    public var unnamed: [String]
    /// The program's exit code; nil when it was still running and had to be stopped.
    public var exitCode: Int?
    /// How the run ended: "exited", "stopped with SIGTERM after N s", "stopped by the engine after N s".
    public var ending: String
    /// Exit codes of the exercises, in order.
    public var exerciseExitCodes: [Int]
    public var healthcheckExitCode: Int?
    /// Wall time from start to the end of the program, in seconds.
    public var seconds: Double
    public var notes: [String]
}

/// Runs an image's command under strace inside its own container and records every syscall it (and every process
/// it starts) makes. See `Plugins/seccomp-gen/LEARNING.md` for why strace and not `SCMP_ACT_LOG`.
///
/// The learning container runs with `seccomp=unconfined` (nothing is refused while recording, so the program takes
/// the same paths it takes in production), on network `none` unless told otherwise, labelled `contsec-learn=1`,
/// and is removed afterwards, as is the temporary folder holding the tracer.
public struct LearnSession: Sendable {
    public let docker: DockerClient
    public let options: LearnOptions
    let runner: ToolRunner
    /// Called with a line of progress now and then.
    let progress: @Sendable (String) -> Void

    public init(docker: DockerClient, options: LearnOptions, runner: ToolRunner = ToolRunner(),
                progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.docker = docker
        self.options = options
        self.runner = runner
        self.progress = progress
    }

    public func run() async throws -> LearnResult {
        let image: ImageInspect
        do { image = try await docker.inspectImage(options.image) } catch DockerError.notFound {
            throw LearnError.invalidInput(param: "image", message: "\(options.image) is not present on this engine "
                                          + "(learn never pulls: docker pull it or build it first)")
        }
        let argv = (options.entrypoint ?? image.config?.entrypoint ?? []) + (options.command ?? image.config?.cmd ?? [])
        guard !argv.isEmpty else {
            throw LearnError.invalidInput(param: "cmd", message: "\(options.image) has no entrypoint or command: say what to run with --cmd")
        }
        let version = try await docker.version()
        guard let architecture = version.arch.flatMap(Architecture.init(name:)), Architecture.native.contains(architecture) else {
            throw LearnError.failed("the engine runs on \(version.arch ?? "an unknown architecture"): learn supports x86_64 and aarch64")
        }

        let scratch = NSTemporaryDirectory() + "contsec-learn-\(UUID().uuidString.prefix(8).lowercased())"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let bundle = try await TracerBundle.prepare(in: scratch + "/tracer", runner: runner)
        // Written by strace as the image's user, whoever that is; the 0700 parent keeps other host users out.
        let output = scratch + "/out"
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o1777], ofItemAtPath: output)

        let name = "contsec-learn-\(UUID().uuidString.prefix(8).lowercased())"
        let command = bundle.commandPrefix + Self.straceArguments(output: "main") + argv
        var labels = options.labels
        labels["contsec-learn"] = "1"
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: options.image, cmd: Array(command.dropFirst()), entrypoint: [command[0]],
                                    user: options.user, labels: labels),
            hostConfig: HostConfig(networkMode: options.network, securityOpt: ["seccomp=unconfined"],
                                   binds: ["\(bundle.directory):\(TracerBundle.containerPath):ro",
                                           "\(output):\(TracerBundle.outputPath):rw"])))
        do {
            let result = try await trace(container: created.id, image: image, bundle: bundle, output: output,
                                         architecture: architecture)
            try? await docker.removeContainer(created.id, force: true, volumes: true)
            return result
        } catch {
            try? await docker.removeContainer(created.id, force: true, volumes: true)
            throw error
        }
    }

    /// strace options: follow forks, quiet, count per syscall, into a file in the output folder.
    static func straceArguments(output: String) -> [String] {
        ["-f", "-qq", "-c", "-o", "\(TracerBundle.outputPath)/\(output)", "--"]
    }

    func trace(container id: String, image: ImageInspect, bundle: TracerBundle, output: String,
               architecture: Architecture) async throws -> LearnResult {
        let started = Date()
        try await docker.startContainer(id)
        progress("tracing \(options.image)")
        var notes: [String] = []

        // Exercises and the healthcheck run while the program does, each under its own tracer.
        var exerciseCodes: [Int] = []
        var healthCode: Int?
        var extraOutputs: [(String, SyscallSource)] = []
        if !options.exercises.isEmpty || options.traceHealthcheck {
            try await Task.sleep(nanoseconds: UInt64(max(0, options.warmup) * 1_000_000_000))
        }
        for (i, script) in options.exercises.enumerated() where try await isRunning(id) {
            progress("exercise \(i + 1) of \(options.exercises.count)")
            let file = "exercise-\(i + 1)"
            let result = try await docker.exec(id, ExecOptions(bundle.commandPrefix + Self.straceArguments(output: file)
                                                               + ["/bin/sh", "-c", script]))
            exerciseCodes.append(result.exitCode)
            extraOutputs.append((file, .exercise))
            if result.exitCode != 0 {
                notes.append("exercise \(i + 1) exited with \(result.exitCode)"
                             + (result.stderrText.contains("No such file") ? " (does the image have /bin/sh?)" : ""))
            }
        }
        if options.traceHealthcheck, let test = image.config?.healthcheck?.test, let argv = Self.healthcheckCommand(test),
           try await isRunning(id) {
            let result = try await docker.exec(id, ExecOptions(bundle.commandPrefix + Self.straceArguments(output: "healthcheck") + argv))
            healthCode = result.exitCode
            extraOutputs.append(("healthcheck", .healthcheck))
        }

        // Let the program run to the end of --duration, then stop it the way `docker stop` would.
        let deadline = started.addingTimeInterval(options.duration)
        while Date() < deadline, try await isRunning(id) {
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        var ending = "exited"
        if try await isRunning(id) {
            ending = try await stop(id)
        }
        let inspect = try await docker.inspectContainer(id)
        let seconds = Date().timeIntervalSince(started)

        guard let mainText = try? String(contentsOfFile: output + "/main", encoding: .utf8), !mainText.isEmpty else {
            var tail = ""
            for try await chunk in docker.logs(id, options: LogOptions(tail: 10)) { tail += chunk.text }
            throw LearnError.failed("the tracer wrote no summary (exit code \(inspect.state.exitCode ?? -1)): "
                                    + tail.trimmingCharacters(in: .whitespacesAndNewlines).suffix(500))
        }
        var syscalls: [String: (calls: Int, errors: Int, sources: Set<SyscallSource>)] = [:]
        var unnamed = Set<String>()
        func merge(_ text: String, _ source: SyscallSource) {
            let summary = StraceSummary.parse(text, table: architecture.table)
            for (table, entries) in [(architecture.table, summary.native), (architecture.companion?.table ?? architecture.table, summary.compat)] {
                for (name, entry) in entries {
                    guard table.contains(name) else { unnamed.insert(name); continue }
                    var current = syscalls[name] ?? (0, 0, [])
                    current.calls += entry.calls
                    current.errors += entry.errors
                    current.sources.insert(source)
                    syscalls[name] = current
                }
            }
        }
        merge(mainText, .program)
        for (file, source) in extraOutputs {
            if let text = try? String(contentsOfFile: output + "/" + file, encoding: .utf8) { merge(text, source) }
        }
        if !unnamed.isEmpty { notes.append("strace reported names that are not \(architecture.rawValue) syscalls: \(unnamed.sorted().joined(separator: ", "))") }
        return LearnResult(architecture: architecture, syscalls: syscalls, unnamed: unnamed.sorted(),
                           exitCode: ending == "exited" ? inspect.state.exitCode : nil, ending: ending,
                           exerciseExitCodes: exerciseCodes, healthcheckExitCode: healthCode, seconds: seconds, notes: notes)
    }

    func isRunning(_ id: String) async throws -> Bool {
        try await docker.inspectContainer(id).state.running
    }

    /// Sends SIGTERM to the traced program (strace's child, found through /proc on this host) so its shutdown is
    /// recorded too; if that is not possible or it does not stop within 10 s, stops the container.
    func stop(_ id: String) async throws -> String {
        let seconds = Int(options.duration.rounded())
        if let pid = try await docker.inspectContainer(id).state.pid, pid > 0 {
            let children = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
            let targets = children.split(separator: " ").compactMap { Int32($0) }
            if !targets.isEmpty, targets.allSatisfy({ kill($0, SIGTERM) == 0 }) {
                let deadline = Date().addingTimeInterval(10)
                while Date() < deadline, try await isRunning(id) { try await Task.sleep(nanoseconds: 100_000_000) }
                if try await !isRunning(id) { return "stopped with SIGTERM after \(seconds) s" }
            }
        }
        try await docker.stopContainer(id, timeout: 5)
        return "stopped by the engine after \(seconds) s (shutdown syscalls may be missing)"
    }

    /// A healthcheck's `Test` as a command: `["CMD", args...]` or `["CMD-SHELL", "text"]`.
    static func healthcheckCommand(_ test: [String]) -> [String]? {
        guard let kind = test.first else { return nil }
        switch kind {
        case "CMD": return test.count > 1 ? Array(test.dropFirst()) : nil
        case "CMD-SHELL": return test.count > 1 ? ["/bin/sh", "-c", test[1]] : nil
        default: return nil
        }
    }
}
