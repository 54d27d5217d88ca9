import Foundation

/// What a certificate says about itself, as `openssl x509` reads it.
public struct CertificateInfo: Sendable, Equatable {
    /// RFC 2253 form, e.g. "CN=api".
    public var subject: String
    public var issuer: String
    /// Hex, upper case, as openssl prints it.
    public var serial: String
    /// SHA-256 fingerprint, hex pairs separated by colons.
    public var sha256Fingerprint: String
    public var notBefore: Date
    public var notAfter: Date
    public var dnsNames: [String]
    public var ipAddresses: [String]
    /// openssl's names: "TLS Web Server Authentication", "TLS Web Client Authentication"...
    public var extendedKeyUsages: [String]
    public var isCA: Bool
    /// "RSA", "EC", "ED25519", "ED448" or what openssl calls it.
    public var keyAlgorithm: String
    public var keyBits: Int
    /// "P-256" and the like for EC keys.
    public var curve: String?
    public var signatureAlgorithm: String

    public var commonName: String? {
        for part in subject.split(separator: ",") where part.hasPrefix("CN=") { return String(part.dropFirst(3)) }
        return nil
    }

    public var hasServerAuth: Bool { extendedKeyUsages.contains("TLS Web Server Authentication") }
    public var hasClientAuth: Bool { extendedKeyUsages.contains("TLS Web Client Authentication") }

    /// Whole days from `now` to expiry; negative once expired.
    public func daysUntilExpiry(now: Date = Date()) -> Int {
        Int((notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    /// Why the key is weak, or nil: RSA under 2048 bits, EC under 256, DSA at all, SHA-1 or MD5 signatures.
    public var weakness: String? {
        switch keyAlgorithm {
        case "RSA" where keyBits < 2048: return "RSA key of \(keyBits) bits (2048 is the minimum)"
        case "EC" where keyBits < 256: return "EC key of \(keyBits) bits (P-256 is the minimum)"
        case "DSA": return "DSA key (deprecated; use ECDSA P-256)"
        default: break
        }
        let sig = signatureAlgorithm.lowercased()
        if sig.contains("sha1") || sig.contains("md5") { return "signed with \(signatureAlgorithm)" }
        return nil
    }

    /// Parses the output of `openssl x509 -noout -serial -fingerprint -sha256 -dates -dateopt iso_8601 -text
    /// -certopt no_sigdump,no_validity,no_header -nameopt RFC2253` (see `CertificateInspector`).
    public init(opensslText text: String) throws {
        var fields: [String: String] = [:]
        var extensions: [String: String] = [:]
        var keyAlgorithm = "", signature = "", bits = 0
        var curve: String?
        let lines = text.split(whereSeparator: \.isNewline).map { String($0) }
        var i = 0
        while i < lines.count {
            let raw = lines[i]
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let eq = line.firstIndex(of: "="), !raw.hasPrefix(" "), !line.hasPrefix("X509v3") {
                fields[String(line[..<eq])] = String(line[line.index(after: eq)...])
            } else if line.hasPrefix("X509v3 "), line != "X509v3 extensions:", line.hasSuffix(":") || line.hasSuffix(": critical") {
                let name = line.replacingOccurrences(of: ": critical", with: ":").dropFirst(7).dropLast()
                let value = i + 1 < lines.count ? lines[i + 1].trimmingCharacters(in: .whitespaces) : ""
                extensions[String(name)] = value
                i += 1
            } else if line.hasPrefix("Issuer: ") {
                fields["issuer"] = String(line.dropFirst(8))
            } else if line.hasPrefix("Subject: ") {
                fields["subject"] = String(line.dropFirst(9))
            } else if line.hasPrefix("Public Key Algorithm: ") {
                keyAlgorithm = Self.keyAlgorithmName(String(line.dropFirst(22)))
            } else if line.hasPrefix("Signature Algorithm: "), signature.isEmpty {
                signature = String(line.dropFirst(21))
            } else if line.contains("Public-Key: ("), let open = line.firstIndex(of: "(") {
                bits = Int(line[line.index(after: open)...].prefix(while: \.isNumber)) ?? 0
            } else if line.hasPrefix("NIST CURVE: ") {
                curve = String(line.dropFirst(12))
            } else if line.hasPrefix("ASN1 OID: "), curve == nil {
                curve = String(line.dropFirst(10))
            }
            i += 1
        }
        guard let notBefore = fields["notBefore"].flatMap(Self.parseDate),
              let notAfter = fields["notAfter"].flatMap(Self.parseDate) else {
            throw CryptoError.invalidInput("openssl printed no readable validity dates")
        }
        subject = fields["subject"] ?? ""
        issuer = fields["issuer"] ?? ""
        serial = fields["serial"] ?? ""
        sha256Fingerprint = fields["sha256 Fingerprint"] ?? fields["SHA256 Fingerprint"] ?? ""
        self.notBefore = notBefore
        self.notAfter = notAfter
        var dns: [String] = [], ips: [String] = []
        for entry in (extensions["Subject Alternative Name"] ?? "").split(separator: ",") {
            let e = entry.trimmingCharacters(in: .whitespaces)
            if e.hasPrefix("DNS:") { dns.append(String(e.dropFirst(4))) }
            if e.hasPrefix("IP Address:") { ips.append(String(e.dropFirst(11))) }
        }
        dnsNames = dns
        ipAddresses = ips
        extendedKeyUsages = (extensions["Extended Key Usage"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        isCA = (extensions["Basic Constraints"] ?? "").contains("CA:TRUE")
        self.keyAlgorithm = keyAlgorithm
        keyBits = bits
        self.curve = curve
        signatureAlgorithm = signature
    }

    static func keyAlgorithmName(_ openssl: String) -> String {
        switch openssl {
        case "rsaEncryption", "rsassaPss": return "RSA"
        case "id-ecPublicKey": return "EC"
        case "dsaEncryption": return "DSA"
        default: return openssl.uppercased()
        }
    }

    /// "2027-03-01 22:32:57Z" (openssl's `-dateopt iso_8601`).
    static func parseDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss'Z'"
        return formatter.date(from: text.trimmingCharacters(in: .whitespaces))
    }
}
