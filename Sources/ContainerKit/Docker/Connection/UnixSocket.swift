import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connected AF_UNIX stream socket: the local engine's usual way in.
final class UnixSocket: EngineConnection, @unchecked Sendable {
    /// Connects to `path`, mapping the errno values a user can fix to their own `DockerError` cases.
    init(connectingTo path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw DockerError.connectionFailed(path: path, reason: "socket(): \(String(cString: strerror(errno)))")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else {
            Glibc.close(fd)
            throw DockerError.connectionFailed(path: path, reason: "socket path is longer than \(capacity - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(fd)
            switch code {
            case ENOENT, ENOTDIR: throw DockerError.socketMissing(path: path)
            case EACCES, EPERM: throw DockerError.permissionDenied(path: path)
            case ECONNREFUSED:
                // connect(2) says "refused" for a regular file or a directory too: say what the path really is.
                if let kind = Self.nonSocketKind(path) { throw DockerError.notASocket(path: path, kind: kind) }
                throw DockerError.daemonNotListening(path: path)
            default: throw DockerError.connectionFailed(path: path, reason: String(cString: strerror(code)))
            }
        }
        super.init(fd: fd, path: path)
    }

    /// "a regular file", "a directory"... for a path that exists but is no socket; nil for a socket.
    static func nonSocketKind(_ path: String) -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFSOCK: return nil
        case S_IFREG: return "a regular file"
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a named pipe"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a socket"
        }
    }
}
