import Foundation
import ContsecProtocol
import CryptoTools

/// Judges an existing certificate: expired or expiring, weak key, no SANs, missing TLS usages.
public struct CertificateAudit: Sendable {
    public var renewWithinDays: Int
    public var now: Date

    public init(renewWithinDays: Int, now: Date = Date()) { self.renewWithinDays = renewWithinDays; self.now = now }

    /// Problems as findings about the file `path` (relative to the workspace).
    public func findings(_ info: CertificateInfo, path: String, isCA: Bool) -> [Finding] {
        var out: [Finding] = []
        let name = info.commonName ?? path
        func make(_ rule: String, _ severity: Severity, _ title: String, _ message: String, _ fix: String) {
            out.append(Finding(ruleId: rule, title: title, severity: severity, category: .network,
                               target: Target(kind: "file", name: path, file: path),
                               message: message, remediation: fix,
                               references: ["https://www.rfc-editor.org/rfc/rfc5280"],
                               properties: ["subject": .string(info.subject), "notAfter": .string(Self.day(info.notAfter)),
                                            "sha256": .string(info.sha256Fingerprint)]))
        }
        let days = info.daysUntilExpiry(now: now)
        let regenerate = isCA ? "run generate-mtls with --rotate-ca (re-issues every service certificate)"
                              : "run generate-mtls for it (it re-issues certificates within --renew-within days of expiry)"
        if info.notAfter <= now {
            make("NP-MTLS-001", .high, "Certificate has expired", "\(name) expired on \(Self.day(info.notAfter)); TLS peers reject it.", regenerate.prefix(1).uppercased() + regenerate.dropFirst() + ".")
        } else if days < renewWithinDays {
            make("NP-MTLS-002", .medium, "Certificate expires soon", "\(name) expires on \(Self.day(info.notAfter)), in \(days) days (renewal window \(renewWithinDays) days).", regenerate.prefix(1).uppercased() + regenerate.dropFirst() + ".")
        }
        if let weakness = info.weakness {
            make("NP-MTLS-003", .high, "Certificate uses a weak key or signature", "\(name): \(weakness).", "Re-issue it with an ECDSA P-256 key (generate-mtls does).")
        }
        if !isCA && info.dnsNames.isEmpty && info.ipAddresses.isEmpty {
            make("NP-MTLS-004", .medium, "Certificate has no subject alternative names",
                 "\(name) names no DNS name or IP address in subjectAltName; TLS clients check SANs, not the common name, so connections to it fail verification.",
                 "Re-issue it with the service name and its aliases as DNS SANs.")
        }
        if !isCA && !(info.hasServerAuth && info.hasClientAuth) {
            let missing = [info.hasServerAuth ? nil : "serverAuth", info.hasClientAuth ? nil : "clientAuth"].compactMap { $0 }
            make("NP-MTLS-005", .low, "Certificate cannot serve both ends of mutual TLS",
                 "\(name) lacks extendedKeyUsage \(missing.joined(separator: " and ")); in mutual TLS each service is both server and client.",
                 "Re-issue it with extendedKeyUsage serverAuth,clientAuth.")
        }
        return out
    }

    static func day(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: d)
    }
}
