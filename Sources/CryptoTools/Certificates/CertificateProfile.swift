import Foundation

/// What a certificate says: its name, the names it is valid for, what it may be used for and for how long.
public struct CertificateProfile: Sendable, Equatable {
    /// Extended key usages contsec issues.
    public enum Usage: String, Sendable, CaseIterable {
        case serverAuth, clientAuth
    }

    public var commonName: String
    /// DNS subject alternative names (TLS clients check these, not the common name).
    public var dnsNames: [String]
    /// IP subject alternative names.
    public var ipAddresses: [String]
    public var usages: [Usage]
    public var validityDays: Int

    public init(commonName: String, dnsNames: [String] = [], ipAddresses: [String] = [],
                usages: [Usage] = [.serverAuth, .clientAuth], validityDays: Int = 90) {
        self.commonName = commonName
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.usages = usages
        self.validityDays = validityDays
    }

    /// Checks every value that goes into openssl's `-subj` and `-addext` arguments, where a comma or slash would
    /// change the meaning.
    public func validate() throws {
        guard !commonName.isEmpty, commonName.utf8.count <= 64 else {
            throw CryptoError.invalidInput("common name '\(commonName)' must be 1 to 64 bytes (an X.509 limit)")
        }
        guard (1...3650).contains(validityDays) else {
            throw CryptoError.invalidInput("validity of \(validityDays) days is outside 1...3650")
        }
        for name in dnsNames where !Self.isDNSName(name) {
            throw CryptoError.invalidInput("'\(name)' is not a DNS name (letters, digits, '-', '.', a leading '*.' for a wildcard)")
        }
        for ip in ipAddresses where !Self.isIPAddress(ip) {
            throw CryptoError.invalidInput("'\(ip)' is not an IPv4 or IPv6 address")
        }
    }

    static func isDNSName(_ name: String) -> Bool {
        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" { labels.removeFirst() }
        guard !labels.isEmpty, name.utf8.count <= 253 else { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            return label.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D
            }
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    /// `subjectAltName=DNS:a,DNS:b,IP:10.0.0.1`, nil when there is no name.
    var subjectAltNameExtension: String? {
        let entries = dnsNames.map { "DNS:" + $0 } + ipAddresses.map { "IP:" + $0 }
        return entries.isEmpty ? nil : "subjectAltName=" + entries.joined(separator: ",")
    }

    /// `-subj` syntax: `/CN=value`, with the characters openssl treats specially escaped by a backslash.
    static func subject(commonName: String) -> String {
        var escaped = ""
        for c in commonName {
            if c == "/" || c == "\\" || c == "+" || c == "=" || c == "," { escaped.append("\\") }
            escaped.append(c)
        }
        return "/CN=" + escaped
    }
}
