import Foundation
import Testing
import CryptoTools
@testable import RegistryClient
@testable import RegistryPlugin
import RegistryTestSupport

/// Signing and verifying against the open test registry, with an independent verifier (Python, plain HTTP).
@Suite("registry plugin: sign and verify", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct SignVerifyTests {
    let registry = RegistryTestEnvironment.registry

    /// A key pair in a temporary folder: (private key path, public key path).
    static func keys(_ folder: String, _ name: String, passphrase: Passphrase?) async throws -> (String, String) {
        let pair = try await KeyPairGenerator.ecdsaP256(try OpenSSL(), passphrase: passphrase)
        let privatePath = folder + "/\(name).key", publicPath = folder + "/\(name).pub"
        try pair.privateKeyPEM.write(to: URL(fileURLWithPath: privatePath))
        try pair.publicKeyPEM.write(to: URL(fileURLWithPath: publicPath))
        return (privatePath, publicPath)
    }

    func verifier(_ client: RegistryClient, _ publicKey: String) async throws -> ImageVerifier {
        ImageVerifier(client: client, key: try await SignatureVerifier(publicKeyPath: publicKey, openssl: try OpenSSL()))
    }

    @Test("sign → verify passes, the independent verifier agrees; the wrong key fails; re-signing adds nothing")
    func signAndVerify() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("sign")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        let fixture = OCIFixture(created: "2024-06-01T00:00:00Z", marker: repository)
        try fixture.push(registry: registry, repository: repository, tags: ["v1"])
        let passphrase = Passphrase("sign-test", origin: "CONTSEC_SIGNING_PASSWORD")
        let (key, pub) = try await Self.keys(folder, "a", passphrase: passphrase)
        let (_, otherPub) = try await Self.keys(folder, "b", passphrase: nil)
        let client = RegistryClient(registry: registry)
        let image = try ImageReference(parsing: "\(registry)/\(repository):v1")

        let signer = try ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: passphrase,
                                     passphraseVariable: "CONTSEC_SIGNING_PASSWORD")
        let outcome = try await signer.sign(image, dryRun: false)
        #expect(outcome.status == .signed && outcome.digest.description == fixture.digest)
        #expect(outcome.signatureTag == "sha256-\(fixture.digest.dropFirst(7)).sig")
        #expect(try Skopeo.tags(registry, repository) == ["sha256-\(fixture.digest.dropFirst(7)).sig", "v1"])

        let good = try await verifier(client, pub).verify(image)
        #expect(good.verdict == .verified(signatures: 1))
        let independent = try IndependentVerifier.verify(registry: registry, repository: repository, tag: "v1", publicKey: pub)
        #expect(independent["digest"] as? String == fixture.digest)
        #expect(independent["valid"] as? Int == 1)

        let wrong = try await verifier(client, otherPub).verify(image)
        guard case .invalid = wrong.verdict else { Issue.record("wrong key gave \(wrong.verdict)"); return }
        let finding = SignatureFindings.finding(for: wrong, keyFingerprint: "k")
        #expect(finding?.ruleId == "REG-SIG-002" && finding?.severity == .critical && finding?.category == .supplyChain)
        #expect(try IndependentVerifier.verify(registry: registry, repository: repository, tag: "v1", publicKey: otherPub)["valid"] as? Int == 0)

        #expect(try await signer.sign(image, dryRun: false).status == .alreadySigned)
        #expect(try await verifier(client, pub).verify(image).signatureCount == 1)
    }

    @Test("two signers on one image: both signatures kept, each key verifies")
    func twoSigners() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("two")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        try OCIFixture(created: "2024-06-02T00:00:00Z", marker: repository).push(registry: registry, repository: repository, tags: ["v1"])
        let (keyA, pubA) = try await Self.keys(folder, "a", passphrase: nil)
        let (keyB, pubB) = try await Self.keys(folder, "b", passphrase: nil)
        let client = RegistryClient(registry: registry)
        let image = try ImageReference(parsing: "\(registry)/\(repository):v1")
        for key in [keyA, keyB] {
            _ = try await ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: nil, passphraseVariable: "X")
                .sign(image, dryRun: false)
        }
        for pub in [pubA, pubB] {
            let result = try await verifier(client, pub).verify(image)
            #expect(result.verdict == .verified(signatures: 1) && result.signatureCount == 2)
            #expect(try IndependentVerifier.verify(registry: registry, repository: repository, tag: "v1", publicKey: pub)["valid"] as? Int == 1)
        }
    }

    @Test("a signature in cosign's layout from an independent signer verifies; contsec appends beside it, and back again")
    func foreignSigner() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("foreign")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        let fixture = OCIFixture(created: "2024-06-05T00:00:00Z", marker: repository)
        try fixture.push(registry: registry, repository: repository, tags: ["v1"])
        let client = RegistryClient(registry: registry)
        let image = try ImageReference(parsing: "\(registry)/\(repository):v1")

        let cosignPub = folder + "/cosign.pub"
        let made = try IndependentSigner.sign(registry: registry, repository: repository, tag: "v1", publicKeyPath: cosignPub)
        #expect(made["digest"] as? String == fixture.digest && made["layers"] as? Int == 1)
        #expect(try await verifier(client, cosignPub).verify(image).verdict == .verified(signatures: 1))
        let (key, pub) = try await Self.keys(folder, "a", passphrase: nil)
        let notYet = try await verifier(client, pub).verify(image)
        guard case .invalid = notYet.verdict else { Issue.record("a key that signed nothing gave \(notYet.verdict)"); return }

        // contsec signs: the foreign signature stays, both verify, by contsec and by the independent verifier.
        let outcome = try await ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: nil, passphraseVariable: "X")
            .sign(image, dryRun: false)
        #expect(outcome.status == .signed)
        for publicKey in [cosignPub, pub] {
            let result = try await verifier(client, publicKey).verify(image)
            #expect(result.verdict == .verified(signatures: 1) && result.signatureCount == 2, "\(publicKey)")
            #expect(try IndependentVerifier.verify(registry: registry, repository: repository, tag: "v1", publicKey: publicKey)["valid"] as? Int == 1)
        }
        // And the other way round: a foreign signer appending to the manifest contsec wrote leaves contsec's valid.
        let later = try IndependentSigner.sign(registry: registry, repository: repository, tag: "v1", publicKeyPath: folder + "/second.pub")
        #expect(later["layers"] as? Int == 3)
        let after = try await verifier(client, pub).verify(image)
        #expect(after.verdict == .verified(signatures: 1) && after.signatureCount == 3)
        #expect(try await verifier(client, folder + "/second.pub").verify(image).verdict == .verified(signatures: 1))
    }

    @Test("the tag moved to another digest after signing: caught, naming both digests")
    func retagged() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("moved")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        let first = OCIFixture(created: "2024-06-03T00:00:00Z", marker: repository + "-1")
        let second = OCIFixture(created: "2024-06-04T00:00:00Z", marker: repository + "-2")
        try first.push(registry: registry, repository: repository, tags: ["v1"])
        let (key, pub) = try await Self.keys(folder, "a", passphrase: nil)
        let client = RegistryClient(registry: registry)
        let image = try ImageReference(parsing: "\(registry)/\(repository):v1")
        _ = try await ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: nil, passphraseVariable: "X")
            .sign(image, dryRun: false)
        try second.push(registry: registry, repository: repository, tags: ["v1"]) // someone moves the tag
        let result = try await verifier(client, pub).verify(image)
        #expect(result.digest.description == second.digest)
        #expect(result.verdict == .otherDigest(signed: Digest(first.digest)!,
                                               evidence: "tag v1 was signed at \(Digest(first.digest)!.short) and now points at \(Digest(second.digest)!.short)"))
        #expect(SignatureFindings.finding(for: result, keyFingerprint: "k")?.ruleId == "REG-SIG-003")
    }

    @Test("a tampered payload blob in the registry's storage is caught; an unsigned image is reported as such")
    func tamperedAndUnsigned() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("tamper")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        try OCIFixture(created: "2024-06-05T00:00:00Z", marker: repository).push(registry: registry, repository: repository, tags: ["v1", "v2"])
        let (key, pub) = try await Self.keys(folder, "a", passphrase: nil)
        let client = RegistryClient(registry: registry)
        let image = try ImageReference(parsing: "\(registry)/\(repository):v1")
        let outcome = try await ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: nil, passphraseVariable: "X")
            .sign(image, dryRun: false)
        // The payload names this repository and tag, so its blob is unique to this test.
        let signatureManifest = try await client.manifest(repository, reference: outcome.signatureTag)
        let payload = signatureManifest.layers[0].digest
        let stored = "\(RegistryTestEnvironment.storage)/docker/registry/v2/blobs/sha256/\(payload.hex.prefix(2))/\(payload.hex)/data"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: stored))
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: stored))
        let result = try await verifier(client, pub).verify(image)
        guard case .invalid(let reasons) = result.verdict else { Issue.record("tampered payload gave \(result.verdict)"); return }
        #expect(reasons.joined().contains("payload blob was altered"))

        // v2 shares v1's digest, so the same (altered) signature is judged for it.
        guard case .invalid = try await verifier(client, pub).verify(try image.with(tag: "v2")).verdict else {
            Issue.record("v2 not judged by v1's altered signature"); return
        }
        let other = OCIFixture(created: "2024-06-06T00:00:00Z", marker: repository + "-u")
        try other.push(registry: registry, repository: repository, tags: ["u1"])
        let plain = try await verifier(client, pub).verify(try image.with(tag: "u1"))
        #expect(plain.verdict == .unsigned)
        #expect(SignatureFindings.finding(for: plain, keyFingerprint: "k")?.severity == .high)
    }

    @Test("cosign's payload layout: critical{identity,image,type}, optional null without claims")
    func payloadBytes() throws {
        let digest = Digest("sha256:" + String(repeating: "a", count: 64))!
        let payload = SimpleSigningPayload(dockerReference: "127.0.0.1:5000/team/app", manifestDigest: digest, optional: nil)
        #expect(String(decoding: payload.bytes, as: UTF8.self) == #"{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":"sha256:\#(digest.hex)"},"type":"cosign container image signature"},"optional":null}"#)
        #expect(try SimpleSigningPayload(parsing: payload.bytes) == payload)
        #expect(SimpleSigningPayload.dockerReference(for: try ImageReference(parsing: "nginx:1")) == "index.docker.io/library/nginx")
        #expect(throws: PayloadError.self) { try SimpleSigningPayload(parsing: Data(#"{"critical":{"type":"other"}}"#.utf8)) }
    }
}
