import Foundation
import ContsecPluginKit
import CryptoTools
import RegistryClient
import RegistryPlugin

/// `contsec run registry sign --repo R --tag T --signing-key keys/x.key`: a cosign signature stored in the registry.
enum SignCommand {
    static let command = Command(
        name: "sign", description: "Sign an image in its registry the way cosign does (sha256-<digest>.sig, simple-signing payload)",
        params: CommonParams.target + [
            ParamSpec(name: "signing-key", type: .path, required: true, description: "Private key (.key) from keygen; passphrase in CONTSEC_SIGNING_PASSWORD"),
            ParamSpec(name: "annotation", type: .list, description: "Extra signed claims key=value (cosign's -a)"),
        ] + CommonParams.connection, handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let image = try CommonParams.reference(a)
            var annotations: [String: String] = [:]
            for item in a.list("annotation") {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw PluginError.invalidParams(param: "annotation", message: "'\(item)' is not key=value")
                }
                annotations[String(item[..<equals])] = String(item[item.index(after: equals)...])
            }
            let outcome = try await sign(ctx, image: image, keyPath: a.path("signing-key") ?? "", annotations: annotations,
                                         client: try CommonParams.client(a, registry: image.registry))
            return .ok(summary: ["image": .string(outcome.image.description), "digest": .string(outcome.digest.description),
                                 "signatureTag": .string(outcome.signatureTag), "status": .string(outcome.status.rawValue),
                                 "signatures": .int(outcome.signatureCount), "key": .string(outcome.keyFingerprint ?? "")])
        }
    }

    /// Signs and reports the action; shared with `push --sign-key`.
    static func sign(_ ctx: RunContext, image: ImageReference, keyPath: String, annotations: [String: String],
                     client: RegistryClient) async throws -> SignOutcome {
        let signer = try ImageSigner(client: client, openssl: try CommonParams.openssl(), keyPath: keyPath,
                                     passphrase: CommonParams.passphrase, passphraseVariable: CommonParams.passwordVariable)
        let outcome = try await signer.sign(image, annotations: annotations, dryRun: ctx.dryRun)
        let target = "\(image.name)@\(outcome.digest)"
        switch outcome.status {
        case .signed:
            ctx.emit(Action(kind: "image-signed", target: target, status: .applied,
                            detail: "signature by key \(outcome.keyFingerprint ?? "") stored under \(outcome.signatureTag) (\(outcome.signatureCount) signature(s) there now)"))
        case .alreadySigned:
            ctx.emit(Action(kind: "image-signed", target: target, status: .skipped,
                            detail: "already signed by key \(outcome.keyFingerprint ?? "") under \(outcome.signatureTag)"))
        case .planned:
            ctx.emit(Action(kind: "image-signed", target: target, status: .planned,
                            detail: "would store a signature by key \(outcome.keyFingerprint ?? "") under \(outcome.signatureTag)"))
        }
        return outcome
    }
}
