import Foundation
import Testing
import ContainerKit
@testable import CryptoTools

/// A private folder for one test's files, removed afterwards.
final class CertificateScratch {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "contsec-crypto-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func write(_ name: String, _ data: Data) -> String {
        let p = path + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: data, attributes: [.posixPermissions: 0o600])
        return p
    }
}

/// A CA on disk: key and certificate paths.
struct TestCA {
    var keyPath: String
    var certPath: String
    static func make(_ scratch: CertificateScratch, _ name: String, passphrase: Passphrase? = nil) async throws -> TestCA {
        let openssl = try OpenSSL()
        let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: passphrase).privateKeyPEM
        let cert = try await CertificateIssuer(openssl: openssl).createAuthority(
            commonName: name, validityDays: 365, key: key, keyPassphrase: passphrase)
        return TestCA(keyPath: scratch.write(name + ".key", key), certPath: scratch.write(name + ".crt", cert))
    }
}

@Suite struct CertificateTests {
    @Test func issuedCertificateCarriesTheProfile() async throws {
        let scratch = CertificateScratch()
        let openssl = try OpenSSL()
        let ca = try await TestCA.make(scratch, "contsec test CA")
        let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil).privateKeyPEM
        let profile = CertificateProfile(commonName: "api", dnsNames: ["api", "api.backend"], ipAddresses: ["10.1.2.3"],
                                         validityDays: 90)
        let cert = try await CertificateIssuer(openssl: openssl).issue(profile, key: key, caCertificatePath: ca.certPath,
                                                                       caKeyPath: ca.keyPath)
        let info = try await CertificateInspector(openssl: openssl).inspect(cert)
        #expect(info.subject == "CN=api")
        #expect(info.commonName == "api")
        #expect(info.issuer == "CN=contsec test CA")
        #expect(info.dnsNames == ["api", "api.backend"])
        #expect(info.ipAddresses == ["10.1.2.3"])
        #expect(info.hasServerAuth && info.hasClientAuth)
        #expect(!info.isCA)
        #expect(info.keyAlgorithm == "EC" && info.keyBits == 256 && info.curve == "P-256")
        #expect(info.signatureAlgorithm == "ecdsa-with-SHA256")
        #expect(info.weakness == nil)
        #expect(info.notAfter.timeIntervalSince(info.notBefore) == 90 * 86_400)
        #expect((89...90).contains(info.daysUntilExpiry()))
        #expect(info.sha256Fingerprint.split(separator: ":").count == 32)

        let caInfo = try await CertificateInspector(openssl: openssl).inspect(Data(contentsOf: URL(fileURLWithPath: ca.certPath)))
        #expect(caInfo.isCA)

