import Foundation

/// Creates certificate authorities and issues certificates with `openssl req`. The subject's private key goes to
/// openssl on stdin (a CA key already on disk by path) and certificates come back as PEM bytes: nothing is written
/// here, so callers decide where files go (inside the workspace, keys 0600).
public struct CertificateIssuer: Sendable {
    public let openssl: OpenSSL
    public init(openssl: OpenSSL) { self.openssl = openssl }

    /// A self-signed CA certificate that may sign end-entity certificates only (`pathlen:0`).
    /// - Parameters:
    ///   - key: the CA's private key (PEM).
    ///   - keyPassphrase: the key's passphrase when it is encrypted.
    public func createAuthority(commonName: String, validityDays: Int, key: Data,
                                keyPassphrase: Passphrase? = nil) async throws -> Data {
        try CertificateProfile(commonName: commonName, validityDays: validityDays).validate()
        let args = ["req", "-new", "-x509", "-config", "/dev/null", "-key", "/dev/stdin",
                    "-subj", CertificateProfile.subject(commonName: commonName), "-days", String(validityDays),
                    "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                    "-addext", "subjectKeyIdentifier=hash"]
        return try await sign(args, operation: "create the CA certificate '\(commonName)'", stdin: key,
                              passphrase: keyPassphrase, keyName: "the CA key")
    }

    /// Issues a certificate for the ECDSA `key` signed by the CA at `caCertificatePath` / `caKeyPath`.
    /// Key usage is digitalSignature only: with ECDSA keys TLS never encrypts to the certificate's key.
    public func issue(_ profile: CertificateProfile, key: Data, caCertificatePath: String, caKeyPath: String,
                      caKeyPassphrase: Passphrase? = nil) async throws -> Data {
        try profile.validate()
        var args = ["req", "-new", "-config", "/dev/null", "-key", "/dev/stdin",
                    "-subj", CertificateProfile.subject(commonName: profile.commonName),
                    "-CA", caCertificatePath, "-CAkey", caKeyPath, "-days", String(profile.validityDays),
                    "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "keyUsage=critical,digitalSignature"]
        if !profile.usages.isEmpty {
            args += ["-addext", "extendedKeyUsage=" + profile.usages.map(\.rawValue).joined(separator: ",")]
        }
        if let san = profile.subjectAltNameExtension { args += ["-addext", san] }
        return try await sign(args, operation: "issue a certificate for '\(profile.commonName)'", stdin: key,
                              passphrase: caKeyPassphrase, keyName: caKeyPath)
    }

    /// Runs `openssl req`, feeding an encrypted signing key's passphrase through the input slot.
    private func sign(_ arguments: [String], operation: String, stdin: Data, passphrase: Passphrase?,
                      keyName: String) async throws -> Data {
        try await openssl.runWithKey(arguments, operation: operation, key: keyName, passphrase: passphrase, stdin: stdin)
    }
}
