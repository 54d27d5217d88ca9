#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// What plugins declared in their handshake (their commands and typed parameters), remembered per executable, so
/// that `contsec completion` asks each plugin once rather than on every use, and never per keystroke.
///
/// An entry is used only while the executable's size, modification time and inode are what they were when it was
/// recorded: a rebuilt or replaced plugin is asked again. The cache is advisory: nothing that decides what runs
/// reads it (trust comes from ``PluginTrust`` before every exec).
public struct DeclarationCache: Sendable {
    /// `$XDG_CACHE_HOME/contsec/declarations.json`, else `~/.cache/contsec/declarations.json`; nil without either.
    public let path: String?
    private var entries: [String: JSONValue]
    private var changed = false

    /// The cache file for this environment (README, "Shell completion"; `man contsec`, FILES).
    public static func defaultPath(environment: [String: String]) -> String? {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/contsec/declarations.json" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/contsec/declarations.json"
    }

    public init(path: String?) {
        self.path = path
        var loaded: [String: JSONValue] = [:]
        if let path, let data = FileManager.default.contents(atPath: path),
           let doc = try? JSONParser.parse([UInt8](data)), doc["version"] == 1, case .object(let o)? = doc["plugins"] {
            loaded = o
        }
        entries = loaded
    }

    /// The declaration recorded for this executable, if it has not changed since.
    public func lookup(_ candidate: PluginCandidate) -> InitializeResult? {
        guard let entry = entries[candidate.path], let stamp = Self.stamp(candidate.path), entry["stamp"] == stamp,
              let declaration = entry["declaration"] else { return nil }
        return try? declaration.decode(InitializeResult.self, what: "cache")
    }

    /// Records what a plugin declared. Rules are left out: completion does not need their text.
    public mutating func store(_ candidate: PluginCandidate, _ info: InitializeResult) {
        guard let stamp = Self.stamp(candidate.path) else { return }
        var slim = info
        slim.rules = nil
        guard let declaration = try? JSONValue(encoding: slim) else { return }
        let entry: JSONValue = ["stamp": stamp, "declaration": declaration]
        if entries[candidate.path] != entry {
            entries[candidate.path] = entry
            changed = true
        }
    }

    /// Writes the cache if something changed: folder 0700, file 0600, replaced atomically. A cache that cannot be
    /// written is no error (the next completion asks the plugins again).
    public mutating func save() {
        guard changed, let path else { return }
        // Entries of executables that are gone would pile up forever.
        let live = entries.filter { FileManager.default.fileExists(atPath: $0.key) }
        let doc: JSONValue = ["version": 1, "plugins": .object(live)]
        let dir = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temp = dir + "/.declarations.\(getpid()).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let bytes = JSONWriter.bytes(doc) + [0x0A]
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written == bytes.count && rename(temp, path) == 0 { changed = false } else { unlink(temp) }
    }

    /// Size, modification time (ns) and inode of the file behind `path`.
    static func stamp(_ path: String) -> JSONValue? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return ["size": .int(Int(st.st_size)), "mtime": .int(Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)),
                "inode": .int(Int(st.st_ino))]
    }
}
