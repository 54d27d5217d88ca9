import Foundation
import CryptoTools
import RegistryClient

/// Audits a registry from the outside, as an anonymous client and over TLS: what it lets anyone do, and how its
/// certificate looks. Every probe is harmless: the push probe opens an upload and cancels it, the delete probe asks
/// to delete a digest that cannot exist.
public struct RegistryAudit: Sendable {
    public struct Report: Sendable {
        public var issues: [AuditIssue] = []
        public var scheme = ""
        /// Probe name → what happened, for the summary and table.
        public var observations: [(probe: String, result: String)] = []
    }

    let registry: String
    let anonymous: RegistryClient
    let openssl: OpenSSL?
    let probeRepository: String

    /// - Parameters:
    ///   - anonymous: a client with no credentials for the registry.
    ///   - openssl: for reading the TLS certificate; nil skips those checks.
    public init(registry: String, anonymous: RegistryClient, openssl: OpenSSL?) {
        self.registry = registry
        self.anonymous = anonymous
        self.openssl = openssl
        probeRepository = "contsec-audit-probe-\(UUID().uuidString.prefix(8).lowercased())/probe"
    }

    /// - Parameters:
    ///   - knownRepository: a repository to try an anonymous pull of (else the catalog's first, if readable).
    ///   - probeWrites: open (and cancel) an anonymous upload; off under --dry-run, which changes nothing at all.
    public func run(knownRepository: String?, probeWrites: Bool, now: Date = Date()) async throws -> Report {
        var report = Report()
        let base: String
        do {
            base = try await anonymous.baseURL()
        } catch RegistryError.tlsUntrusted(_, let detail) {
            // The certificate is the finding; what lies behind it cannot be probed without trusting it.
            report.scheme = "https"
            report.issues.append(AuditRule.issue(AuditRule.untrustedCertificate, "the TLS handshake with \(registry) failed: \(detail)"))
            report.observations.append(("transport", "HTTPS with an untrusted certificate; HTTP probes skipped"))
            if let openssl { try await certificateChecks(openssl, into: &report, now: now) }
            return report
        }
        report.scheme = String(base.prefix { $0 != ":" })
        if report.scheme == "http" {
            if anonymous.isLoopback {
                report.observations.append(("transport", "plain HTTP on loopback (reachable from this machine only)"))
            } else {
                report.issues.append(AuditRule.issue(AuditRule.plainHTTP, "\(base)/v2/ answers over plain HTTP"))
                report.observations.append(("transport", "plain HTTP"))
            }
        } else {
            report.observations.append(("transport", "HTTPS"))
            if let openssl { try await certificateChecks(openssl, into: &report, now: now) }
        }

        // Reads: /v2/ itself, the catalog, a repository's tags.
        var catalog: [String] = []
        do {
            catalog = try await anonymous.catalog(limit: 10)
            report.issues.append(AuditRule.issue(AuditRule.openCatalog,
                "GET \(base)/v2/_catalog without credentials answered 200 (\(catalog.count) repositories on the first page)"))
            report.observations.append(("catalog", "open"))
        } catch let error as RegistryError where Self.isRefusal(error) {
            report.observations.append(("catalog", "refused without credentials"))
        }
        do {
            _ = try await anonymous.ping()
            if let repository = knownRepository ?? catalog.first {
                do {
                    let tags = try await anonymous.tags(repository)
                    report.issues.append(AuditRule.issue(AuditRule.anonymousPull,
                        "GET \(base)/v2/\(repository)/tags/list without credentials answered 200 (\(tags.count) tags)"))
                } catch let error as RegistryError where Self.isRefusal(error) {
                    report.observations.append(("pull", "repository \(repository) refused without credentials"))
                }
            } else {
                report.issues.append(AuditRule.issue(AuditRule.anonymousPull,
                    "GET \(base)/v2/ without credentials answered 200: the registry asks for no authentication at all"))
            }
            report.observations.append(("pull", report.issues.contains { $0.ruleId == AuditRule.anonymousPull.0 } ? "anonymous" : "authenticated"))
        } catch let error as RegistryError where Self.isRefusal(error) {
            report.observations.append(("pull", "authentication required"))
        }

        // Writes: an anonymous upload, cancelled at once.
        if probeWrites {
            do {
                let location = try await anonymous.openUpload(probeRepository)
                try? await anonymous.cancelUpload(probeRepository, location: location)
                report.issues.append(AuditRule.issue(AuditRule.anonymousPush,
                    "POST \(base)/v2/\(probeRepository)/blobs/uploads/ without credentials answered 202 (upload opened, then cancelled)"))
                report.observations.append(("push", "anonymous"))
            } catch let error as RegistryError where Self.isRefusal(error) {
                report.observations.append(("push", "authentication required"))
            }
        } else {
            report.observations.append(("push", "not probed (dry run)"))
        }

        // Deletes: a digest that cannot exist, so nothing can be deleted; the status tells whether deletes are on.
        let impossible = Digest(of: Data("contsec audit probe \(probeRepository)".utf8))
        do {
            try await anonymous.deleteManifest(probeRepository, digest: impossible)
            report.issues.append(AuditRule.issue(AuditRule.anonymousDelete,
                "DELETE \(base)/v2/\(probeRepository)/manifests/\(impossible) without credentials was accepted"))
            report.observations.append(("delete", "enabled, anonymous"))
        } catch let error as RegistryError {
            switch error {
            case .deleteDisabled: report.observations.append(("delete", "disabled"))
            case .notFound:
                report.issues.append(AuditRule.issue(AuditRule.anonymousDelete,
                    "DELETE \(base)/v2/\(probeRepository)/manifests/\(impossible.short)… without credentials reached the store (404 for a digest that cannot exist, not 401 or 405)"))
                report.observations.append(("delete", "enabled, anonymous"))
            case _ where Self.isRefusal(error): report.observations.append(("delete", "authentication required"))
            default: throw error
            }
        }
        return report
    }

