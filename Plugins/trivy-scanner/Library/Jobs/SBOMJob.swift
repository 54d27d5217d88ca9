import Foundation

/// The SBOM formats offered, with Trivy's name for each and the default file extension.
public enum SBOMFormat: String, Sendable, CaseIterable {
    case cyclonedx
    case spdxJSON = "spdx-json"

    public var fileExtension: String { self == .cyclonedx ? "cdx.json" : "spdx.json" }
}

/// One `sbom`: Trivy writes the SBOM into a scratch directory; the caller decides where it goes in the workspace.
public enum SBOMJob {
    /// `sbom-<sanitized ref>.cdx.json` (or `.spdx.json`).
    public static func defaultFileName(for source: ScanSource, format: SBOMFormat) -> String {
        let name: String
        switch source {
        case .image(let reference): name = reference
        case .archive(let path), .directory(let path): name = (path as NSString).lastPathComponent
        }
        return "sbom-\(ImageReference.sanitized(name)).\(format.fileExtension)"
    }

    /// The SBOM's bytes. Listing packages needs no vulnerability database, so this works offline.
    /// The SBOM names the image by the reference given (never the temporary tarball it was exported to), and an
    /// archive or directory inside `workspace` by its path relative to it.
    public static func run(source: ScanSource, format: SBOMFormat, options: TrivyOptions, trivyPath: String?,
                           dockerSocket: String? = nil, workspace: String? = nil,
                           onLog: @escaping @Sendable (TrivyLogLine) -> Void,
                           note: @escaping @Sendable (String) -> Void) async throws -> Data {
        let options = options.withEnvironmentDefaults()
        let trivy = TrivyRunner(executable: try TrivyLocator.locate(explicit: trivyPath))
        let scratch = try ScratchDirectory()
        defer { scratch.remove() }
        let subject = try await SubjectPreparer(dockerSocket: dockerSocket, offline: options.offline, note: note).subject(for: source, scratch: scratch)
        let output = scratch.file("sbom.json")
        note("generating a \(format.rawValue) SBOM of \(source.displayName)")
        let data = try await trivy.run(TrivyArguments.sbom(subject, format: format.rawValue, options: options, output: output),
                                       output: output, cacheDir: options.cacheDir ?? TrivyRunner.defaultCacheDir(),
                                       offline: options.offline, onLog: onLog)
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw TrivyScannerError.badReport("trivy wrote an SBOM that is not JSON (\(data.count) bytes)")
        }
        return ArtifactNaming.make(source: source, subject: subject, workspace: workspace).renamingArtifact(in: data)
    }
}
