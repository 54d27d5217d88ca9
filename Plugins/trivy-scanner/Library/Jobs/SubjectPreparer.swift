import Foundation
import ContainerKit

/// Turns a `ScanSource` into what Trivy reads, exporting local images to the scratch directory first.
struct SubjectPreparer: Sendable {
    var dockerSocket: String?
    /// With `--offline` an image the engine lacks is an error: fetching it from a registry is a download.
    var offline: Bool
    var note: @Sendable (String) -> Void

    func subject(for source: ScanSource, scratch: ScratchDirectory) async throws -> TrivySubject {
        switch source {
        case .archive(let path): return .imageArchive(path)
        case .directory(let path): return .directory(path)
        case .image(let reference):
            let client: DockerClient
            do {
                client = try DockerClient(socketPath: dockerSocket)
            } catch {
                return try remote(reference, because: "\(error)")
            }
            note("exporting \(reference) from the Docker engine")
            switch try await ImageExporter(client: client).export(reference, to: scratch.file("image.tar")) {
            case .exported(let path, let bytes):
                note("exported \(reference) (\(bytes / 1024) KiB)")
                return .imageArchive(path)
            case .notLocal(let reason):
                return try remote(reference, because: reason)
            }
        }
    }

    private func remote(_ reference: String, because reason: String) throws -> TrivySubject {
        if offline {
            throw TrivyScannerError.imageNotLocalOffline(image: reference, reason: reason)
        }
        note("\(reason); Trivy fetches \(reference) from its registry")
        return .remoteImage(reference)
    }
}
