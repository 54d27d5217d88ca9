import Foundation
import Testing
import ContainerKit
@testable import CryptoTools

/// Keys and signatures made by the real openssl, checked by openssl itself and by Python's `cryptography`
/// where an independent opinion matters.
@Suite("CryptoTools keys and signatures")
struct KeyAndSignatureTests {
    let openssl: OpenSSL
    let folder: String

    init() throws {
        openssl = try OpenSSL()
        folder = NSTemporaryDirectory() + "contsec-crypto-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    func save(_ name: String, _ data: Data) throws -> String {
        let path = folder + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    func opensslText(_ arguments: [String], stdin: Data, env: [String: String] = [:]) async throws -> ToolResult {
        try await ToolRunner().run("openssl", arguments, options: ToolRunOptions(stdin: stdin, environmentOverrides: env))
    }

    @Test("an encrypted P-256 key: PKCS#8, opens only with its passphrase, public key matches")
    func encryptedKeyPair() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: Passphrase("correct horse"))
        let privateText = String(decoding: pair.privateKeyPEM, as: UTF8.self)
        #expect(privateText.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(String(decoding: pair.publicKeyPEM, as: UTF8.self).hasPrefix("-----BEGIN PUBLIC KEY-----"))

        let opened = try await opensslText(["pkey", "-noout", "-text", "-passin", "env:PW"], stdin: pair.privateKeyPEM,
                                           env: ["PW": "correct horse"])
        #expect(opened.succeeded)
        #expect(opened.stdoutText.contains("NIST CURVE: P-256"))
        let wrong = try await opensslText(["pkey", "-noout", "-passin", "env:PW"], stdin: pair.privateKeyPEM, env: ["PW": "wrong"])
        #expect(!wrong.succeeded)

