import Foundation
import Testing
import ContainerKit
import CryptoTools
@testable import NetPolicy

/// generate-mtls with the real openssl, and real mutual-TLS handshakes on 127.0.0.1.
@Suite(.serialized) struct MTLSTests {
    @Test func issuesAChainOpenSSLAcceptsAndAHandshakeNeedsIt() async throws {
        let ws = TestWorkspace()
        let openssl = try OpenSSL()
        let layout = MTLSLayout()
        let collected = Collected()
        let result = try await MTLSGenerator().run(
            [.init(service: "api", dnsNames: ["api.backend", "api.shop.svc"]), .init(service: "web")],
            writer: ws.writer(), openssl: openssl, dryRun: false, report: collected.reporter)
        #expect(result.caCreated && result.issued == ["api", "web"])
        #expect(ws.mode(layout.caKey) == 0o600 && ws.mode(layout.key("api")) == 0o600 && ws.mode(layout.key("web")) == 0o600)
        #expect(ws.mode(layout.cert("api")) == 0o644)
        #expect(collected.findings.isEmpty)

        let inspector = CertificateInspector(openssl: openssl)
        let api = try await inspector.inspect(Data(contentsOf: URL(fileURLWithPath: ws.path + "/" + layout.cert("api"))))
        #expect(api.dnsNames == ["api", "api.backend", "api.shop.svc"])
        #expect(api.hasServerAuth && api.hasClientAuth && !api.isCA)
        #expect(api.keyAlgorithm == "EC" && api.curve == "P-256")
        #expect(api.notAfter.timeIntervalSince(api.notBefore) == 90 * 86_400)
        for service in ["api", "web"] {
            let verify = try await inspector.verify(certificatePath: ws.path + "/" + layout.cert(service), caPath: ws.path + "/" + layout.caCopy(service))
            #expect(verify.ok, "\(verify.reason ?? "")")
        }

        // A second CA, and a "web" certificate from it, for the impostor case.
        let rogueDir = TestWorkspace()
        _ = try await MTLSGenerator().run([.init(service: "web")], writer: rogueDir.writer(), openssl: openssl, dryRun: false, report: Collected().reporter)

        let w = ws.path + "/" + layout.dir
        let good = try await handshake(server: (w + "/api/api.crt", w + "/api/api.key"), ca: w + "/api/ca.crt",
                                       client: (w + "/web/web.crt", w + "/web/web.key"), name: "api")
        #expect(good.ok, "\(good.detail)")
        let anonymous = try await handshake(server: (w + "/api/api.crt", w + "/api/api.key"), ca: w + "/api/ca.crt", client: nil, name: "api")
        #expect(!anonymous.ok)
        #expect(anonymous.detail.contains("certificate required") || anonymous.detail.contains("did not return a certificate"), "\(anonymous.detail)")
        let r = rogueDir.path + "/" + layout.dir
        let impostor = try await handshake(server: (w + "/api/api.crt", w + "/api/api.key"), ca: w + "/api/ca.crt",
                                           client: (r + "/web/web.crt", r + "/web/web.key"), name: "api")
        #expect(!impostor.ok)
        #expect(impostor.detail.contains("unknown ca") || impostor.detail.contains("certificate verify failed"), "\(impostor.detail)")
    }

