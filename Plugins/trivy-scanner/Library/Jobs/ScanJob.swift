import Foundation
import ContsecProtocol

/// One `scan`: what to scan, how, and the gates.
public struct ScanRequest: Sendable {
    public var source: ScanSource
    public var options: TrivyOptions
    public var gate: ScanGate
    /// `--trivy`; nil: `CONTSEC_TRIVY` or PATH.
    public var trivyPath: String?
    /// nil: `DOCKER_HOST` or the default socket.
    public var dockerSocket: String?
    /// Archives and directories inside it are named by their path relative to it, and so are the files a directory
    /// scan finds (as SARIF resolves them); nil: paths as given.
    public var workspace: String?

    public init(source: ScanSource, options: TrivyOptions = TrivyOptions(), gate: ScanGate = ScanGate(),
                trivyPath: String? = nil, dockerSocket: String? = nil, workspace: String? = nil) {
        self.source = source; self.options = options; self.gate = gate
        self.trivyPath = trivyPath; self.dockerSocket = dockerSocket; self.workspace = workspace
    }
}

/// Findings, the summary, and the gates' verdict (nil: passed).
public struct ScanResult: Sendable {
    public var findings: [Finding]
    public var summary: [String: JSONValue]
    public var verdict: ScanGate.Verdict?
}

/// Runs Trivy on the source and maps its report. Temporary files (report, exported image) are removed on every path.
public enum ScanJob {
    public static func run(_ request: ScanRequest, onLog: @escaping @Sendable (TrivyLogLine) -> Void,
                           note: @escaping @Sendable (String) -> Void) async throws -> ScanResult {
        var request = request
        request.options = request.options.withEnvironmentDefaults()
        // Look for trivy before exporting an image: a missing tool should fail fast.
        let trivy = TrivyRunner(executable: try TrivyLocator.locate(explicit: request.trivyPath))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let subject = try await SubjectPreparer(dockerSocket: request.dockerSocket, offline: request.options.offline, note: note)
            .subject(for: request.source, scratch: scratch)
        let output = scratch.file("report.json")
        note("running trivy on \(request.source.displayName)")
        let data = try await trivy.run(TrivyArguments.scan(subject, options: request.options, output: output), output: output,
                                       cacheDir: request.options.cacheDir ?? TrivyRunner.defaultCacheDir(),
                                       offline: request.options.offline, onLog: onLog)
        // An exported tarball's path means nothing to the user: findings name the image they asked for.
        let naming = ArtifactNaming.make(source: request.source, subject: subject, workspace: request.workspace)
        return try result(from: data, options: request.options, gate: request.gate, artifactName: naming.artifactName,
                          filePrefix: naming.filePrefix)
    }

    /// Maps a Trivy JSON report and applies the gates.
    public static func result(from report: Data, options: TrivyOptions, gate: ScanGate, artifactName: String? = nil,
                              filePrefix: String? = nil) throws -> ScanResult {
        let decoded = try TrivyReport.decode(report)
        let mapping = MappingOptions(severities: Set(options.severities), ignoreUnfixed: options.ignoreUnfixed,
                                     artifactName: artifactName, filePrefix: filePrefix)
        let findings = FindingMapper.findings(from: decoded, options: mapping)
        let artifact = artifactName ?? decoded.artifactName ?? ""
        var summary = ScanSummary.make(findings, gate: gate, artifact: artifact, trivyVersion: decoded.trivyVersion)
        if decoded.artifactType == "container_image", let id = decoded.metadata?.imageID, !id.isEmpty {
            summary["imageID"] = .string(id)
        }
        return ScanResult(findings: findings, summary: summary, verdict: gate.evaluate(findings))
    }
}
