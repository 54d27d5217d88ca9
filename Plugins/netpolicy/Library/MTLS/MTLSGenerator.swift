import Foundation
import ContainerKit
import ContsecProtocol
import CryptoTools

/// `generate-mtls`: a CA (key 0600) and one certificate per service through openssl — ECDSA P-256, SANs for the
/// service name and its aliases, serverAuth and clientAuth, 90 days by default. A certificate that is valid for
/// longer than `renewWithinDays`, signed by the current CA and naming every wanted SAN is kept; anything else is
/// re-issued with a new key. Existing certificates with problems (expiry, weak keys, no SANs) are reported.
public struct MTLSGenerator: Sendable {
    public struct Request: Sendable {
        public var service: String
        /// DNS SANs besides the service name (network aliases, Kubernetes service names).
        public var dnsNames: [String]
        public var ipAddresses: [String]
        public init(service: String, dnsNames: [String] = [], ipAddresses: [String] = []) {
            self.service = service; self.dnsNames = dnsNames; self.ipAddresses = ipAddresses
        }
        /// The service name first, then the rest, without repeats.
        public var allDNSNames: [String] {
            var out = [service]
            for n in dnsNames where !out.contains(n) { out.append(n) }
            return out
        }
    }

    public var layout: MTLSLayout
    public var validityDays: Int
    public var caValidityDays: Int
    public var renewWithinDays: Int
    public var caPassphrase: Passphrase?
    public var rotateCA: Bool
    public var now: Date

    public init(layout: MTLSLayout = MTLSLayout(), validityDays: Int = 90, caValidityDays: Int = 365,
                renewWithinDays: Int = 30, caPassphrase: Passphrase? = nil, rotateCA: Bool = false, now: Date = Date()) {
        self.layout = layout; self.validityDays = validityDays; self.caValidityDays = caValidityDays
        self.renewWithinDays = renewWithinDays; self.caPassphrase = caPassphrase; self.rotateCA = rotateCA; self.now = now
    }

    public struct Result: Sendable {
        public var caCreated = false
        public var issued: [String] = []
        public var kept: [String] = []
        /// Service → expiry (yyyy-MM-dd) of its certificate after the run.
        public var expiry: [String: String] = [:]
    }

    public func run(_ requests: [Request], writer: ConfinedWriter, openssl: OpenSSL, dryRun: Bool,
                    report: Reporter) async throws -> Result {
        guard (1...825).contains(validityDays) else {
            throw NetPolicyError.invalidParameter(param: "days", message: "\(validityDays) is outside 1-825 (browsers and most TLS stacks refuse longer leaf certificates)")
        }
        guard renewWithinDays >= 0, renewWithinDays < validityDays else {
            throw NetPolicyError.invalidParameter(param: "renew-within", message: "must be 0 or more and below --days (\(validityDays)), or every run would re-issue")
        }
        let inspector = CertificateInspector(openssl: openssl)
        let issuer = CertificateIssuer(openssl: openssl)
        let audit = CertificateAudit(renewWithinDays: renewWithinDays, now: now)
        var result = Result()
        let root = writer.root

        // 1. The CA.
        let caKeyPath = root + "/" + layout.caKey, caCertPath = root + "/" + layout.caCert
        var caInfo: CertificateInfo?
        let caExists = FileManager.default.fileExists(atPath: caCertPath) && FileManager.default.fileExists(atPath: caKeyPath)
        if caExists {
            try checkPrivate(caKeyPath, name: layout.caKey, report: report)
            let info = try await inspector.inspect(Data(contentsOf: URL(fileURLWithPath: caCertPath)), name: layout.caCert)
            caInfo = info
            for f in audit.findings(info, path: layout.caCert, isCA: true) where !rotateCA { report.finding(f) }
        }
        var caChanged = false
        if !caExists || rotateCA || (caInfo.map { $0.notAfter <= now } ?? false) {
            if caExists && !rotateCA {
                throw NetPolicyError.precondition("the CA certificate \(layout.caCert) has expired: run generate-mtls with --rotate-ca to make a new CA and re-issue every service certificate")
            }
            caChanged = true
            let detail = "ECDSA P-256 CA 'contsec mTLS CA', \(caValidityDays) days\(caPassphrase != nil ? ", key encrypted" : "")\(rotateCA && caExists ? " (rotated)" : "")"
            if dryRun {
                report.action(Action(kind: "key-generated", target: layout.caKey, status: .planned, detail: detail))
                report.action(Action(kind: "file-written", target: layout.caCert, status: .planned, detail: detail))
            } else {
                let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: caPassphrase)
                let cert = try await issuer.createAuthority(commonName: "contsec mTLS CA", validityDays: caValidityDays,
                                                            key: key.privateKeyPEM, keyPassphrase: caPassphrase)
                let k = try writer.writeSecret(layout.caKey, key.privateKeyPEM)
                let c = try writer.write(layout.caCert, cert, mode: 0o644, directoryMode: 0o700)
                report.action(Action(kind: "key-generated", target: layout.caKey, status: .applied, detail: detail + ", mode 0600", artifacts: [k.path]))
                report.action(Action(kind: "file-written", target: layout.caCert, status: .applied, detail: detail, artifacts: [c.path]))
            }
            result.caCreated = true
        }

