/// Labels that mark a Docker volume as volume-crypt's. The state root is part of the mark so that two state roots
/// (two installations, or parallel test runs) never list, collect or destroy each other's volumes.
public enum VolumeLabels {
    public static let kind = "contsec.volume-crypt.kind"
    public static let stateRoot = "contsec.volume-crypt.state-root"
    public static let autoDelete = "contsec.volume-crypt.auto-delete"

    /// The Docker list filter selecting this state root's volumes.
    static func filter(stateRoot: String) -> [String: [String]] {
        ["label": ["\(Self.stateRoot)=\(stateRoot)"]]
    }
}

/// What a volume-crypt volume is.
public enum VolumeKind: String, Sendable, Codable {
    /// gocryptfs cipher directory on disk, plaintext mount bound into containers.
    case encrypted
    /// tmpfs: memory only, gone with its last container.
    case temp
}
