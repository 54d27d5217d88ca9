import Foundation
import ContsecPluginKit
import ContsecProtocol
import CryptoTools
import RegistryClient
import RegistryPlugin

/// `contsec run registry audit --registry HOST[:PORT] [--repo R] [--signing-key KEY.pub]`.
enum AuditCommand {
    static let command = Command(
        name: "audit", description: "Audit a registry: transport, anonymous pull/push/delete, open catalog, TLS certificate, unsigned tags",
        params: [
            ParamSpec(name: "registry", type: .string, required: true, description: "Registry host[:port]; https:// or http:// forces the scheme"),
            ParamSpec(name: "repo", type: .list, description: "Repositories to check for anonymous pull and (with --signing-key) unsigned tags"),
            ParamSpec(name: "signing-key", type: .path, description: "Public key: report tags without a valid signature by it"),
        ] + CommonParams.connection, handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let registryFlag = a.string("registry") ?? ""
            let registry = try RegistryTarget.reference(registry: registryFlag, repo: "probe", tag: nil).registry
            let anonymous = try CommonParams.client(a, registry: registry, anonymous: true)
            let openssl = try? CommonParams.openssl()
            let repositories = try a.list("repo").map { try RegistryTarget.reference(registry: registryFlag, repo: $0, tag: nil).repository }
            let report = try await RegistryAudit(registry: registry, anonymous: anonymous, openssl: openssl)
                .run(knownRepository: repositories.first, probeWrites: !ctx.dryRun)
            let target = Target(kind: "registry", name: registry)
            for issue in report.issues {
                ctx.emit(Finding(ruleId: issue.ruleId, title: issue.title, severity: issue.severity, category: .network, target: target,
                                 message: issue.evidence, remediation: issue.remediation,
                                 fingerprint: "\(issue.ruleId)|\(registry)", properties: ["registry": .string(registry)]))
            }
            var unsigned = 0
            if let keyPath = a.path("signing-key") {
                guard let openssl else { throw PluginError.toolMissing(tool: "openssl", install: OpenSSL.installHint) }
                let key = try await SignatureVerifier(publicKeyPath: keyPath, openssl: openssl)
                let client = try CommonParams.client(a, registry: registry)
                let verifier = ImageVerifier(client: client, key: key)
                let names = repositories.isEmpty ? try await client.catalog(limit: 100) : repositories
                for repository in names {
                    let tags = try await client.tags(repository).filter { Digest(signatureTag: $0) == nil }.sorted()
                    let base = try ImageReference(registry: registry, repository: repository)
                    for result in try await VerifyCommand.verifyAll(try tags.map { try base.with(tag: $0) }, verifier: verifier, ctx: ctx) {
                        if let finding = SignatureFindings.finding(for: result, keyFingerprint: key.keyFingerprint) {
                            ctx.emit(finding)
                            unsigned += 1
                        }
                    }
                }
            }
            let table = ResultTable(title: "audit of \(registry)", columns: [.init("probe", "PROBE"), .init("result", "RESULT")],
                                    rows: report.observations.map { ["probe": .string($0.probe), "result": .string($0.result)] })
            return .ok(summary: ["registry": .string(registry), "scheme": .string(report.scheme), "issues": .int(report.issues.count),
                                 "unsignedOrInvalidTags": .int(unsigned)], table: table)
        }
    }
}
