import Foundation

/// A freshly made key pair, in memory only: the caller writes it (private key 0600) where it belongs.
public struct GeneratedKeyPair: Sendable {
    /// PKCS#8 PEM: `ENCRYPTED PRIVATE KEY` (AES-256-CBC, PBKDF2) when a passphrase was given, else `PRIVATE KEY`.
    public let privateKeyPEM: Data
    /// SubjectPublicKeyInfo PEM (`PUBLIC KEY`), the form cosign's `--key x.pub` reads.
    public let publicKeyPEM: Data
    public let encrypted: Bool
}

/// Makes ECDSA P-256 key pairs with openssl. The private key travels only through pipes, never a temporary file.
public enum KeyPairGenerator {
    public static func ecdsaP256(_ openssl: OpenSSL, passphrase: Passphrase?) async throws -> GeneratedKeyPair {
        var arguments = ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-pkeyopt", "ec_param_enc:named_curve"]
        var passphrases: [PassphraseSlot: Passphrase] = [:]
        if let passphrase {
            arguments += ["-aes-256-cbc", "-pass", PassphraseSlot.output.argument]
            passphrases[.output] = passphrase
        }
        let privateKey = try await openssl.run(arguments, operation: "generate an ECDSA P-256 key", passphrases: passphrases)
        let publicKey = try await publicKeyPEM(ofPrivateKey: privateKey, openssl, passphrase: passphrase)
        return GeneratedKeyPair(privateKeyPEM: privateKey, publicKeyPEM: publicKey, encrypted: passphrase != nil)
    }

    /// The public key (SubjectPublicKeyInfo PEM) of a private key given as PEM bytes.
    public static func publicKeyPEM(ofPrivateKey pem: Data, _ openssl: OpenSSL, passphrase: Passphrase?,
                                    name: String = "the private key") async throws -> Data {
        var passphraseNeeded: Passphrase?
        if PEMFile.kind(of: pem) == .encryptedPrivateKey {
            guard let passphrase else { throw CryptoError.passphraseRequired(key: name, variable: "a passphrase") }
            passphraseNeeded = passphrase
        }
        return try await openssl.runWithKey(["pkey", "-pubout"], operation: "derive the public key of \(name)", key: name,
                                            passphrase: passphraseNeeded, stdin: pem)
    }
}
