import Foundation
import ContsecProtocol

/// What to keep of a report. Trivy applies the same filters itself when given the flags; applying them again here
/// makes the findings (and so the gates) mean the same thing whichever report is read.
public struct MappingOptions: Sendable {
    /// Severities to keep; empty keeps all.
    public var severities: Set<Severity>
    /// Drop vulnerabilities that have no fixed version.
    public var ignoreUnfixed: Bool
    /// The name findings give the scanned artifact, e.g. the image reference when Trivy saw only an exported tarball.
    public var artifactName: String?

    public init(severities: Set<Severity> = [], ignoreUnfixed: Bool = false, artifactName: String? = nil) {
        self.severities = severities; self.ignoreUnfixed = ignoreUnfixed; self.artifactName = artifactName
    }
}

/// Turns Trivy's report into contsec findings: one per vulnerable package, failed misconfiguration check, and secret.
public enum FindingMapper {
    public static func findings(from report: TrivyReport, options: MappingOptions = MappingOptions()) -> [Finding] {
        let artifact = options.artifactName ?? report.artifactName ?? ""
        // Trivy calls a filesystem or repository scan's files by path inside the artifact; an image stays an image.
        let kind = report.artifactType == "container_image" ? "image" : "file"
        var out: [Finding] = []
        for result in report.results {
            for v in result.vulnerabilities where !(options.ignoreUnfixed && (v.fixedVersion ?? "").isEmpty) {
                out.append(vulnerability(v, result: result, artifact: artifact, kind: kind))
            }
            for m in result.misconfigurations where (m.status ?? "FAIL") == "FAIL" {
                out.append(misconfiguration(m, result: result, artifact: artifact, kind: kind))
            }
            for s in result.secrets {
                out.append(secret(s, result: result, artifact: artifact, kind: kind))
            }
        }
        return options.severities.isEmpty ? out : out.filter { options.severities.contains($0.severity) }
    }

    /// Trivy's severity names (UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL) as contsec severities.
    public static func severity(_ trivy: String?) -> Severity {
        Severity(rawValue: (trivy ?? "").lowercased()) ?? .unknown
    }

    static func vulnerability(_ v: TrivyReport.Vulnerability, result: TrivyReport.Result, artifact: String, kind: String) -> Finding {
        let package = v.pkgName ?? "unknown package"
        let installed = v.installedVersion ?? ""
        let fixed = v.fixedVersion ?? ""
        var message = "\(package) \(installed) is affected by \(v.vulnerabilityID)"
        message += fixed.isEmpty ? "; no fixed version is available (status: \(v.status ?? "unknown"))." : "; fixed in \(fixed)."
        let remediation = fixed.isEmpty
            ? "No fix published yet: watch \(v.primaryURL ?? v.vulnerabilityID), or remove or replace \(package)."
            : "Upgrade \(package) to \(fixed) or later and rebuild the image."
        var properties: [String: JSONValue] = [
            "package": .string(package), "installedVersion": .string(installed), "resultTarget": .string(result.target),
        ]
        if !fixed.isEmpty { properties["fixedVersion"] = .string(fixed) }
        if let s = v.status { properties["status"] = .string(s) }
        if let s = v.pkgPath { properties["packagePath"] = .string(s) }
        if let s = v.primaryURL { properties["primaryURL"] = .string(s) }
        if let s = v.layer?.digest { properties["layerDigest"] = .string(s) }
        if let s = v.layer?.diffID { properties["layerDiffID"] = .string(s) }
        if let s = result.type { properties["packageType"] = .string(s) }
        if let cwes = v.cweIDs, !cwes.isEmpty { properties["cwe"] = .array(cwes.map { .string($0) }) }
        return Finding(
            ruleId: v.vulnerabilityID, title: v.title ?? "\(v.vulnerabilityID) in \(package)",
            severity: severity(v.severity), category: .vulnerability,
            target: Target(kind: kind, name: artifact, file: result.target),
            message: message, remediation: remediation, references: references(v.primaryURL, v.references),
            fingerprint: fingerprint(["vulnerability", v.vulnerabilityID, package, installed, v.pkgPath ?? result.target, artifact]),
            properties: properties)
    }

    static func misconfiguration(_ m: TrivyReport.Misconfiguration, result: TrivyReport.Result, artifact: String, kind: String) -> Finding {
        let line = m.causeMetadata?.startLine.flatMap { $0 > 0 ? $0 : nil }
        var properties: [String: JSONValue] = ["resultTarget": .string(result.target)]
        if let s = result.type { properties["configType"] = .string(s) }
        if let s = m.avdID { properties["avdID"] = .string(s) }
        if let s = m.description { properties["description"] = .string(s) }
        if let s = m.causeMetadata?.resource, !s.isEmpty { properties["resource"] = .string(s) }
        return Finding(
            ruleId: m.id, title: m.title ?? m.id, severity: severity(m.severity), category: .misconfiguration,
            target: Target(kind: kind, name: artifact, file: result.target, line: line,
                           endLine: line == nil ? nil : m.causeMetadata?.endLine),
            message: m.message ?? m.description, remediation: m.resolution, references: references(m.primaryURL, m.references),
            fingerprint: fingerprint(["misconfiguration", m.id, result.target, line.map(String.init) ?? "", artifact]),
            properties: properties)
    }

    /// Built from the rule, file and line only: the secret itself (Trivy's `Match` and `Code`) never reaches a finding.
    static func secret(_ s: TrivyReport.Secret, result: TrivyReport.Result, artifact: String, kind: String) -> Finding {
        let title = s.title ?? s.ruleID
        let line = s.startLine.flatMap { $0 > 0 ? $0 : nil }
        let place = line.map { "\(result.target) line \($0)" } ?? result.target
        var properties: [String: JSONValue] = ["resultTarget": .string(result.target)]
        if let c = s.category { properties["secretCategory"] = .string(c) }
        if let d = s.layer?.digest { properties["layerDigest"] = .string(d) }
        if let d = s.layer?.diffID { properties["layerDiffID"] = .string(d) }
        return Finding(
            ruleId: s.ruleID, title: title, severity: severity(s.severity), category: .secret,
            target: Target(kind: kind, name: artifact, file: result.target, line: line,
                           endLine: line == nil ? nil : s.endLine),
            message: "\(title) found in \(place) (value not shown).",
            remediation: "Remove the secret from the file and from every image layer that holds it, revoke and rotate it, "
                + "and pass it at run time from a secret store instead.",
            fingerprint: fingerprint(["secret", s.ruleID, result.target, line.map(String.init) ?? "", artifact]),
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
