import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// The root-owned folder (0700) that holds every encrypted volume's cipher directory, plaintext mount point, record
/// and generated key:
///
/// ```
/// <root>/volumes/<name>/cipher/      gocryptfs cipher directory (gocryptfs.conf, gocryptfs.diriv, encrypted files)
/// <root>/volumes/<name>/plain/       the plaintext mount point; plain/data is what the Docker volume binds
/// <root>/volumes/<name>/volume.json  the record (key file path, created, owner, mode)
/// <root>/volumes/<name>/mount.log    gocryptfs's own messages from the last mount
/// <root>/keys/<name>.key             a generated key (0600)
/// <root>/staging/                    restores in progress (same file system, so the final swap is one rename)
/// ```
public struct StateRoot: Sendable {
    public let path: String

    public static let defaultPath = "/var/lib/contsec/volume-crypt"
    public static let environmentVariable = "CONTSEC_VOLUME_CRYPT_STATE"

    /// `explicit` (the `--state-dir` flag), else `CONTSEC_VOLUME_CRYPT_STATE`, else the default.
    public init(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let chosen = explicit ?? environment[Self.environmentVariable].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultPath
        guard chosen.hasPrefix("/") else {
            throw VolumeCryptError.invalidParameter(param: "state-dir", message: "'\(chosen)' must be an absolute path")
        }
        path = "/" + chosen.split(separator: "/").joined(separator: "/")
    }

    public func volumeDirectory(_ name: String) -> String { path + "/volumes/" + name }
    public func cipherDirectory(_ name: String) -> String { volumeDirectory(name) + "/cipher" }
    public func mountPoint(_ name: String) -> String { volumeDirectory(name) + "/plain" }
    /// The folder inside the plaintext mount that the Docker volume binds. It exists only while the volume is
    /// mounted, so a container started on an unmounted volume fails instead of writing plaintext to the disk below.
    public func dataDirectory(_ name: String) -> String { mountPoint(name) + "/data" }
    public func recordPath(_ name: String) -> String { volumeDirectory(name) + "/volume.json" }
    public func mountLog(_ name: String) -> String { volumeDirectory(name) + "/mount.log" }
    public func generatedKeyPath(_ name: String) -> String { path + "/keys/" + name + ".key" }
    public var stagingDirectory: String { path + "/staging" }

    /// Checks the root is a directory owned by this user with no access for others, creating it (0700) when
    /// `create` is true. A root that exists with looser permissions is refused, not silently fixed: someone may
    /// have read the keys in it.
    public func prepare(create: Bool) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw failure("inspect", path) }
            guard create else { return }
            try makeDirectories(path)
            return try prepare(create: false)
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw VolumeCryptError.precondition("state folder \(path) is not a directory: remove it or choose another with --state-dir")
        }
        guard info.st_uid == geteuid() else {
            throw VolumeCryptError.precondition("state folder \(path) belongs to uid \(info.st_uid), not to you (uid \(geteuid())): run as its owner or choose another with --state-dir")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw VolumeCryptError.precondition(String(format: "state folder %@ is mode %04o: it holds keys and must be 0700; check nobody copied them, then chmod 700 %@", path, info.st_mode & 0o7777, path))
        }
    }

    /// A writer confined to the state root, for records and generated keys (atomic, explicit modes, no symlinks).
    func writer(dryRun: Bool) throws -> ConfinedWriter {
        try ConfinedWriter(workspace: path, dryRun: dryRun, computeSHA256: false)
    }

    /// The record of `name`, or nil when the state root knows no such volume.
    public func record(_ name: String) throws -> VolumeRecord? {
        let file = recordPath(name)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        do {
            return try JSONDecoder().decode(VolumeRecord.self, from: Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw VolumeCryptError.failed("the record \(file) is unreadable (\(error)): restore it from a backup of the state folder, or destroy the volume")
        }
    }

    /// Names of every volume with a folder under `volumes/`.
    public func recordedNames() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/volumes")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    func saveRecord(_ record: VolumeRecord) throws {
        try writer(dryRun: false).write("volumes/\(record.name)/volume.json", try record.encoded(), mode: 0o600, directoryMode: 0o700)
    }

    /// mkdir -p with 0700 for every folder it creates (mode set explicitly: the umask must not loosen it).
    func makeDirectories(_ directory: String, mode: mode_t = 0o700) throws {
        var current = ""
        for component in directory.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) == 0 {
                guard chmod(current, mode) == 0 else { throw failure("set the mode of", current) }
            } else if errno != EEXIST {
                throw failure("create", current)
            }
        }
    }

    private func failure(_ operation: String, _ file: String) -> VolumeCryptError {
        .failed("could not \(operation) \(file): \(String(cString: strerror(errno)))")
    }
}
