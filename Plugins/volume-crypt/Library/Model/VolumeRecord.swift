import Foundation

/// What the state root keeps about an encrypted volume (`volumes/<name>/volume.json`, 0600). Never the key itself:
/// only where it is.
public struct VolumeRecord: Codable, Sendable, Equatable {
    public var name: String
    public var kind: VolumeKind
    /// Absolute path of the key file gocryptfs reads with `-passfile`.
    public var keyFile: String
    /// True when volume-crypt generated the key (then `destroy` erases it).
    public var keyGenerated: Bool
    /// ISO 8601, UTC.
    public var createdAt: String
    /// Owner and mode given to the volume's top folder.
    public var uid: Int?
    public var gid: Int?
    public var mode: String?
    /// The user's own labels of the Docker volume (re-applied when `open` re-creates it).
    public var labels: [String: String]?

    public init(name: String, kind: VolumeKind, keyFile: String, keyGenerated: Bool, createdAt: String,
                uid: Int? = nil, gid: Int? = nil, mode: String? = nil, labels: [String: String]? = nil) {
        self.name = name; self.kind = kind; self.keyFile = keyFile; self.keyGenerated = keyGenerated
        self.createdAt = createdAt; self.uid = uid; self.gid = gid; self.mode = mode; self.labels = labels
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    static func now() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }
}
