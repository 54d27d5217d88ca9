import Foundation

/// Signs bytes with a private key file through `openssl dgst -sha256 -sign`: ECDSA over SHA-256 for an EC key
/// (the scheme cosign uses), the signature DER-encoded as openssl writes it.
public struct Signer: Sendable {
    public let keyPath: String
    private let encrypted: Bool
    private let passphrase: Passphrase?
    private let openssl: OpenSSL

    /// Checks the key file before anything is signed: a private key, and a passphrase when it is encrypted.
    /// - Parameter passphraseVariable: named in the error when an encrypted key comes without a passphrase.
    public init(keyPath: String, passphrase: Passphrase?, passphraseVariable: String, openssl: OpenSSL) throws {
        let file = try PEMFile(path: keyPath)
        switch file.kind {
        case .privateKey: encrypted = false
        case .encryptedPrivateKey:
            guard passphrase != nil else { throw CryptoError.passphraseRequired(key: keyPath, variable: passphraseVariable) }
            encrypted = true
        case .publicKey, .certificate:
            throw CryptoError.notAKey(path: keyPath, reason: "it holds a public key or certificate; signing needs the private key (.key)")
        }
        self.keyPath = keyPath
        self.passphrase = passphrase
        self.openssl = openssl
    }

    /// The DER signature of `data`.
    public func sign(_ data: Data) async throws -> Data {
        try await openssl.runWithKey(["dgst", "-sha256", "-sign", keyPath], operation: "sign with \(keyPath)", key: keyPath,
                                     passphrase: encrypted ? passphrase : nil, stdin: data)
    }
}
