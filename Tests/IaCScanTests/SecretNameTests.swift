import ContsecProtocol
import Foundation
import Testing
@testable import IaCScan

/// Which variable names count as secrets (CS-DF-007/008, CS-DC env, CS-K8S-022), against Trivy's DS031 as the
/// reference. The Trivy column is what `trivy config` 0.76 (embedded checks) reports on a Dockerfile that sets each
/// name (`DS-0031 Possible exposure of secret env "NAME"`); `theTrivyColumnIsWhatTrivySays` runs it again.
@Suite struct SecretNameTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String, trivy: Bool, ours: Bool
        var testDescription: String { name }
    }

    /// Where both agree: a `_`-separated word key/token/secret/password/auth/credentials, or a well-known name.
    static let agreed: [Case] = [
        Case(name: "LICENSE_KEY", trivy: true, ours: true),
        Case(name: "AUTH_TOKEN", trivy: true, ours: true),
        Case(name: "SECRET_KEY_BASE", trivy: true, ours: true),
        Case(name: "AWS_ACCESS_KEY_ID", trivy: true, ours: true),
        Case(name: "GH_TOKEN", trivy: true, ours: true),
        Case(name: "MY_CREDENTIALS", trivy: true, ours: true),
        Case(name: "NPM_AUTH", trivy: true, ours: true),
        Case(name: "NPM_TOKEN", trivy: true, ours: true),
        Case(name: "OPENAI_API_KEY", trivy: true, ours: true),
        Case(name: "SIGNING_KEY", trivy: true, ours: true),
        Case(name: "SSH_PRIVATE_KEY", trivy: true, ours: true),
        Case(name: "ENCRYPTION_KEY", trivy: true, ours: true),
        Case(name: "CACHE_KEY", trivy: true, ours: true),
        Case(name: "PUBLIC_KEY", trivy: false, ours: false),
        Case(name: "KEYCLOAK_URL", trivy: false, ours: false),
        Case(name: "MONKEY", trivy: false, ours: false),
        Case(name: "SENTRY_DSN_URL", trivy: false, ours: false),
        Case(name: "BUILD_VERSION", trivy: false, ours: false),
    ]

    /// Deliberate differences (README "How rules read a Dockerfile"): compounds and short spellings Trivy misses,
    /// and names that point at or describe a secret (or are GPG key ids) that Trivy flags.
    static let differing: [Case] = [
        Case(name: "DBPASSWORD", trivy: false, ours: true),
        Case(name: "DB_PASS", trivy: false, ours: true),
        Case(name: "DB_PWD", trivy: false, ours: true),
        Case(name: "PASSPHRASE", trivy: false, ours: true),
        Case(name: "GITHUBTOKEN", trivy: false, ours: true),
        Case(name: "API_KEY_FILE", trivy: true, ours: false),
        Case(name: "GPG_KEY", trivy: true, ours: false),
        Case(name: "PASSWORD_LENGTH", trivy: true, ours: false),
        Case(name: "TOKEN_TTL", trivy: true, ours: false),
    ]

    @Test(arguments: agreed + differing)
    func secretNames(_ c: Case) {
        #expect(Heuristics.looksLikeSecretName(c.name) == c.ours)
    }

    @Test func agreedCasesAreAgreed() {
        #expect(Self.agreed.allSatisfy { $0.trivy == $0.ours })
    }

    @Test func theTrivyColumnIsWhatTrivySays() async throws {
        guard let trivy = TrivyConfig.locate() else { return }
        let dir = NSTemporaryDirectory() + "contsec-iacscan-ds031-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases = Self.agreed + Self.differing
        let dockerfile = "FROM alpine:3.20\n" + cases.map { "ENV \($0.name)=example-value\n" }.joined() + "USER 1000\n"
        try dockerfile.write(toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        let report = try await TrivyConfig.run(trivy, on: dir)
        var flagged = Set<String>()
        for r in report["Results"]?.arrayValue ?? [] {
            for m in r["Misconfigurations"]?.arrayValue ?? [] where m["ID"]?.stringValue == "DS-0031" {
                // Message: Possible exposure of secret env "NAME" in ENV
                let parts = (m["Message"]?.stringValue ?? "").split(separator: "\"")
                if parts.count >= 2 { flagged.insert(String(parts[1])) }
            }
        }
        #expect(flagged == Set(cases.filter(\.trivy).map(\.name)))
    }

    /// Flags are not secrets: `APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1` (Trivy flags the name) sets apt's behaviour.
    @Test func switchValuesAreNotSecrets() {
        for v in ["1", "0", "true", "False", "yes", "no", "on", "off"] { #expect(!Heuristics.isLiteralSecretValue(v), "\(v)") }
        for v in ["hunter2", "12345678", "dev-token-123"] { #expect(Heuristics.isLiteralSecretValue(v), "\(v)") }
        for v in ["$API_TOKEN", "${API_TOKEN}", ""] { #expect(!Heuristics.isLiteralSecretValue(v), "\(v)") }
    }
}
