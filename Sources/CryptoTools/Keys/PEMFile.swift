import Foundation
import ContsecProtocol

/// What a PEM file holds, read from its `-----BEGIN …-----` line (no crypto: openssl does that).
public enum PEMKind: Sendable, Equatable {
    /// PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key with a `Proc-Type: 4,ENCRYPTED` header.
    case encryptedPrivateKey
    case privateKey
    case publicKey
    case certificate
}

/// A PEM file's label and bytes. Reads at most 1 MiB: a key or certificate is a few KiB.
public struct PEMFile: Sendable {
    public let path: String
    public let data: Data
    public let kind: PEMKind

    public init(path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check its permissions)" : "no such file"
            throw CryptoError.io(path: path, reason: reason)
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 1 << 20)) ?? Data()
        try self.init(path: path, data: data)
    }

    public init(path: String, data: Data) throws {
        self.path = path
        self.data = data
        guard let kind = Self.kind(of: data) else {
            throw CryptoError.notAKey(path: path, reason: "no PEM key or certificate in it (expected a line like -----BEGIN PUBLIC KEY-----)")
        }
        self.kind = kind
    }

    static func kind(of data: Data) -> PEMKind? {
        let text = String(decoding: data.prefix(64 << 10), as: UTF8.self)
        guard let begin = text.range(of: "-----BEGIN ") else { return nil }
        let label = text[begin.upperBound...].prefix { $0 != "-" && $0 != "\n" }
        switch label {
        case "ENCRYPTED PRIVATE KEY": return .encryptedPrivateKey
        case "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY":
            return text.contains("Proc-Type: 4,ENCRYPTED") ? .encryptedPrivateKey : .privateKey
        case "PUBLIC KEY": return .publicKey
        case "CERTIFICATE": return .certificate
        default: return nil
        }
    }

    /// The DER bytes of the first PEM block (base64 between the BEGIN and END lines), or nil if unreadable.
    public var der: Data? {
        let text = String(decoding: data, as: UTF8.self)
        var body = ""
        var inside = false
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("-----BEGIN ") { inside = true; continue }
            if line.hasPrefix("-----END ") { break }
            if inside && !line.contains(":") { body += line.trimmingCharacters(in: .whitespaces) }
        }
        return Data(base64Encoded: body)
    }

    /// `sha256:<hex>` of the DER bytes: a short, stable name for a key (the same for its PEM and DER forms).
    public var fingerprint: String? {
        der.map { "sha256:" + SHA256.hex($0) }
    }
}