    /// The server's certificate, read with `openssl s_client`, judged for expiry, self-signing and weak keys.
    func certificateChecks(_ openssl: OpenSSL, into report: inout Report, now: Date) async throws {
        var host = anonymous.apiHost
        if !host.contains(":") { host += ":443" }
        let serverName = String(host[..<host.lastIndex(of: ":")!])
        let result = try await openssl.runRaw(["s_client", "-connect", host, "-servername", serverName, "-showcerts"],
                                              stdin: Data(), timeout: 20)
        let text = result.stdoutText
        guard let begin = text.range(of: "-----BEGIN CERTIFICATE-----"),
              let end = text.range(of: "-----END CERTIFICATE-----", range: begin.upperBound..<text.endIndex) else {
            report.observations.append(("certificate", "could not be read (\(OpenSSL.errorDetail(result)))"))
            return
        }
        let pem = Data(text[begin.lowerBound..<end.upperBound].utf8)
        let info = try await CertificateInspector(openssl: openssl).inspect(pem, name: "the certificate of \(registry)")
        let days = info.daysUntilExpiry(now: now)
        report.observations.append(("certificate", "\(info.subject), expires \(info.notAfter) (\(days) days)"))
        if days < 30 {
            report.issues.append(AuditRule.issue(AuditRule.certificateExpiring,
                days < 0 ? "the certificate of \(registry) (\(info.subject)) expired \(-days) days ago, on \(info.notAfter)"
                         : "the certificate of \(registry) (\(info.subject)) expires in \(days) days, on \(info.notAfter)",
                severity: days < 0 ? .critical : .high))
        }
        if info.subject == info.issuer {
            report.issues.append(AuditRule.issue(AuditRule.selfSigned,
                "the certificate of \(registry) is issued by itself (subject = issuer = \(info.subject); sha256 \(info.sha256Fingerprint))"))
        }
        if let weakness = info.weakness {
            report.issues.append(AuditRule.issue(AuditRule.weakCertificate, "the certificate of \(registry): \(weakness)"))
        }
    }

    /// Errors that mean "the registry said no" rather than "something broke".
    static func isRefusal(_ error: RegistryError) -> Bool {
        switch error {
        case .authenticationRequired, .authenticationFailed, .denied, .credentialHelper: return true
        default: return false
        }
    }
}
