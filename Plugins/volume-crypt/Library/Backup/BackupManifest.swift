import Foundation

/// The manifest written beside every backup (`<archive>.manifest.json`, 0600): the archive's SHA-256 and size, and
/// every file in it with its SHA-256, size, mode and owner. `restore` refuses an archive that does not match it.
public struct BackupManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "contsec-volume-crypt-backup/1"

    public struct Archive: Codable, Sendable, Equatable {
        /// File name of the archive (the manifest sits beside it).
        public var file: String
        public var sha256: String
        public var bytes: Int64
        /// none, gzip, xz or zstd (of the tar inside; for age backups, before encryption).
        public var compression: String
    }

    public var format: String
    public var volume: String
    public var kind: VolumeKind
    /// "gocryptfs": the archive holds the volume's cipher directory (encrypted under the volume key).
    /// "age": the archive is a tar of a temp volume's plaintext, encrypted with age to `recipients`.
    public var encryption: String
    public var recipients: [String]?
    public var createdAt: String
    public var archive: Archive
    /// Every member below the archive's top folder (`cipher/` for encrypted volumes), sorted by path.
    public var files: [TreeEntry]
    /// Containers paused while the snapshot was taken.
    public var pausedContainers: [String]

    /// Total bytes of the files, what a restore needs on disk.
    public var totalBytes: Int64 { files.reduce(0) { $0 + ($1.size ?? 0) } }

    public static func path(forArchive archive: String) -> String { archive + ".manifest.json" }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads the manifest beside `archive`, with an error that says what is missing or wrong.
    public static func load(forArchive archive: String) throws -> BackupManifest {
        let file = path(forArchive: archive)
        guard FileManager.default.fileExists(atPath: archive) else {
            throw VolumeCryptError.invalidParameter(param: "backup-path", message: "\(archive) does not exist")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw VolumeCryptError.precondition("the manifest \(file) is missing: a backup is the archive and its .manifest.json side by side; without it the archive cannot be verified and is not restored")
        }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: data) } catch {
            throw VolumeCryptError.precondition("corrupt manifest \(file): not a volume-crypt backup manifest (\(error))")
        }
        guard manifest.format == currentFormat else {
            throw VolumeCryptError.precondition("\(file) is a backup of format \(manifest.format); this volume-crypt reads \(currentFormat)")
        }
        return manifest
    }
}
