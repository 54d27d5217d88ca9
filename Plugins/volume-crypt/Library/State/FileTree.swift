import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// One entry of a directory tree as a backup manifest records it.
public struct TreeEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case file, directory, symlink }
    /// Relative to the tree's root, `/`-separated, never empty.
    public var path: String
    public var kind: Kind
    /// Permission bits (including setuid/setgid/sticky) in octal, e.g. "0644".
    public var mode: String
    public var uid: Int
    public var gid: Int
    /// Files only.
    public var size: Int64?
    public var sha256: String?
    /// Symlinks only: where the link points.
    public var target: String?
}

/// Walking, measuring and removing directory trees without following symlinks.
public enum FileTree {
    /// Every entry below `root` (not `root` itself), sorted by path; files with their SHA-256 when `hashing`.
    /// `onFile` is told each file's size as it is hashed, for progress.
    public static func entries(_ root: String, hashing: Bool = true, onFile: ((Int64) -> Void)? = nil) throws -> [TreeEntry] {
        var result: [TreeEntry] = []
        try walk(root, relative: "") { path, relative, info in
            let mode = String(format: "%04o", info.st_mode & 0o7777)
            var entry = TreeEntry(path: relative, kind: .file, mode: mode, uid: Int(info.st_uid), gid: Int(info.st_gid))
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                entry.kind = .directory
            case S_IFLNK:
                entry.kind = .symlink
                entry.target = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
            case S_IFREG:
                entry.size = Int64(info.st_size)
                if hashing { entry.sha256 = try FileDigest.sha256(path: path) }
                onFile?(Int64(info.st_size))
            default:
                throw VolumeCryptError.failed("\(path) is a device, socket or pipe: a volume backup holds files, folders and links only")
            }
            result.append(entry)
        }
        return result.sorted { $0.path < $1.path }
    }

    /// Bytes the tree occupies on disk (allocated blocks, as `du`).
    public static func diskUsage(_ root: String) -> Int64 {
        var total: Int64 = 0
        try? walk(root, relative: "") { _, _, info in total += Int64(info.st_blocks) * 512 }
        return total
    }

    /// Removes `path` and everything below it; a missing path is not an error.
    public static func remove(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw VolumeCryptError.failed("could not remove \(path): \(error.localizedDescription)")
        }
    }

    private static func walk(_ directory: String, relative: String,
                             _ visit: (String, String, stat) throws -> Void) throws {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw VolumeCryptError.failed("could not read the folder \(directory): \(error.localizedDescription)")
        }
        for name in names.sorted() {
            let path = directory + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var info = stat()
            guard lstat(path, &info) == 0 else {
                throw VolumeCryptError.failed("could not inspect \(path): \(String(cString: strerror(errno)))")
            }
            try visit(path, rel, info)
            if info.st_mode & S_IFMT == S_IFDIR { try walk(path, relative: rel, visit) }
        }
    }
}
