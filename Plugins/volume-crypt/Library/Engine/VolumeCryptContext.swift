import Foundation
import ContainerKit
import ContsecProtocol

/// Where a command reports to; the plugin executable connects these to the protocol.
public struct Reporter: Sendable {
    public var action: @Sendable (Action) -> Void
    public var finding: @Sendable (Finding) -> Void
    public var log: @Sendable (LogLevel, String) -> Void
    public var progress: @Sendable (String) -> Void

    public init(action: @escaping @Sendable (Action) -> Void = { _ in }, finding: @escaping @Sendable (Finding) -> Void = { _ in },
                log: @escaping @Sendable (LogLevel, String) -> Void = { _, _ in }, progress: @escaping @Sendable (String) -> Void = { _ in }) {
        self.action = action; self.finding = finding; self.log = log; self.progress = progress
    }
}

/// What every command needs: where volumes live, the engine, the tools, the workspace, dry-run, and the reporter.
public struct VolumeCryptContext: Sendable {
    public var state: StateRoot
    public var docker: DockerClient
    public var gocryptfs: Gocryptfs
    public var tools: ToolRunner
    /// Folder backups are written in (they must stay inside it).
    public var workspace: String
    public var dryRun: Bool
    public var report: Reporter

    public init(state: StateRoot, docker: DockerClient, tools: ToolRunner = ToolRunner(), workspace: String,
                dryRun: Bool, report: Reporter) {
        self.state = state; self.docker = docker; self.tools = tools; self.gocryptfs = Gocryptfs(tools: tools)
        self.workspace = workspace; self.dryRun = dryRun; self.report = report
    }

    /// Runs one change and reports it as an action: `applied` when `body` succeeds, `failed` (then rethrown) when
    /// it throws, and under dry-run `planned` without running it.
    @discardableResult
    func step(_ kind: String, _ target: String, _ detail: String, artifacts: [String] = [],
              _ body: () async throws -> Void) async throws -> Bool {
        if dryRun {
            report.action(Action(kind: kind, target: target, status: .planned, detail: detail, artifacts: []))
            return false
        }
        do {
            try await body()
        } catch {
            report.action(Action(kind: kind, target: target, status: .failed, detail: "\(detail): \(error)"))
            throw error
        }
        report.action(Action(kind: kind, target: target, status: .applied, detail: detail, artifacts: artifacts))
        return true
    }

    /// Containers (running or not) whose mounts name the Docker volume `name`.
    func containersUsing(_ name: String) async throws -> [ContainerSummary] {
        try await docker.listContainers(all: true, filters: ["volume": [name]])
    }

    /// The Docker volume `name`, nil when there is none.
    func dockerVolume(_ name: String) async throws -> Volume? {
        do { return try await docker.inspectVolume(name) } catch DockerError.notFound { return nil }
    }

    /// Refuses when containers use the volume, naming them: with `runningOnly`, stopped ones are let through.
    func refuseIfInUse(_ name: String, runningOnly: Bool, doing: String) async throws {
        var users = try await containersUsing(name)
        if runningOnly { users = users.filter { $0.state == "running" || $0.state == "paused" || $0.state == "restarting" } }
        guard users.isEmpty else {
            let names = users.map(Self.displayName).joined(separator: ", ")
            let stop = runningOnly ? "stop" : "stop and remove"
            throw VolumeCryptError.precondition("cannot \(doing) volume \(name): it is in use by \(runningOnly ? "running " : "")containers \(names); \(stop) them first")
        }
    }

    static func displayName(_ container: ContainerSummary) -> String {
        container.names.first.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? String(container.id.prefix(12))
    }
}

/// Changes to take back, last first, when a command fails half way (create, restore): what was there before
/// is left as it was.
final class UndoStack: @unchecked Sendable {
    private var actions: [(String, () async throws -> Void)] = []

    func push(_ what: String, _ action: @escaping () async throws -> Void) { actions.append((what, action)) }

    /// Runs every undo action, last first; failures are reported, not thrown (the original error is what matters).
    func unwind(_ report: Reporter) async {
        while let (what, action) = actions.popLast() {
            do { try await action() } catch { report.log(.error, "could not undo (\(what)): \(error)") }
        }
    }
}
