import Foundation
import ContsecProtocol

/// A content digest, `sha256:<64 lower-case hex>`: the only algorithm registries use in practice.
public struct Digest: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Lower-case hex of the SHA-256.
    public let hex: String

    public init?(_ text: String) {
        guard text.hasPrefix("sha256:") else { return nil }
        let hex = String(text.dropFirst(7))
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        self.hex = hex
    }

    /// The digest of `data`.
    public init(of data: Data) {
        hex = SHA256.hex(data)
    }

    public var description: String { "sha256:" + hex }
    /// The tag cosign stores this digest's signatures under: `sha256-<hex>.sig`.
    public var signatureTag: String { "sha256-" + hex + ".sig" }
    /// A short form for messages: `sha256:0123456789ab`.
    public var short: String { "sha256:" + hex.prefix(12) }

    /// The digest named by a cosign signature tag `sha256-<hex>.sig`, or nil for any other tag.
    public init?(signatureTag tag: String) {
        guard tag.hasPrefix("sha256-"), tag.hasSuffix(".sig") else { return nil }
        self.init("sha256:" + tag.dropFirst(7).dropLast(4))
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.hex < b.hex }
}
