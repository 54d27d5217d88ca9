import Foundation
import ContsecProtocol

/// Checks judged from what the plugin wrote during all the others, and from its manifest.
extension ConformanceKit {
    func checkStdoutClean() -> Outcome {
        let found = audit.pollutionFound
        guard let first = found.first else {
            return .success(("all \(audit.messageCount) lines written to stdout were JSON-RPC messages", false))
        }
        return .failure(CheckFailure(detail: "\(audit.pollutionCount) line(s) on stdout were not JSON-RPC; first, during \(first.check): \(first.reason)",
                                     message: first.line))
    }

    func checkSchema() -> Outcome {
        if let schemaProblem { return .failure(CheckFailure(detail: schemaProblem)) }
        let found = audit.schemaFound
        guard let first = found.first else {
            return .success(("all \(audit.validatedCount) messages match the protocol's schemas", false))
        }
        return .failure(CheckFailure(detail: "\(audit.schemaProblemCount) message(s) break the schemas; first, during \(first.check): \(first.reason)",
                                     message: first.line))
    }

    func checkHostRules() -> Outcome {
        guard let first = audit.hostFound.first else {
            return .success(("all \(audit.hostCheckedCount) messages pass the checks contsec applies in real runs", false))
        }
        return .failure(CheckFailure(detail: "\(audit.hostProblemCount) message(s) would be rejected in a real run; first, during \(first.check): \(first.reason)",
                                     message: first.line))
    }

    func checkManifest() -> Outcome {
        guard let m = candidate.manifest else { return .success(("no manifest (it is optional)", true)) }
        if let schemas = audit.schemas, let data = FileManager.default.contents(atPath: m.file),
           let json = try? JSONParser.parse([UInt8](data)) {
            let v = schemas.validate(json, against: "plugin-manifest.schema.json")
            if !v.isEmpty {
                return .failure(CheckFailure(detail: "\(m.file) breaks plugin-manifest.schema.json: \(v.prefix(3).map(\.description).joined(separator: "; "))"))
            }
        }
        if let mismatch = PluginTrust.hashMismatch(for: candidate) { return .failure(CheckFailure(detail: mismatch)) }
        if let name = pluginName, name != m.name {
            return .failure(CheckFailure(detail: "the manifest says name '\(m.name)', the plugin's initialize says '\(name)'"))
        }
        return .success(("\(m.file) is valid" + (m.sha256 != nil ? " and its sha256 matches" : " (no sha256 declared)"), false))
    }
}
