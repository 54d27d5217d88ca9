import Foundation

/// Checks signatures against one public key with `openssl dgst -sha256 -verify`. The key is checked by openssl once,
/// when the verifier is made; each signature is then one openssl run.
public final class SignatureVerifier: Sendable {
    public let keyPath: String
    /// `sha256:<hex>` of the public key's DER bytes.
    public let keyFingerprint: String
    private let openssl: OpenSSL
    private let scratch: PrivateTemporaryDirectory
    private let keyFile: String

    /// - Parameter publicKeyPath: a PEM public key (`PUBLIC KEY`), as written by keygen or `cosign generate-key-pair`.
    public convenience init(publicKeyPath: String, openssl: OpenSSL) async throws {
        try await self.init(publicKey: PEMFile(path: publicKeyPath), openssl: openssl)
    }

    public init(publicKey: PEMFile, openssl: OpenSSL) async throws {
        guard publicKey.kind == .publicKey else {
            let reason = publicKey.kind == .certificate
                ? "it is a certificate; give the public key (openssl x509 -pubkey -noout -in CERT > key.pub)"
                : "it is a private key; verification takes the public key (.pub) and the private key should not leave its owner"
            throw CryptoError.notAKey(path: publicKey.path, reason: reason)
        }
        let check = try await openssl.runRaw(["pkey", "-pubin", "-noout"], stdin: publicKey.data)
        guard check.succeeded, let fingerprint = publicKey.fingerprint else {
            throw CryptoError.notAKey(path: publicKey.path, reason: "openssl cannot read it as a public key (\(OpenSSL.errorDetail(check)))")
        }
        keyPath = publicKey.path
        keyFingerprint = fingerprint
        self.openssl = openssl
        scratch = try PrivateTemporaryDirectory(prefix: "contsec-verify")
        keyFile = scratch.path + "/key.pub"
        try scratch.write("key.pub", publicKey.data)
    }

    /// True when `signature` (DER) is a valid signature of `data` by this key; false for any other signature,
    /// including bytes that are not a signature at all.
    public func verify(_ data: Data, signature: Data) async throws -> Bool {
        let name = "sig-\(UUID().uuidString)"
        try scratch.write(name, signature)
        defer { scratch.remove(name) }
        let result = try await openssl.runRaw(["dgst", "-sha256", "-verify", keyFile, "-signature", scratch.path + "/" + name],
                                              stdin: data, sweepLeftovers: false)
        if result.succeeded { return result.stdoutText.contains("Verified OK") }
        if result.timedOut { throw CryptoError.opensslFailed(operation: "verify a signature", detail: OpenSSL.errorDetail(result)) }
        return false
    }
}