    @Test func renewsOnlyWhatIsCloseToExpiryAndReportsProblems() async throws {
        let ws = TestWorkspace()
        let openssl = try OpenSSL()
        let layout = MTLSLayout()
        _ = try await MTLSGenerator().run([.init(service: "api"), .init(service: "db")], writer: ws.writer(), openssl: openssl,
                                          dryRun: false, report: Collected().reporter)
        // db's certificate is replaced by one that expires in 5 days (same CA, same SANs).
        let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
        let short = try await CertificateIssuer(openssl: openssl).issue(
            CertificateProfile(commonName: "db", dnsNames: ["db"], validityDays: 5), key: key.privateKeyPEM,
            caCertificatePath: ws.path + "/" + layout.caCert, caKeyPath: ws.path + "/" + layout.caKey)
        try ws.writer().write(layout.cert("db"), short)
        try ws.writer().writeSecret(layout.key("db"), key.privateKeyPEM)
        let apiBefore = try Data(contentsOf: URL(fileURLWithPath: ws.path + "/" + layout.cert("api")))

        // Dry run: the expiring certificate is a finding and its renewal is planned; nothing changes.
        let dry = Collected()
        let planned = try await MTLSGenerator(renewWithinDays: 30).run([.init(service: "api"), .init(service: "db")],
                                                                       writer: ws.writer(dryRun: true), openssl: openssl, dryRun: true, report: dry.reporter)
        #expect(planned.issued == ["db"] && planned.kept == ["api"])
        #expect(dry.ruleIds == ["NP-MTLS-002"])
        #expect(dry.actions(.applied).isEmpty && dry.actions(.planned).map(\.target) == [layout.cert("db")])
        #expect(try Data(contentsOf: URL(fileURLWithPath: ws.path + "/" + layout.cert("db"))) == short)

        let run = Collected()
        let done = try await MTLSGenerator(renewWithinDays: 30).run([.init(service: "api"), .init(service: "db")],
                                                                    writer: ws.writer(), openssl: openssl, dryRun: false, report: run.reporter)
        #expect(done.issued == ["db"] && done.kept == ["api"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: ws.path + "/" + layout.cert("api"))) == apiBefore)
        let renewed = try await CertificateInspector(openssl: openssl).inspect(Data(contentsOf: URL(fileURLWithPath: ws.path + "/" + layout.cert("db"))))
        #expect(renewed.daysUntilExpiry() >= 89)

        // A new alias makes the certificate incomplete: re-issued with it.
        let alias = try await MTLSGenerator().run([.init(service: "api", dnsNames: ["api.internal"])], writer: ws.writer(),
                                                  openssl: openssl, dryRun: false, report: Collected().reporter)
        #expect(alias.issued == ["api"])
    }

    @Test func auditNamesWeakKeysMissingSANsAndUsages() async throws {
        let openssl = try OpenSSL()
        let key = try await openssl.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"], operation: "t")
        let cert = try await openssl.run(["req", "-new", "-x509", "-config", "/dev/null", "-key", "/dev/stdin", "-subj", "/CN=legacy",
                                          "-days", "400"], operation: "t", stdin: key)
        let info = try await CertificateInspector(openssl: openssl).inspect(cert)
        let findings = CertificateAudit(renewWithinDays: 30).findings(info, path: "legacy.crt", isCA: false)
        #expect(findings.map(\.ruleId) == ["NP-MTLS-003", "NP-MTLS-004", "NP-MTLS-005"])
        #expect(findings[0].message == "legacy: RSA key of 1024 bits (2048 is the minimum).")
        let expired = CertificateAudit(renewWithinDays: 30, now: info.notAfter.addingTimeInterval(60)).findings(info, path: "legacy.crt", isCA: false)
        #expect(expired.first?.ruleId == "NP-MTLS-001" && expired.first?.severity == .high)
    }

    /// `openssl s_server -Verify` (client certificate required) on a free 127.0.0.1 port, one `s_client` request.
    func handshake(server: (String, String), ca: String, client: (String, String)?, name: String) async throws -> (ok: Bool, detail: String) {
        // A port nothing on this machine listens on (other test runs share it).
        let listening = ((try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? "").uppercased()
        var port = Int.random(in: 20_000...45_000)
        while listening.contains(String(format: ":%04X ", port)) { port = Int.random(in: 20_000...45_000) }
        let runner = ToolRunner()
        async let serverRun = runner.run("openssl", ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", server.0, "-key", server.1,
                                                     "-CAfile", ca, "-Verify", "1", "-verify_return_error", "-naccept", "1", "-www"],
                                         options: ToolRunOptions(timeout: 20))
        // Wait until the port listens (reading /proc, so no connection is used up).
        let hexPort = String(format: ":%04X", port)
        for _ in 0..<100 {
            let table = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
            if table.split(separator: "\n").contains(where: { $0.contains("0100007F\(hexPort) ") && $0.contains(" 0A ") }) { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        var args = ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", ca, "-verify_return_error", "-verify_hostname", name,
                    "-servername", name, "-quiet"]
        if let client { args += ["-cert", client.0, "-key", client.1] }
        let c = try await runner.run("openssl", args, options: ToolRunOptions(stdin: Data("GET / HTTP/1.0\r\n\r\n".utf8), timeout: 10))
        let s = try await serverRun
        let ok = c.succeeded && c.stdoutText.hasPrefix("HTTP/1.0 200 ok")
        return (ok, c.stderrText + "\n" + s.stderrText)
    }
}
