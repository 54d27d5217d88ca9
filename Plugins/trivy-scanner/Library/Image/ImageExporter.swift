import Foundation
import ContainerKit

/// Saves an image from the local Docker engine to a tarball Trivy reads with `--input`. Trivy's own daemon access
/// depends on its Docker client finding the socket and speaking the engine's API version; the Engine API export
/// through ContainerKit does not.
public struct ImageExporter: Sendable {
    public let client: DockerClient

    public init(client: DockerClient) { self.client = client }

    /// Where an image comes from.
    public enum Outcome: Sendable, Equatable {
        /// Exported to this tar file.
        case exported(path: String, bytes: Int)
        /// The engine does not have it (or no engine answers): the reason, for the log.
        case notLocal(reason: String)
    }

    /// Writes `reference` to `path` (created 0600). An image the engine lacks, or an engine that is not running,
    /// is `.notLocal`, so the caller can let Trivy fetch the image from its registry instead.
    public func export(_ reference: String, to path: String) async throws -> Outcome {
        do {
            _ = try await client.inspectImage(reference)
        } catch let error as DockerError {
            switch error {
            case .notFound, .socketMissing, .daemonNotListening: return .notLocal(reason: error.description)
            default: throw TrivyScannerError.imageExportFailed(image: reference, reason: error.description)
            }
        }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw TrivyScannerError.imageExportFailed(image: reference, reason: "cannot create \(path)")
        }
        defer { try? handle.close() }
        do {
            let bytes = try await client.saveImages([reference], to: handle)
            try Task.checkCancellation()
            return .exported(path: path, bytes: bytes)
        } catch let error as DockerError {
            throw TrivyScannerError.imageExportFailed(image: reference, reason: error.description)
        }
    }
}