        let inspector = CertificateInspector(openssl: openssl)
        let certPath = scratch.write("api.crt", cert)
        #expect(try await inspector.verify(certificatePath: certPath, caPath: ca.certPath).ok)
        let other = try await TestCA.make(scratch, "another CA")
        let foreign = try await inspector.verify(certificatePath: certPath, caPath: other.certPath)
        #expect(!foreign.ok)
        #expect(foreign.reason?.contains("unable to get local issuer certificate") == true)
    }

    @Test func encryptedCAKeyOpensOnlyWithItsPassphrase() async throws {
        let scratch = CertificateScratch()
        let ca = try await TestCA.make(scratch, "locked CA", passphrase: Passphrase("s3cret", origin: "CA_PASS"))
        let pem = try String(contentsOfFile: ca.keyPath, encoding: .utf8)
        #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))

        let openssl = try OpenSSL()
        let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil).privateKeyPEM
        let profile = CertificateProfile(commonName: "db", dnsNames: ["db"])
        let issuer = CertificateIssuer(openssl: openssl)
        let cert = try await issuer.issue(profile, key: key, caCertificatePath: ca.certPath, caKeyPath: ca.keyPath,
                                          caKeyPassphrase: Passphrase("s3cret", origin: "CA_PASS"))
        #expect(try await CertificateInspector(openssl: openssl).inspect(cert).issuer == "CN=locked CA")
        do {
            _ = try await issuer.issue(profile, key: key, caCertificatePath: ca.certPath, caKeyPath: ca.keyPath,
                                       caKeyPassphrase: Passphrase("wrong", origin: "CA_PASS"))
            Issue.record("a wrong passphrase opened the CA key")
        } catch let error as CryptoError {
            #expect(error == .wrongPassphrase(key: ca.keyPath, variable: "CA_PASS"))
            #expect(!error.description.contains("wrong,") && !error.description.contains("s3cret"))
        }
    }

    @Test func weakKeysAreRecognisedAndRefused() async throws {
        let openssl = try OpenSSL()
        // A 1024-bit RSA self-signed certificate made with openssl directly, as an old tool would have.
        let weakKey = try await openssl.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], operation: "t")
        let weakCert = try await openssl.run(["req", "-new", "-x509", "-config", "/dev/null", "-key", "/dev/stdin",
                                              "-subj", "/CN=legacy", "-days", "5"], operation: "t", stdin: weakKey)
        let info = try await CertificateInspector(openssl: openssl).inspect(weakCert)
        #expect(info.keyAlgorithm == "RSA" && info.keyBits == 1024)
        #expect(info.weakness == "RSA key of 1024 bits (2048 is the minimum)")
        #expect(info.dnsNames.isEmpty && info.extendedKeyUsages.isEmpty)
        #expect(info.daysUntilExpiry() <= 5)
    }

    @Test func badInputIsRefusedBeforeOpenSSLRuns() async throws {
        let openssl = try OpenSSL()
        let issuer = CertificateIssuer(openssl: openssl)
        for profile in [CertificateProfile(commonName: "api", dnsNames: ["api,DNS:evil.example"]),
                        CertificateProfile(commonName: "api", dnsNames: ["-api"]),
                        CertificateProfile(commonName: "api", ipAddresses: ["10.0.0.300"]),
                        CertificateProfile(commonName: "api", validityDays: 0)] {
            do {
                _ = try await issuer.issue(profile, key: Data(), caCertificatePath: "/nonexistent", caKeyPath: "/nonexistent")
                Issue.record("accepted \(profile)")
            } catch let error as CryptoError {
                guard case .invalidInput = error else { Issue.record("\(error)"); continue }
            }
        }
        #expect(CertificateProfile.subject(commonName: "a/b=c") == "/CN=a\\/b\\=c")
        await #expect(throws: CryptoError.self) { _ = try await CertificateInspector(openssl: openssl).inspect(Data("not a certificate".utf8)) }
    }
}

@Suite struct WrongPassphraseTests {
    /// openssl's two ways of saying a passphrase is wrong: the padding check fails (nearly always), or, about one
    /// time in 256, the padding looks valid and the decrypted garbage does not decode. Both texts as openssl 3.0.19
    /// printed them here.
    @Test func bothOfOpenSSLsWrongPassphraseErrorsAreRecognised() {
        let badPadding = "Could not read issuer private key from -CAkey arg from ca.key\n40D7:error:1C800064:Provider routines:ossl_cipher_unpadblock:bad decrypt:../providers/implementations/ciphers/ciphercommon_block.c:124:\n40D7:error:11800074:PKCS12 routines:PKCS12_pbe_crypt_ex:pkcs12 cipherfinal error:../crypto/pkcs12/p12_decr.c:88:maybe wrong password\n"
        let garbage = "Could not read issuer private key from -CAkey arg from ca.key\n4077:error:1E08010C:DECODER routines:OSSL_DECODER_from_bio:unsupported:../crypto/encode_decode/decoder_lib.c:103:No supported data to decode.\n"
        #expect(OpenSSL.isBadDecrypt(badPadding))
        #expect(OpenSSL.isBadDecrypt(garbage))
        #expect(!OpenSSL.isBadDecrypt("Could not open file or uri for loading issuer private key from ca.key\n"))
    }
}
