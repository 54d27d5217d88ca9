import Foundation
import ContsecProtocol

/// Turns WARN verdicts into findings: one finding per offending container, image, file or user, so each can be
/// fixed, suppressed and tracked on its own; the fingerprint is rule + target kind + name, stable across runs
/// (a recreated container keeps its name; its new id is in the properties).
public enum FindingBuilder {
    public static let references = ["https://www.cisecurity.org/benchmark/docker",
                                    "https://github.com/docker/docker-bench-security"]

    public static func findings(for outcome: CheckOutcome, hostName: String) -> [Finding] {
        guard outcome.result.status == .warn else { return [] }
        let check = outcome.check
        let offenders = outcome.result.offenders.isEmpty
            ? [Offender(kind: check.target.rawValue, name: check.target == .daemon ? "dockerd" : hostName)]
            : outcome.result.offenders
        return offenders.map { o in
            let kind = o.kind == "user" ? "host" : o.kind
            let name = o.kind == "user" ? hostName : o.name
            var properties: [String: JSONValue] = [
                "checkId": .string(check.id), "section": .int(check.section), "scored": .bool(check.scored),
                "benchmark": .string(CISCatalog.version),
            ]
            if let id = o.id { properties[o.kind == "container" ? "containerId" : o.kind == "image" ? "imageId" : "id"] = .string(id) }
            if let detail = o.detail { properties["detail"] = .string(detail) }
            if o.kind == "user" { properties["user"] = .string(o.name) }
            let what = o.kind == "user" ? "user \(o.name)" : "\(o.kind) \(o.name)"
            return Finding(
                ruleId: "CIS-\(check.id)", title: check.title, severity: check.severity, category: .compliance,
                target: Target(kind: kind, name: name),
                message: "\(what)\(o.id.map { " (\($0.prefix(12)))" } ?? ""): \(o.detail ?? outcome.result.details ?? check.title)",
                remediation: outcome.remediation, references: references,
                fingerprint: "CIS-\(check.id)/\(kind)/\(name)\(o.kind == "user" ? "/" + o.name : "")",
                properties: properties)
        }
    }
}
