import Foundation
import Testing
import RegistryTestSupport

/// audit through the CLI against the open registry, the auth+TLS registry, and one started here with a certificate
/// that expires in 10 days and is trusted by nobody.
@Suite("registry plugin: audit", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct AuditTests {
    func ruleIds(_ run: ContsecRun.Output) -> Set<String> { Set(run.findings.compactMap { $0["ruleId"] as? String }) }

    @Test("the open registry: anonymous pull, push, catalog and delete; no plain-HTTP finding on loopback")
    func openRegistry() throws {
        let workspace = try RegistryTestEnvironment.temporaryFolder("audit")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try ContsecRun.registry(["audit", "--registry", RegistryTestEnvironment.registry], workspace: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(ruleIds(run) == ["REG-AUD-002", "REG-AUD-003", "REG-AUD-004", "REG-AUD-007"])
        let push = run.findings.first { $0["ruleId"] as? String == "REG-AUD-003" }
        #expect(push?["severity"] as? String == "critical")
        #expect(((push?["target"] as? [String: Any])?["name"] as? String) == RegistryTestEnvironment.registry)
        #expect((push?["message"] as? String)?.contains("answered 202") == true)

        let dry = try ContsecRun.registry(["audit", "--registry", RegistryTestEnvironment.registry], workspace: workspace, global: ["--dry-run"])
        #expect(!ruleIds(dry).contains("REG-AUD-003"))
    }

    @Test("the auth+TLS registry: only the self-signed certificate", .enabled(if: RegistryTestEnvironment.authShouldRun))
    func authRegistry() throws {
        let workspace = try RegistryTestEnvironment.temporaryFolder("audit-auth")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let run = try ContsecRun.registry(["audit", "--registry", RegistryTestEnvironment.authRegistry], workspace: workspace)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(ruleIds(run) == ["REG-AUD-006"])
        #expect(run.summary["scheme"] as? String == "https")
    }

    @Test("a certificate expiring in 10 days and trusted by nobody")
    func expiringCertificate() throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("audit-tls")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let openssl = try runCommand("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                 "-days", "10", "-subj", "/CN=short-lived", "-addext", "subjectAltName=IP:127.0.0.1",
                                                 "-keyout", folder + "/key.pem", "-out", folder + "/cert.pem"])
        #expect(openssl.status == 0)
        let (registry, address) = try ThrowawayRegistry.start(in: folder) { address in
            """
            version: 0.1
            log: {level: error}
            storage: {filesystem: {rootdirectory: \(folder)/data}}
            http: {addr: \(address), tls: {certificate: \(folder)/cert.pem, key: \(folder)/key.pem}}
            """
        }
        defer { registry.stop() }
        let run = try ContsecRun.registry(["audit", "--registry", address], workspace: folder)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(ruleIds(run) == ["REG-AUD-005", "REG-AUD-006", "REG-AUD-009"])
        let expiry = run.findings.first { $0["ruleId"] as? String == "REG-AUD-005" }
        #expect(expiry?["severity"] as? String == "high")
        #expect((expiry?["message"] as? String)?.contains("expires in 9 days") == true || (expiry?["message"] as? String)?.contains("expires in 10 days") == true)
    }
}
