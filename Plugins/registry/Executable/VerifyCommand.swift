import Foundation
import ContsecPluginKit
import ContsecProtocol
import CryptoTools
import RegistryClient
import RegistryPlugin

/// `contsec run registry verify --repo R --tag T --signing-key keys/x.pub [--require-signature]`.
enum VerifyCommand {
    static let command = Command(
        name: "verify", description: "Check an image's cosign signatures against a public key",
        params: [
            ParamSpec(name: "registry", type: .string, description: "Registry host[:port] (with --repo a path in it)"),
            ParamSpec(name: "repo", type: .string, required: true, description: "Repository, or a full reference"),
            ParamSpec(name: "tag", type: .list, description: "Tag(s) to verify (default: the one in --repo)"),
            ParamSpec(name: "all-tags", type: .bool, description: "Verify every tag of the repository (signature tags excepted)"),
            ParamSpec(name: "signing-key", type: .path, required: true, description: "Public key (.pub) from keygen or cosign generate-key-pair"),
            ParamSpec(name: "require-signature", type: .bool, description: "Gate: fail the run when any tag is unsigned or badly signed"),
        ] + CommonParams.connection, handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let base = try RegistryTarget.reference(registry: a.string("registry"), repo: a.string("repo") ?? "", tag: nil)
            let client = try CommonParams.client(a, registry: base.registry)
            var tags = a.list("tag")
            var listed: [String]?
            if a.bool("all-tags") {
                listed = try await client.tags(base.repository)
                tags = listed!.filter { Digest(signatureTag: $0) == nil }.sorted()
            } else if tags.isEmpty {
                guard base.tag != nil || base.digest != nil else {
                    throw PluginError.invalidParams(param: "tag", message: "name a tag (--tag T), or use --all-tags")
                }
            }
            let key = try await SignatureVerifier(publicKeyPath: a.path("signing-key") ?? "", openssl: try CommonParams.openssl())
            let verifier = ImageVerifier(client: client, key: key)
            if let listed { await verifier.knowTags(base.repository, listed) }
            let images = tags.isEmpty ? [base] : try tags.map { try base.with(tag: $0) }
            let results = try await verifyAll(images, verifier: verifier, ctx: ctx)
            var rows: [[String: JSONValue]] = []
            var failed = 0
            for result in results {
                if let finding = SignatureFindings.finding(for: result, keyFingerprint: key.keyFingerprint) {
                    ctx.emit(finding)
                    failed += 1
                }
                rows.append(["image": .string(result.image.name + ":" + (result.image.tag ?? "")), "digest": .string(result.digest.short),
                             "verdict": .string(label(result.verdict)), "signatures": .int(result.signatureCount)])
            }
            let table = ResultTable(title: "signature verification, key \(key.keyFingerprint.prefix(19))",
                                    columns: [.init("image", "IMAGE"), .init("digest", "DIGEST"), .init("verdict", "VERDICT"),
                                              .init("signatures", "SIGNATURES")], rows: rows)
            let summary: [String: JSONValue] = ["verified": .int(results.count - failed), "failed": .int(failed),
                                                "key": .string(key.keyFingerprint),
                                                "requests": .int(await client.requestCount)]
            if failed > 0 && a.bool("require-signature") {
                return .gateTripped(message: "\(failed) of \(results.count) image(s) lack a valid signature by key \(key.keyFingerprint.prefix(19)) (--require-signature)",
                                    summary: summary, table: table)
            }
            return .ok(summary: summary, table: table)
        }
    }

    /// Checks up to 8 tags at a time (one openssl run per signature; registry reads over reused connections), results
    /// in the order asked for.
    static func verifyAll(_ images: [ImageReference], verifier: ImageVerifier, ctx: RunContext) async throws -> [TagVerification] {
        try await boundedMap(images, limit: 8, progress: { done in
            if done % 25 == 0 { ctx.progress("verified \(done)/\(images.count)", current: done, total: images.count) }
        }) { image in try await verifier.verify(image) }
    }

    static func label(_ verdict: SignatureVerdict) -> String {
        switch verdict {
        case .verified(let n): return "verified (\(n))"
        case .unsigned: return "unsigned"
        case .invalid: return "invalid"
        case .otherDigest(let signed, _): return "signed at \(signed.short), tag moved"
        }
    }
}
