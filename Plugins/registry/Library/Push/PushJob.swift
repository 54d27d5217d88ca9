import Foundation
import ContainerKit
import ContsecProtocol
import RegistryClient
// Only what the gate needs: TrivyScanner has an ImageReference of its own.
import struct TrivyScanner.ScanRequest
import struct TrivyScanner.ScanResult
import enum TrivyScanner.ScanJob
import struct TrivyScanner.TrivyOptions
import struct TrivyScanner.ScanGate
import struct TrivyScanner.TrivyLogLine

/// What `push` was asked to do.
public struct PushRequest: Sendable {
    /// The local image, as the engine names it.
    public var localImage: String
    /// Where it goes: registry/repository:tag.
    public var target: ImageReference
    /// Scan with Trivy first and refuse on these gates (nil: no scan).
    public var gate: ScanGate?
    public var scanOptions: TrivyOptions
    public var trivyPath: String?
    public var credential: RegistryCredential?

    public init(localImage: String, target: ImageReference, gate: ScanGate?, scanOptions: TrivyOptions, trivyPath: String?,
                credential: RegistryCredential?) {
        self.localImage = localImage; self.target = target; self.gate = gate; self.scanOptions = scanOptions
        self.trivyPath = trivyPath; self.credential = credential
    }
}

/// The gate part of a push: Trivy, exactly as trivy-scanner runs it, before anything leaves the machine.
public enum PushGate {
    /// Scans the local image; returns the scan's findings and the gate's verdict (nil: passed), or nil with no gate.
    public static func scan(_ request: PushRequest, onLog: @escaping @Sendable (TrivyLogLine) -> Void,
                            note: @escaping @Sendable (String) -> Void) async throws -> ScanResult? {
        guard let gate = request.gate else { return nil }
        return try await ScanJob.run(ScanRequest(source: .image(request.localImage), options: request.scanOptions, gate: gate,
                                                 trivyPath: request.trivyPath), onLog: onLog, note: note)
    }

    /// The registry digest the engine recorded for this image in the target repository (from an earlier push), if any.
    public static func knownDigest(_ request: PushRequest, docker: DockerClient) async throws -> Digest? {
        let inspect = try await docker.inspectImage(request.localImage)
        let prefix = request.target.name + "@"
        return (inspect.repoDigests ?? []).first { $0.hasPrefix(prefix) }.flatMap { Digest(String($0.dropFirst(prefix.count))) }
    }
}

/// Pushes a local image through the Docker Engine API (the engine uploads, with `X-Registry-Auth`) and checks the
/// registry then serves the digest the engine reported.
public enum PushJob {
    public struct Pushed: Sendable {
        public let digest: Digest
        /// True when the local image had to be tagged with the target name first.
        public let tagged: Bool
    }

    public static func push(_ request: PushRequest, docker: DockerClient, client: RegistryClient,
                            progress: @escaping @Sendable (String) -> Void) async throws -> Pushed {
        let inspect = try await docker.inspectImage(request.localImage)
        let targetName = request.target.name
        guard let tag = request.target.tag else {
            throw RegistryError.invalidReference(request.target.description, reason: "push needs a tag")
        }
        var tagged = false
        if !(inspect.repoTags ?? []).contains(targetName + ":" + tag) {
            try await docker.tagImage(request.localImage, repo: targetName, tag: tag)
            tagged = true
        }
        let auth = RegistryAuth(username: request.credential?.username, password: request.credential?.password,
                                serverAddress: request.credential == nil ? nil : request.target.registry)
        let reported = try await docker.pushImage(targetName, tag: tag, auth: auth) { message in
            if let status = message.status, message.progress == nil { progress("push: \(status)") }
        }
        guard let digest = Digest(reported) else {
            throw RegistryError.malformed(url: targetName, reason: "the engine reported '\(reported)' as the pushed digest")
        }
        let served = try await client.manifest(request.target.repository, reference: tag).digest
        guard served == digest else {
            throw RegistryError.digestMismatch(url: "\(targetName):\(tag)", expected: digest.description, actual: served.description)
        }
        return Pushed(digest: digest, tagged: tagged)
    }
}
