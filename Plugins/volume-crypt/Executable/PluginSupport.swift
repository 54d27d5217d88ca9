import Foundation
import ContsecPluginKit
import ContainerKit
import VolumeCrypt

/// Parameters several commands share.
enum CommonParams {
    static let stateDir = ParamSpec(name: "state-dir", type: .path,
                                    description: "Folder holding the volumes' cipher directories, mounts and keys (default \(StateRoot.defaultPath), or \(StateRoot.environmentVariable))")
    static func volume(_ description: String = "Volume name (also the Docker volume's name)") -> ParamSpec {
        ParamSpec(name: "volume", type: .string, required: true, description: description)
    }
}

/// Builds the library's context from a run: state root, engine, workspace, dry-run, and the protocol as reporter.
func makeContext(_ ctx: RunContext) throws -> VolumeCryptContext {
    let docker: DockerClient
    do { docker = try DockerClient(requestTimeout: 60) } catch { throw PluginError.preconditionFailed("\(error)") }
    let reporter = Reporter(action: { ctx.emit($0) }, finding: { ctx.emit($0) }, log: { ctx.log($0, $1) },
                            progress: { ctx.progress($0) })
    return VolumeCryptContext(state: try StateRoot(explicit: ctx.arguments.path("state-dir")), docker: docker,
                              workspace: ctx.workspace, dryRun: ctx.dryRun, report: reporter)
}

/// A command handler with the shared set-up: the context, the start-of-run collection of auto-delete temp volumes,
/// and the library's errors turned into the protocol's.
func handler(collectFirst: Bool = true,
             _ body: @escaping @Sendable (RunContext, VolumeCryptContext) async throws -> RunOutcome) -> @Sendable (RunContext) async throws -> RunOutcome {
    { ctx in
        try await translatingErrors {
            let volumeCrypt = try makeContext(ctx)
            if collectFirst {
                // Best effort: a command that needs the engine reports its absence itself.
                _ = try? await GarbageCollector.collect(volumeCrypt, minimumAge: GarbageCollector.implicitMinimumAge)
            }
            return try await body(ctx, volumeCrypt)
        }
    }
}

/// `["volume": "x"]` as a run summary.
func summary(_ values: [String: String]) -> [String: JSONValue] { values.mapValues { .string($0) } }

func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as VolumeCryptError {
        switch error {
        case .invalidParameter(let param, let message): throw PluginError.invalidParams(param: param, message: message)
        case .toolMissing(let tool, let install): throw PluginError.toolMissing(tool: tool, install: install)
        case .precondition(let message): throw PluginError.preconditionFailed(message)
        case .failed(let message): throw PluginError.failed(message)
        }
    } catch let error as DockerError {
        throw PluginError.preconditionFailed(error.description)
    } catch let error as ConfinementError {
        throw PluginError.failed(error.description)
    } catch is CancellationError {
        throw PluginError.cancelled
    }
}
