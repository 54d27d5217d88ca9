import Foundation
import ContsecProtocol

/// One thing the audit found about a registry, before it becomes a Finding.
public struct AuditIssue: Sendable, Equatable {
    public let ruleId: String
    public let title: String
    public let severity: Severity
    /// What was observed (the request and its answer), so the finding can be checked by hand.
    public let evidence: String
    public let remediation: String
}

/// The audit's rules: id, title, severity, remediation.
public enum AuditRule {
    public static let plainHTTP = ("REG-AUD-001", "Registry serves plain HTTP on a non-loopback address", Severity.high,
        "Serve the registry over TLS (http.tls in its configuration) or bind it to loopback only")
    public static let anonymousPull = ("REG-AUD-002", "Anonymous pull allowed", Severity.medium,
        "Require authentication for reads (auth: htpasswd or token in the registry configuration) unless the images are meant to be public")
    public static let anonymousPush = ("REG-AUD-003", "Anonymous push allowed", Severity.critical,
        "Require authentication for writes: anyone who can reach the registry can replace images")
    public static let openCatalog = ("REG-AUD-004", "Repository catalog listable without credentials", Severity.medium,
        "Require authentication for /v2/_catalog so repository names do not leak")
    public static let certificateExpiring = ("REG-AUD-005", "TLS certificate expires soon", Severity.high,
        "Renew the registry's certificate before it expires; clients refuse an expired one")
    public static let selfSigned = ("REG-AUD-006", "TLS certificate is self-signed", Severity.medium,
        "Use a certificate from a CA the clients trust (an internal CA is fine); a self-signed one teaches users to skip verification")
    public static let anonymousDelete = ("REG-AUD-007", "Deletes enabled without authentication", Severity.high,
        "Require authentication (deletes are allowed by storage.delete.enabled), or disable deletes if retention is not needed")
    public static let weakCertificate = ("REG-AUD-008", "TLS certificate uses a weak key or signature", Severity.medium,
        "Re-issue the certificate with an ECDSA P-256 or RSA 2048+ key and a SHA-256 signature")

    public static let untrustedCertificate = ("REG-AUD-009", "TLS certificate not trusted by this machine", Severity.high,
        "Use a certificate from a CA the clients trust, or install the registry's CA where clients look (the system store, /etc/docker/certs.d/HOST:PORT/ca.crt)")

    static func issue(_ rule: (String, String, Severity, String), _ evidence: String, severity: Severity? = nil) -> AuditIssue {
        AuditIssue(ruleId: rule.0, title: rule.1, severity: severity ?? rule.2, evidence: evidence, remediation: rule.3)
    }
}
