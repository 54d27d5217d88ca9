import Foundation

/// The parts of Trivy's JSON report (`--format json`, SchemaVersion 2) that become findings.
/// Every field is optional: Trivy omits empty ones, and a missing field must not fail the whole report.
public struct TrivyReport: Decodable, Sendable {
    public var schemaVersion: Int?
    public var artifactName: String?
    /// `container_image`, `filesystem`, `repository`, ...
    public var artifactType: String?
    public var trivyVersion: String?
    /// The image's identity, when an image was scanned.
    public var metadata: Metadata?
    public var results: [Result]

    public struct Metadata: Decodable, Sendable {
        /// The image's config digest (`docker images --digests` shows it as the IMAGE ID).
        public var imageID: String?
        /// `repo@sha256:…` of the registries the image came from (empty for a local build or import).
        public var repoDigests: [String]?
        public var repoTags: [String]?
        enum CodingKeys: String, CodingKey { case imageID = "ImageID", repoDigests = "RepoDigests", repoTags = "RepoTags" }
    }

    public struct Result: Decodable, Sendable {
        /// What was scanned inside the artifact: an OS ("alpine 3.9.4"), a lock file, a config file, a file with a secret.
        public var target: String
        /// `os-pkgs`, `lang-pkgs`, `config`, `secret`, ...
        public var resultClass: String?
        public var type: String?
        public var vulnerabilities: [Vulnerability]
        public var misconfigurations: [Misconfiguration]
        public var secrets: [Secret]

        enum CodingKeys: String, CodingKey {
            case target = "Target", resultClass = "Class", type = "Type", vulnerabilities = "Vulnerabilities"
            case misconfigurations = "Misconfigurations", secrets = "Secrets"
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            target = try c.decodeIfPresent(String.self, forKey: .target) ?? ""
            resultClass = try c.decodeIfPresent(String.self, forKey: .resultClass)
            type = try c.decodeIfPresent(String.self, forKey: .type)
            vulnerabilities = try c.decodeIfPresent([Vulnerability].self, forKey: .vulnerabilities) ?? []
            misconfigurations = try c.decodeIfPresent([Misconfiguration].self, forKey: .misconfigurations) ?? []
            secrets = try c.decodeIfPresent([Secret].self, forKey: .secrets) ?? []
        }
    }

    public struct Layer: Decodable, Sendable {
        public var digest: String?
        public var diffID: String?
        enum CodingKeys: String, CodingKey { case digest = "Digest", diffID = "DiffID" }
    }

    public struct Vulnerability: Decodable, Sendable {
        public var vulnerabilityID: String
        public var pkgName: String?
        public var pkgPath: String?
        public var installedVersion: String?
        public var fixedVersion: String?
        /// `fixed`, `affected`, `will_not_fix`, ...
        public var status: String?
        public var layer: Layer?
        public var primaryURL: String?
        public var title: String?
        public var description: String?
        public var severity: String?
        public var references: [String]?
        public var cweIDs: [String]?
        public var pkgIdentifier: PkgIdentifier?

        public struct PkgIdentifier: Decodable, Sendable {
            /// The package URL (`pkg:apk/alpine/busybox@1.30.1-r3?…`).
            public var purl: String?
            enum CodingKeys: String, CodingKey { case purl = "PURL" }
        }

        enum CodingKeys: String, CodingKey {
            case vulnerabilityID = "VulnerabilityID", pkgName = "PkgName", pkgPath = "PkgPath", pkgIdentifier = "PkgIdentifier"
            case installedVersion = "InstalledVersion", fixedVersion = "FixedVersion", status = "Status", layer = "Layer"
            case primaryURL = "PrimaryURL", title = "Title", description = "Description", severity = "Severity"
            case references = "References", cweIDs = "CweIDs"
        }
    }

    public struct CauseMetadata: Decodable, Sendable {
        public var resource: String?
        public var startLine: Int?
        public var endLine: Int?
        enum CodingKeys: String, CodingKey { case resource = "Resource", startLine = "StartLine", endLine = "EndLine" }
    }

    public struct Misconfiguration: Decodable, Sendable {
        public var id: String
        public var avdID: String?
        public var title: String?
        public var description: String?
        public var message: String?
        public var resolution: String?
        public var severity: String?
        public var primaryURL: String?
        public var references: [String]?
        /// `FAIL` for a problem; `PASS` and `EXCEPTION` appear with `--include-non-failures`.
        public var status: String?
        public var causeMetadata: CauseMetadata?

        enum CodingKeys: String, CodingKey {
            case id = "ID", avdID = "AVDID", title = "Title", description = "Description", message = "Message"
            case resolution = "Resolution", severity = "Severity", primaryURL = "PrimaryURL", references = "References"
            case status = "Status", causeMetadata = "CauseMetadata"
        }
    }

    /// A secret Trivy found. Only these fields are decoded: `Match` and `Code` carry the (redacted) secret line and are
    /// deliberately not part of the model, so nothing downstream can copy them into a finding.
    public struct Secret: Decodable, Sendable {
        public var ruleID: String
        public var category: String?
        public var severity: String?
        public var title: String?
        public var startLine: Int?
        public var endLine: Int?
        public var layer: Layer?

        enum CodingKeys: String, CodingKey {
            case ruleID = "RuleID", category = "Category", severity = "Severity", title = "Title"
            case startLine = "StartLine", endLine = "EndLine", layer = "Layer"
        }
    }

    private struct TrivyInfo: Decodable { var version: String?; enum CodingKeys: String, CodingKey { case version = "Version" } }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "SchemaVersion", artifactName = "ArtifactName", artifactType = "ArtifactType"
        case trivy = "Trivy", results = "Results", metadata = "Metadata"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decodeIfPresent(Int.self, forKey: .schemaVersion)
        artifactName = try c.decodeIfPresent(String.self, forKey: .artifactName)
        artifactType = try c.decodeIfPresent(String.self, forKey: .artifactType)
        trivyVersion = try c.decodeIfPresent(TrivyInfo.self, forKey: .trivy)?.version
        metadata = try? c.decodeIfPresent(Metadata.self, forKey: .metadata)
        results = try c.decodeIfPresent([Result].self, forKey: .results) ?? []
    }

    /// Decodes a report, refusing schema versions other than 2 with a message that says what to do.
    public static func decode(_ data: Data) throws -> TrivyReport {
        let report: TrivyReport
        do {
            report = try JSONDecoder().decode(TrivyReport.self, from: data)
        } catch {
            throw TrivyScannerError.badReport("Trivy's JSON report could not be read (\(error))")
        }
        if let version = report.schemaVersion, version != 2 {
            throw TrivyScannerError.badReport(
                "Trivy's report has SchemaVersion \(version); this plugin reads SchemaVersion 2 (Trivy 0.20 and later): upgrade trivy")
        }
        return report
    }
}