        // 2. One certificate per service.
        for request in requests {
            let certRel = layout.cert(request.service), keyRel = layout.key(request.service)
            let certPath = root + "/" + certRel
            let profile = CertificateProfile(commonName: request.service, dnsNames: request.allDNSNames,
                                             ipAddresses: request.ipAddresses, validityDays: validityDays)
            do { try profile.validate() } catch {
                throw NetPolicyError.invalidParameter(param: "alias", message: "\(request.service): \(error)")
            }
            var reason = "no certificate yet"
            if FileManager.default.fileExists(atPath: certPath) {
                let info = try await inspector.inspect(Data(contentsOf: URL(fileURLWithPath: certPath)), name: certRel)
                let problems = audit.findings(info, path: certRel, isCA: false)
                let missingSANs = Set(request.allDNSNames).subtracting(info.dnsNames).sorted()
                    + Set(request.ipAddresses).subtracting(info.ipAddresses).sorted()
                var chainOK = false
                if !caChanged { chainOK = try await inspector.verify(certificatePath: certPath, caPath: caCertPath).ok }
                if problems.isEmpty && missingSANs.isEmpty && chainOK {
                    try checkPrivate(root + "/" + keyRel, name: keyRel, report: report)
                    result.kept.append(request.service)
                    result.expiry[request.service] = CertificateAudit.day(info.notAfter)
                    report.action(Action(kind: "certificate-issued", target: certRel, status: .skipped,
                                         detail: "valid until \(CertificateAudit.day(info.notAfter)) (\(info.daysUntilExpiry(now: now)) days), outside the \(renewWithinDays)-day renewal window"))
                    continue
                }
                if dryRun { for f in problems { report.finding(f) } }
                reason = problems.first.map { $0.title.lowercased() }
                    ?? (!missingSANs.isEmpty ? "missing SANs \(missingSANs.joined(separator: ", "))" : "not signed by the current CA")
            }
            let detail = "ECDSA P-256, \(validityDays) days, SANs \((profile.dnsNames + profile.ipAddresses).joined(separator: ",")), serverAuth+clientAuth (\(reason))"
            if dryRun {
                report.action(Action(kind: "certificate-issued", target: certRel, status: .planned, detail: detail))
                result.issued.append(request.service)
                continue
            }
            let key = try await KeyPairGenerator.ecdsaP256(openssl, passphrase: nil)
            let cert = try await issuer.issue(profile, key: key.privateKeyPEM, caCertificatePath: caCertPath, caKeyPath: caKeyPath,
                                              caKeyPassphrase: caPassphrase)
            let k = try writer.writeSecret(keyRel, key.privateKeyPEM)
            let c = try writer.write(certRel, cert, mode: 0o644, directoryMode: 0o700)
            let ca = try writer.write(layout.caCopy(request.service), Data(contentsOf: URL(fileURLWithPath: caCertPath)), mode: 0o644, directoryMode: 0o700)
            let info = try await inspector.inspect(cert, name: certRel)
            result.issued.append(request.service)
            result.expiry[request.service] = CertificateAudit.day(info.notAfter)
            report.action(Action(kind: "certificate-issued", target: certRel, status: .applied, detail: detail,
                                 artifacts: [k.path, c.path, ca.path]))
        }
        return result
    }

    /// A private key readable by others is a finding, never silently fixed (someone may rely on the mode).
    func checkPrivate(_ path: String, name: String, report: Reporter) throws {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue else { return }
        if mode & 0o077 != 0 {
            report.finding(Finding(ruleId: "NP-MTLS-006", title: "Private key is readable by other users", severity: .high,
                                   category: .secret, target: Target(kind: "file", name: name, file: name),
                                   message: "\(name) has mode \(String(mode & 0o777, radix: 8)); a private key must be 0600.",
                                   remediation: "chmod 600 \(name)"))
        }
    }
}
