import Foundation
import ContsecProtocol
#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of files, read in 1 MiB pieces so a large archive never sits in memory whole.
public enum FileDigest {
    /// Hex SHA-256 of the file at `path` (symlinks are not followed: a link is an error, not its target's digest).
    public static func sha256(path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfinementError.ioFailed(path: path, operation: "read", reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        return try sha256(fd: fd, path: path)
    }

    /// Hex SHA-256 of an open file, from its start; `path` only names it in errors.
    public static func sha256(fd: Int32, path: String) throws -> String {
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ConfinementError.ioFailed(path: path, operation: "read", reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            offset += off_t(n)
        }
        return SHA256.hexString(hasher.finalize())
    }
}