        let derived = try await opensslText(["pkey", "-pubout", "-passin", "env:PW"], stdin: pair.privateKeyPEM,
                                            env: ["PW": "correct horse"])
        #expect(derived.stdout == pair.publicKeyPEM)
    }

    @Test("an unencrypted key only when no passphrase is given")
    func plainKeyPair() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        #expect(String(decoding: pair.privateKeyPEM, as: UTF8.self).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(!pair.encrypted)
    }

    @Test("sign, then verify: the right data and key pass; other data, another key and junk fail")
    func signAndVerify() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let passphrase = Passphrase("s3cret", origin: "TEST_PASSPHRASE")
        let pair = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: passphrase)
        let other = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        let keyPath = try save("a.key", pair.privateKeyPEM)
        let signer = try Signer(keyPath: keyPath, passphrase: passphrase, passphraseVariable: "TEST_PASSPHRASE", openssl: openssl)
        let payload = Data(#"{"critical":{"type":"test"}}"#.utf8)
        let signature = try await signer.sign(payload)
        #expect(signature.first == 0x30) // a DER SEQUENCE (r, s)

        let verifier = try await SignatureVerifier(publicKeyPath: try save("a.pub", pair.publicKeyPEM), openssl: openssl)
        #expect(try await verifier.verify(payload, signature: signature))
        #expect(try await !verifier.verify(payload + Data(" ".utf8), signature: signature))
        #expect(try await !verifier.verify(payload, signature: Data("not a signature".utf8)))
        let otherVerifier = try await SignatureVerifier(publicKeyPath: try save("b.pub", other.publicKeyPEM), openssl: openssl)
        #expect(try await !otherVerifier.verify(payload, signature: signature))
        #expect(verifier.keyFingerprint != otherVerifier.keyFingerprint)
        #expect(verifier.keyFingerprint.hasPrefix("sha256:") && verifier.keyFingerprint.count == 71)
    }

    @Test("Python's cryptography accepts the signature (ECDSA P-256, SHA-256, DER)")
    func independentVerification() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        let signer = try Signer(keyPath: try save("k.key", pair.privateKeyPEM), passphrase: nil, passphraseVariable: "X", openssl: openssl)
        let payload = Data("payload bytes".utf8)
        let signature = try await signer.sign(payload)
        let script = """
            import sys
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import ec
            key = serialization.load_pem_public_key(open(sys.argv[1], 'rb').read())
            assert isinstance(key.curve, ec.SECP256R1)
            key.verify(open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read(), ec.ECDSA(hashes.SHA256()))
            print('ok')
            """
        let result = try await ToolRunner().run("python3", ["-c", script, try save("k.pub", pair.publicKeyPEM),
                                                            try save("sig.der", signature), try save("payload", payload)])
        #expect(result.stdoutText == "ok\n", "\(result.stderrText)")
    }

    @Test("the passphrase reaches openssl outside its argv")
    func passphraseNotInArguments() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A wrapper that records its arguments, then runs the real openssl with them.
        let log = folder + "/argv.log"
        let real = try ToolRunner().resolve("openssl", installHint: "")
        let wrapper = folder + "/openssl"
        // Written by a child process: an fd this process opened could leak into a concurrent test's spawn and make
        // exec fail with "Text file busy".
        let script = "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '\(log)'\nexec '\(real)' \"$@\"\n"
        try await ToolRunner().run("sh", ["-c", "cat > \"$0\" && chmod 755 \"$0\"", wrapper],
                                   options: ToolRunOptions(stdin: Data(script.utf8))).checked()
        let wrapped = try OpenSSL(path: wrapper)
        let secret = "pass-\(UUID().uuidString)"
        let pair = try await KeyPairGenerator.ecdsaP256(wrapped, passphrase: Passphrase(secret))
        let signer = try Signer(keyPath: try save("w.key", pair.privateKeyPEM), passphrase: Passphrase(secret),
                                passphraseVariable: "X", openssl: wrapped)
        _ = try await signer.sign(Data("x".utf8))
        let recorded = try String(contentsOfFile: log, encoding: .utf8)
        #expect(recorded.contains("genpkey") && recorded.contains("dgst"))
        #expect(!recorded.contains(secret))
        #expect(!"\(Passphrase(secret)!)".contains(secret))
    }

    @Test("refusals: encrypted key without or with the wrong passphrase, a public key to sign with, a private key to verify with")
    func refusals() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let pair = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: Passphrase("right"))
        let keyPath = try save("e.key", pair.privateKeyPEM)
        let pubPath = try save("e.pub", pair.publicKeyPEM)
        #expect(throws: CryptoError.passphraseRequired(key: keyPath, variable: "CONTSEC_SIGNING_PASSWORD")) {
            try Signer(keyPath: keyPath, passphrase: nil, passphraseVariable: "CONTSEC_SIGNING_PASSWORD", openssl: openssl)
        }
        let wrong = try Signer(keyPath: keyPath, passphrase: Passphrase("wrong", origin: "CONTSEC_SIGNING_PASSWORD"),
                               passphraseVariable: "CONTSEC_SIGNING_PASSWORD", openssl: openssl)
        await #expect(throws: CryptoError.wrongPassphrase(key: keyPath, variable: "CONTSEC_SIGNING_PASSWORD")) {
            try await wrong.sign(Data("x".utf8))
        }
        #expect(throws: CryptoError.self) { try Signer(keyPath: pubPath, passphrase: nil, passphraseVariable: "X", openssl: openssl) }
        await #expect(throws: CryptoError.self) { try await SignatureVerifier(publicKeyPath: keyPath, openssl: openssl) }
        let junk = try save("junk.pub", Data("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n".utf8))
        await #expect(throws: CryptoError.self) { try await SignatureVerifier(publicKeyPath: junk, openssl: openssl) }
        #expect(throws: CryptoError.self) { try PEMFile(path: folder + "/missing.pub") }
    }

    @Test("openssl missing: a clear error saying how to install it")
    func opensslMissing() throws {
        do {
            _ = try OpenSSL(path: "/nonexistent/openssl")
            Issue.record("no error")
        } catch let error as CryptoError {
            #expect(error.description.contains("openssl is not installed"))
            #expect(error.description.contains("apt-get install openssl"))
        }
        #expect(throws: CryptoError.self) { try OpenSSL(environment: ["CONTSEC_OPENSSL": "/nonexistent/openssl", "PATH": "/usr/bin"]) }
        #expect(throws: CryptoError.self) { try OpenSSL(environment: ["PATH": "/nonexistent"]) }
    }
}
