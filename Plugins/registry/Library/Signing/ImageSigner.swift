import Foundation
import CryptoTools
import RegistryClient

/// What `sign` did (or, under dry run, would do).
public struct SignOutcome: Sendable, Equatable {
    public enum Status: String, Sendable { case signed, alreadySigned = "already-signed", planned }
    public let image: ImageReference
    public let digest: Digest
    public let signatureTag: String
    public let status: Status
    /// Signatures in the signature manifest afterwards (other signers' included).
    public let signatureCount: Int
    public let keyFingerprint: String?
}

/// Signs an image in a registry the way cosign 2.x does with a key: the tag is resolved to its manifest digest, the
/// simple-signing payload naming that digest is signed (ECDSA P-256, SHA-256), and the payload blob plus signature
/// are appended to the signature manifest under `sha256-<hex>.sig` in the same repository.
public struct ImageSigner: Sendable {
    let client: RegistryClient
    let openssl: OpenSSL
    let signer: Signer
    let keyData: Data
    let passphrase: Passphrase?

    public init(client: RegistryClient, openssl: OpenSSL, keyPath: String, passphrase: Passphrase?, passphraseVariable: String) throws {
        self.client = client
        self.openssl = openssl
        signer = try Signer(keyPath: keyPath, passphrase: passphrase, passphraseVariable: passphraseVariable, openssl: openssl)
        keyData = try PEMFile(path: keyPath).data
        self.passphrase = passphrase
    }

    /// - Parameters:
    ///   - image: a tag (resolved now) or a digest; with both, the tag must still point at the digest.
    ///   - annotations: extra optional claims (cosign's `-a`).
    public func sign(_ image: ImageReference, annotations: [String: String] = [:], dryRun: Bool) async throws -> SignOutcome {
        let digest = try await resolve(image)
        let pinned = image.with(digest: digest)
        var optional = annotations
        if let tag = image.tag { optional[SimpleSigningPayload.tagClaim] = tag }
        let payload = SimpleSigningPayload(dockerReference: SimpleSigningPayload.dockerReference(for: image), manifestDigest: digest,
                                           optional: optional.isEmpty ? nil : optional).bytes
        let signatureTag = digest.signatureTag
        let existing: Manifest? = try await client.manifestHead(image.repository, reference: signatureTag) == nil
            ? nil : try await client.manifest(image.repository, reference: signatureTag)
        let existingLayers = existing?.layers ?? []
        let publicKey = try await KeyPairGenerator.publicKeyPEM(ofPrivateKey: keyData, openssl, passphrase: passphrase, name: signer.keyPath)
        let verifier = try await SignatureVerifier(publicKey: try PEMFile(path: signer.keyPath + " (public part)", data: publicKey), openssl: openssl)

        // cosign's duplicate rule: the same payload already signed by this key is not signed again.
        let payloadDigest = Digest(of: payload)
        for layer in existingLayers where layer.digest == payloadDigest {
            if let encoded = layer.annotations[SimpleSigningPayload.signatureAnnotation], let signature = Data(base64Encoded: encoded),
               try await verifier.verify(payload, signature: signature) {
                return SignOutcome(image: pinned, digest: digest, signatureTag: signatureTag, status: .alreadySigned,
                                   signatureCount: SignatureManifest.signatureLayers(existing!).count, keyFingerprint: verifier.keyFingerprint)
            }
        }
        if dryRun {
            return SignOutcome(image: pinned, digest: digest, signatureTag: signatureTag, status: .planned,
                               signatureCount: existingLayers.count, keyFingerprint: verifier.keyFingerprint)
        }
        let signature = try await signer.sign(payload)
        try await client.uploadBlob(image.repository, data: payload)
        let layers = existingLayers + [SignatureManifest.layer(payload: payload, signature: signature)]
        let config = SignatureManifest.config(layers: layers)
        try await client.uploadBlob(image.repository, data: config)
        let manifest = Manifest.ociImageManifest(
            config: Descriptor(mediaType: MediaType.ociConfig, digest: Digest(of: config), size: config.count), layers: layers)
        try await client.putManifest(image.repository, reference: signatureTag, data: manifest, mediaType: MediaType.ociManifest)
        return SignOutcome(image: pinned, digest: digest, signatureTag: signatureTag, status: .signed,
                           signatureCount: layers.filter { $0.mediaType == SimpleSigningPayload.mediaType }.count,
                           keyFingerprint: verifier.keyFingerprint)
    }

    /// The digest the reference names, read from the registry (the bytes' own digest).
    func resolve(_ image: ImageReference) async throws -> Digest {
        if let tag = image.tag {
            let digest = try await client.manifest(image.repository, reference: tag).digest
            if let pinned = image.digest, pinned != digest {
                throw RegistryError.notFound(what: "\(image)", detail: "the tag now points at \(digest), not \(pinned)")
            }
            return digest
        }
        guard let digest = image.digest else {
            throw RegistryError.invalidReference(image.description, reason: "name a tag or a digest to sign")
        }
        return try await client.manifest(image.repository, reference: digest.description).digest
    }
}
