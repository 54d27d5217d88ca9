import Foundation
import ContsecProtocol

/// How findings and SBOMs name what was scanned, so that names (and the fingerprints built from them) are the same on
/// every run and every machine: an image is called by the reference the user gave, never by the temporary tarball it
/// was exported to; an archive or directory inside the workspace by its path relative to the workspace; files found
/// by a directory scan by their path from the workspace, as iac-scan reports them (SARIF resolves them from there).
public struct ArtifactNaming: Sendable, Equatable {
    /// The artifact's name in findings (`target.name`) and in SBOMs.
    public var artifactName: String
    /// What Trivy was given and so calls the artifact (its `ArtifactName`, the start of its result targets);
    /// nil: whatever the report says.
    public var trivyName: String?
    /// Prepended to the file paths of a directory scan, which Trivy reports relative to the directory ("sub/").
    public var filePrefix: String?

    public init(artifactName: String, trivyName: String? = nil, filePrefix: String? = nil) {
        self.artifactName = artifactName; self.trivyName = trivyName; self.filePrefix = filePrefix
    }

    /// - Parameters:
    ///   - source: what the user asked to scan.
    ///   - subject: what Trivy was given (an exported image is a tarball in the scratch directory).
    ///   - workspace: paths inside it are named relative to it; nil keeps paths as they are.
    public static func make(source: ScanSource, subject: TrivySubject, workspace: String?) -> ArtifactNaming {
        let given: String
        switch subject {
        case .imageArchive(let path), .directory(let path): given = path
        case .remoteImage(let reference): given = reference
        }
        switch source {
        case .image(let reference):
            return ArtifactNaming(artifactName: reference, trivyName: given)
        case .archive(let path):
            return ArtifactNaming(artifactName: relative(path, to: workspace), trivyName: given)
        case .directory(let path):
            let name = relative(path, to: workspace)
            return ArtifactNaming(artifactName: name, trivyName: given, filePrefix: name == "." ? nil : name + "/")
        }
    }

    /// `path` relative to `workspace` when it is inside it ("." for the workspace itself), else `path` unchanged.
    public static func relative(_ path: String, to workspace: String?) -> String {
        guard let workspace else { return path }
        let p = standardized(path), w = standardized(workspace)
        if p == w { return "." }
        let root = w.hasSuffix("/") ? w : w + "/"
        return p.hasPrefix(root) ? String(p.dropFirst(root.count)) : p
    }

    private static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// A result target with Trivy's name for the artifact replaced: `/tmp/x/image.tar (alpine 3.10.4)` →
    /// `nginx:1.27 (alpine 3.10.4)`.
    func resultTarget(_ target: String, reportName: String?) -> String {
        guard let from = trivyName ?? reportName, !from.isEmpty, from != artifactName, target.hasPrefix(from) else { return target }
        return artifactName + target.dropFirst(from.count)
    }

    /// A file of a directory scan, from the workspace; other paths (inside an image) unchanged.
    func file(_ path: String) -> String {
        guard let filePrefix, !path.hasPrefix("/") else { return path }
        return filePrefix + path
    }

    /// Trivy's JSON output (an SBOM) with Trivy's name for the artifact, an absolute path, replaced by
    /// `artifactName` wherever it occurs (CycloneDX's component name, SPDX's name and documentNamespace). An
    /// exported image's path is random and a user's absolute path is specific, so neither matches anything else.
    public func renamingArtifact(in json: Data) -> Data {
        guard let from = trivyName, from != artifactName, from.hasPrefix("/") else { return json }
        var quoted: [UInt8] = []
        JSONWriter.writeString(artifactName, into: &quoted)
        let escaped = quoted.dropFirst().dropLast()  // the string's JSON form without its quotes
        return Data(Array(json).replacing(Array(from.utf8), with: escaped))
    }
}
