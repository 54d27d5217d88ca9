import Foundation
import ContsecProtocol

/// What to keep of a report, and what to call things. Trivy applies the same filters itself when given the flags;
/// applying them again here makes the findings (and so the gates) mean the same thing whichever report is read.
public struct MappingOptions: Sendable {
    /// Severities to keep; empty keeps all.
    public var severities: Set<Severity>
    /// Drop vulnerabilities that have no fixed version.
    public var ignoreUnfixed: Bool
    /// The name findings give the scanned artifact, e.g. the image reference when Trivy saw only an exported tarball;
    /// nil: the report's ArtifactName.
    public var artifactName: String?
    /// Prepended to the file paths of a directory scan (Trivy reports them relative to the directory).
    public var filePrefix: String?

    public init(severities: Set<Severity> = [], ignoreUnfixed: Bool = false, artifactName: String? = nil, filePrefix: String? = nil) {
        self.severities = severities; self.ignoreUnfixed = ignoreUnfixed; self.artifactName = artifactName
        self.filePrefix = filePrefix
    }
}

/// Turns Trivy's report into contsec findings: one per vulnerable package, failed misconfiguration check, and secret.
public enum FindingMapper {
    public static func findings(from report: TrivyReport, options: MappingOptions = MappingOptions()) -> [Finding] {
        let naming = ArtifactNaming(artifactName: options.artifactName ?? report.artifactName ?? "",
                                    trivyName: report.artifactName, filePrefix: options.filePrefix)
        let image = Image(report: report)
        var out: [Finding] = []
        // Trivy can list one problem twice (e.g. two data sources for one package); a fingerprint is reported once.
        var seen = Set<String>()
        func add(_ f: Finding) {
            if seen.insert(f.fingerprint ?? f.defaultFingerprint).inserted { out.append(f) }
        }
        for result in report.results {
            for v in result.vulnerabilities where !(options.ignoreUnfixed && (v.fixedVersion ?? "").isEmpty) {
                add(vulnerability(v, result: result, naming: naming, report: report, image: image))
            }
            for m in result.misconfigurations where (m.status ?? "FAIL") == "FAIL" {
                add(misconfiguration(m, result: result, naming: naming, report: report))
            }
            for s in result.secrets {
                add(secret(s, result: result, naming: naming, report: report))
            }
        }
        return options.severities.isEmpty ? out : out.filter { options.severities.contains($0.severity) }
    }

    /// Trivy's severity names (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL) as contsec severities.
    public static func severity(_ trivy: String?) -> Severity {
        Severity(rawValue: (trivy ?? "").lowercased()) ?? .unknown
    }

    /// Trivy calls a filesystem or repository scan's files by path inside the artifact; an image stays an image.
    static func kind(_ report: TrivyReport) -> String {
        report.artifactType == "container_image" ? "image" : "file"
    }

    /// The scanned image's identity, copied into each of its findings.
    struct Image {
        var properties: [String: JSONValue] = [:]
        init(report: TrivyReport) {
            guard report.artifactType == "container_image", let m = report.metadata else { return }
            if let id = m.imageID, !id.isEmpty { properties["imageID"] = .string(id) }
            if let digests = m.repoDigests, !digests.isEmpty { properties["repoDigests"] = .array(digests.map { .string($0) }) }
        }
    }

