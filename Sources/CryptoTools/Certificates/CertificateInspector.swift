import Foundation

/// Reads certificates and checks chains with `openssl x509` and `openssl verify`.
public struct CertificateInspector: Sendable {
    public let openssl: OpenSSL
    public init(openssl: OpenSSL) { self.openssl = openssl }

    /// Reads the first certificate of a PEM file's bytes.
    /// - Parameter name: what to call it in errors (its path).
    public func inspect(_ certificate: Data, name: String = "the certificate") async throws -> CertificateInfo {
        let out = try await openssl.run(
            ["x509", "-noout", "-serial", "-fingerprint", "-sha256", "-dates", "-dateopt", "iso_8601", "-text",
             "-certopt", "no_sigdump,no_validity,no_header", "-nameopt", "RFC2253"],
            operation: "read \(name) as a PEM certificate", stdin: certificate)
        do {
            return try CertificateInfo(opensslText: String(decoding: out, as: UTF8.self))
        } catch let error as CryptoError {
            throw CryptoError.invalidInput("\(name): \(error)")
        }
    }

    /// Whether `openssl verify -CAfile` accepts the certificate; when it does not, `reason` is openssl's.
    public func verify(certificatePath: String, caPath: String) async throws -> (ok: Bool, reason: String?) {
        let result = try await openssl.runRaw(["verify", "-CAfile", caPath, certificatePath])
        return result.succeeded ? (true, nil) : (false, OpenSSL.errorDetail(result))
    }
}
