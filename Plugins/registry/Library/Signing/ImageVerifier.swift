import Foundation
import CryptoTools
import RegistryClient

/// The outcome of checking one tag's signatures against one public key.
public enum SignatureVerdict: Sendable, Equatable {
    /// At least one signature by the key names the digest the tag points at now.
    case verified(signatures: Int)
    /// No signature manifest for the digest.
    case unsigned
    /// Signatures exist, none is valid for the key (another key, altered payload or signature); the reasons say which.
    case invalid(reasons: [String])
    /// A valid signature by the key names another digest: the tag was moved after signing (or a signature copied).
    case otherDigest(signed: Digest, evidence: String)
}

public struct TagVerification: Sendable, Equatable {
    public let image: ImageReference
    public let digest: Digest
    public let verdict: SignatureVerdict
    /// Signature layers found (all signers).
    public let signatureCount: Int
}

/// Checks cosign-style signatures of tags in a registry against a public key, with every byte digest-checked.
public actor ImageVerifier {
    let client: RegistryClient
    let key: SignatureVerifier
    private var tagCache: [String: [String]] = [:]
    /// Per repository: tag → digests a valid signature by the key names for that tag (contsec's tag claim), read once
    /// and shared by every unsigned tag of a run (reading every signature again per unsigned tag was quadratic).
    private var claims: [String: Task<[String: [Digest]], Error>] = [:]

    public init(client: RegistryClient, key: SignatureVerifier) {
        self.client = client
        self.key = key
    }

    public var keyFingerprint: String { key.keyFingerprint }

    /// The repository's tags when the caller has listed them already (verify --all-tags), saving a second listing.
    public func knowTags(_ repository: String, _ tags: [String]) { tagCache[repository] = tags }

    /// Resolves `image`'s tag (or digest) and judges the signatures stored for that digest.
    public func verify(_ image: ImageReference) async throws -> TagVerification {
        let reference = image.tag ?? image.digest?.description ?? "latest"
        let digest = try await client.manifest(image.repository, reference: reference).digest
        var (verdict, count) = try await judge(image.repository, digest: digest)
        if verdict == .unsigned, let tag = image.tag, let moved = try await signedElsewhere(image.repository, tag: tag, current: digest) {
            verdict = moved
        }
        return TagVerification(image: image.with(digest: digest), digest: digest, verdict: verdict, signatureCount: count)
    }

    /// Whether `digest` carries a valid signature by the key naming it (used by push's --require-signed-by).
    public func judge(_ repository: String, digest: Digest) async throws -> (SignatureVerdict, Int) {
        let manifest: Manifest
        do { manifest = try await client.manifest(repository, reference: digest.signatureTag) } catch let error as RegistryError {
            switch error {
            case .notFound: return (.unsigned, 0) // one GET instead of HEAD + GET: most tags are signed
            case .digestMismatch: return (.invalid(reasons: ["the signature manifest's bytes do not match its digest"]), 0)
            default: throw error
            }
        }
        let layers = SignatureManifest.signatureLayers(manifest)
        guard !layers.isEmpty else { return (.invalid(reasons: ["\(digest.signatureTag) holds no cosign signature layer"]), 0) }
        var verified = 0
        var reasons: [String] = []
        var other: (Digest, String)?
        for (index, layer) in layers.enumerated() {
            switch try await check(repository, layer: layer, index: index) {
            case .valid(let payload):
                if payload.manifestDigest == digest { verified += 1 } else {
                    other = (payload.manifestDigest, "a signature under \(digest.signatureTag) names \(payload.manifestDigest)")
                }
            case .invalid(let reason): reasons.append(reason)
            }
        }
        if verified > 0 { return (.verified(signatures: verified), layers.count) }
        if let other { return (.otherDigest(signed: other.0, evidence: other.1), layers.count) }
        return (.invalid(reasons: reasons), layers.count)
    }

    enum LayerCheck { case valid(SimpleSigningPayload), invalid(String) }

    func check(_ repository: String, layer: Descriptor, index: Int) async throws -> LayerCheck {
        let name = "signature \(index + 1)"
        guard let encoded = layer.annotations[SimpleSigningPayload.signatureAnnotation] else {
            return .invalid("\(name) has no \(SimpleSigningPayload.signatureAnnotation) annotation")
        }
        guard let signature = Data(base64Encoded: encoded) else { return .invalid("\(name)'s signature is not base64") }
        let payloadBytes: Data
        do { payloadBytes = try await client.blob(repository, digest: layer.digest, expectedSize: layer.size, maxBytes: 1 << 20) } catch let error as RegistryError {
            switch error {
            case .digestMismatch: return .invalid("\(name)'s payload blob was altered (its bytes do not match \(layer.digest.short))")
            case .malformed(_, let reason): return .invalid("\(name)'s payload blob is unusable: \(reason)")
            case .notFound: return .invalid("\(name)'s payload blob \(layer.digest.short) is missing")
            default: throw error
            }
        }
        guard try await key.verify(payloadBytes, signature: signature) else {
            return .invalid("\(name) is not a valid signature by key \(key.keyFingerprint.prefix(19))")
        }
        do { return .valid(try SimpleSigningPayload(parsing: payloadBytes)) } catch {
            return .invalid("\(name): \(error)")
        }
    }

    /// For a tag whose digest is unsigned: a valid signature by the key, in this repository, that names this tag
    /// (contsec's tag claim) and another digest means the tag was moved after signing.
    func signedElsewhere(_ repository: String, tag: String, current: Digest) async throws -> SignatureVerdict? {
        guard let signedDigest = try await tagClaims(repository)[tag]?.first(where: { $0 != current }) else { return nil }
        return .otherDigest(signed: signedDigest, evidence: "tag \(tag) was signed at \(signedDigest.short) and now points at \(current.short)")
    }

    func tagClaims(_ repository: String) async throws -> [String: [Digest]] {
        if let task = claims[repository] { return try await task.value }
        let task = Task { try await self.readTagClaims(repository) }
        claims[repository] = task
        return try await task.value
    }

    /// Every signature tag's valid signatures by the key, as tag → signed digests (signature tags in sorted order).
    private func readTagClaims(_ repository: String) async throws -> [String: [Digest]] {
        let tags: [String]
        if let cached = tagCache[repository] { tags = cached } else {
            tags = try await client.tags(repository)
            tagCache[repository] = tags
        }
        let signatureTags: [(String, Digest)] = tags.sorted().compactMap { tag in Digest(signatureTag: tag).map { (tag, $0) } }
        let found = try await boundedMap(signatureTags, limit: 8) { candidate -> [(String, Digest)] in
            let (signatureTag, signedDigest) = candidate
            // An unreadable signature manifest proves nothing either way: it is skipped, as an unsigned tag would be.
            guard let manifest = try? await self.client.manifest(repository, reference: signatureTag) else { return [] }
            var claimed: [(String, Digest)] = []
            for (index, layer) in SignatureManifest.signatureLayers(manifest).enumerated() {
                if case .valid(let payload) = try await self.check(repository, layer: layer, index: index),
                   let tag = payload.optional?[SimpleSigningPayload.tagClaim], payload.manifestDigest == signedDigest {
                    claimed.append((tag, signedDigest))
                }
            }
            return claimed
        }
        var byTag: [String: [Digest]] = [:]
        for (tag, digest) in found.joined() { byTag[tag, default: []].append(digest) }
        return byTag
    }
}