    static func vulnerability(_ v: TrivyReport.Vulnerability, result: TrivyReport.Result, naming: ArtifactNaming,
                              report: TrivyReport, image: Image) -> Finding {
        let package = v.pkgName ?? "unknown package"
        let installed = v.installedVersion ?? ""
        let fixed = v.fixedVersion ?? ""
        let kind = kind(report)
        let resultTarget = naming.resultTarget(result.target, reportName: report.artifactName)
        // An OS package has no file of its own: the finding is about the image (SARIF anchors it there with a logical
        // location). A language package is the manifest Trivy found it in (PkgPath), else the lock file scanned.
        let file: String? = if let path = v.pkgPath, !path.isEmpty { naming.file(path) }
            else if result.resultClass == "os-pkgs" { nil }
            else { kind == "file" ? naming.file(result.target) : resultTarget }
        var properties = image.properties.merging([
            "package": .string(package), "installedVersion": .string(installed), "resultTarget": .string(resultTarget),
        ]) { _, new in new }
        if !fixed.isEmpty { properties["fixedVersion"] = .string(fixed) }
        if let s = v.status { properties["status"] = .string(s) }
        if let s = v.pkgPath, !s.isEmpty { properties["packagePath"] = .string(s) }
        if let s = v.pkgIdentifier?.purl { properties["purl"] = .string(s) }
        if let s = v.primaryURL { properties["primaryURL"] = .string(s) }
        if let s = v.layer?.digest { properties["layerDigest"] = .string(s) }
        if let s = v.layer?.diffID { properties["layerDiffID"] = .string(s) }
        if let s = result.type { properties["packageType"] = .string(s) }
        if let cwes = v.cweIDs, !cwes.isEmpty { properties["cwe"] = .array(cwes.map { .string($0) }) }
        return Finding(
            ruleId: v.vulnerabilityID, title: VulnerabilityText.title(v),
            severity: severity(v.severity), category: .vulnerability,
            target: Target(kind: kind, name: naming.artifactName, file: file),
            message: VulnerabilityText.message(v, package: package, artifact: naming.artifactName),
            remediation: VulnerabilityText.remediation(v, package: package, inImage: kind == "image"),
            references: references(v.primaryURL, v.references),
            fingerprint: fingerprint(["vulnerability", v.vulnerabilityID, package, installed, file ?? resultTarget,
                                      naming.artifactName]),
            properties: properties)
    }

    static func misconfiguration(_ m: TrivyReport.Misconfiguration, result: TrivyReport.Result, naming: ArtifactNaming,
                                 report: TrivyReport) -> Finding {
        let artifact = naming.artifactName, kind = kind(report), file = naming.file(result.target)
        let line = m.causeMetadata?.startLine.flatMap { $0 > 0 ? $0 : nil }
        var properties: [String: JSONValue] = ["resultTarget": .string(result.target)]
        if let s = result.type { properties["configType"] = .string(s) }
        if let s = m.avdID { properties["avdID"] = .string(s) }
        if let s = m.description { properties["description"] = .string(s) }
        if let s = m.causeMetadata?.resource, !s.isEmpty { properties["resource"] = .string(s) }
        return Finding(
            ruleId: m.id, title: m.title ?? m.id, severity: severity(m.severity), category: .misconfiguration,
            target: Target(kind: kind, name: artifact, file: file, line: line,
                           endLine: line == nil ? nil : m.causeMetadata?.endLine),
            message: m.message ?? m.description, remediation: m.resolution, references: references(m.primaryURL, m.references),
            fingerprint: fingerprint(["misconfiguration", m.id, file, line.map(String.init) ?? "", artifact]),
            properties: properties)
    }

    /// Built from the rule, file and line only: the secret itself (Trivy's `Match` and `Code`) never reaches a finding.
    static func secret(_ s: TrivyReport.Secret, result: TrivyReport.Result, naming: ArtifactNaming, report: TrivyReport) -> Finding {
        let artifact = naming.artifactName, kind = kind(report), file = naming.file(result.target)
        let title = s.title ?? s.ruleID
        let line = s.startLine.flatMap { $0 > 0 ? $0 : nil }
        let place = line.map { "\(file) line \($0)" } ?? file
        var properties: [String: JSONValue] = ["resultTarget": .string(result.target)]
        if let c = s.category { properties["secretCategory"] = .string(c) }
        if let d = s.layer?.digest { properties["layerDigest"] = .string(d) }
        if let d = s.layer?.diffID { properties["layerDiffID"] = .string(d) }
        return Finding(
            ruleId: s.ruleID, title: title, severity: severity(s.severity), category: .secret,
            target: Target(kind: kind, name: artifact, file: file, line: line,
                           endLine: line == nil ? nil : s.endLine),
            message: "\(title) found in \(place) (value not shown).",
            remediation: "Remove the secret from the file and from every image layer that holds it, revoke and rotate it, "
                + "and pass it at run time from a secret store instead.",
            fingerprint: fingerprint(["secret", s.ruleID, file, line.map(String.init) ?? "", artifact]),
            properties: properties)
    }

    /// The primary URL first, then Trivy's references, without repeats.
    static func references(_ primary: String?, _ others: [String]?) -> [String] {
        var seen = Set<String>()
        return ([primary].compactMap { $0 } + (others ?? [])).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Stable across runs and machines: a hash of what identifies the problem, never of volatile report fields.
    static func fingerprint(_ parts: [String]) -> String {
        SHA256.hex(Array(parts.joined(separator: "|").utf8))
    }
}
