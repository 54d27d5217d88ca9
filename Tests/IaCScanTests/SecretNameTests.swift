import Testing
@testable import IaCScan

/// Which variable names count as secrets (CS-DF-007/008, CS-DC env, CS-K8S-022), against Trivy's DS031 as the
/// reference. The Trivy column was read from `trivy config` 0.76 (embedded checks) on a Dockerfile that sets each
/// name: `DS-0031 Possible exposure of secret env "NAME"` appears for exactly the names marked `trivy: true`.
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

    /// Flags are not secrets: `APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1` (Trivy flags the name) sets apt's behaviour.
    @Test func switchValuesAreNotSecrets() {
        for v in ["1", "0", "true", "False", "yes", "no", "on", "off"] { #expect(!Heuristics.isLiteralSecretValue(v), "\(v)") }
        for v in ["hunter2", "12345678", "dev-token-123"] { #expect(Heuristics.isLiteralSecretValue(v), "\(v)") }
        for v in ["$API_TOKEN", "${API_TOKEN}", ""] { #expect(!Heuristics.isLiteralSecretValue(v), "\(v)") }
    }
}
