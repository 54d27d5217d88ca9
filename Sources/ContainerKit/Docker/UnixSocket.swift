import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connected AF_UNIX stream socket with a read buffer. Blocking I/O; one user at a time.
final class UnixSocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private let closeLock = NSLock()
    private var closed = false

    /// Connects to `path`, mapping the errno values a user can fix to their own `DockerError` cases.
    init(connectingTo path: String) throws {
        self.path = path
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
            case ECONNREFUSED: throw DockerError.daemonNotListening(path: path)
            default: throw DockerError.connectionFailed(path: path, reason: String(cString: strerror(code)))
            }
        }
        self.fd = fd
    }

    deinit { close() }

    /// Per-read timeout in seconds; 0 means wait forever (streams).
    func setReadTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes every byte; MSG_NOSIGNAL so a closed peer is an error, not a SIGPIPE.
    func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw DockerError.connectionFailed(path: path, reason: "write: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Reads more bytes into the buffer. Returns false at end of stream.
    private func fill() throws -> Bool {
        if bufferStart > 0 && bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n == 0 { return false }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw DockerError.timedOut(path: path, seconds: 0) }
            throw DockerError.connectionFailed(path: path, reason: "read: \(String(cString: strerror(code)))")
        }
    }

    /// Bytes buffered but not yet consumed.
    var buffered: Int { buffer.count - bufferStart }

    /// Reads one CRLF- (or LF-) terminated line without its terminator; nil at clean end of stream.
    func readLine(limit: Int = 65536) throws -> String? {
        while true {
            if let newline = buffer[bufferStart...].firstIndex(of: 0x0A) {
                var end = newline
                if end > bufferStart && buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[bufferStart..<end], as: UTF8.self)
                bufferStart = newline + 1
                return line
            }
            if buffered > limit { throw DockerError.badResponse("header line longer than \(limit) bytes") }
            if try !fill() {
                if buffered == 0 { return nil }
                throw DockerError.badResponse("connection closed in the middle of a line")
            }
        }
    }

    /// Returns up to `max` bytes: what is buffered, or one fresh read. Empty only at end of stream.
    func readSome(max: Int) throws -> [UInt8] {
        if buffered == 0 {
            if try !fill() { return [] }
        }
        let count = min(max, buffered)
        let out = Array(buffer[bufferStart..<(bufferStart + count)])
        bufferStart += count
        return out
    }

    /// Reads exactly `count` bytes or throws if the stream ends first.
    func readExactly(_ count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            let piece = try readSome(max: count - out.count)
            if piece.isEmpty { throw DockerError.badResponse("connection closed after \(out.count) of \(count) bytes") }
            out += piece
        }
        return out
    }

    /// Wakes a reader blocked in another thread (used to cancel streams) without freeing the descriptor.
    func shutdownBoth() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if !closed { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    func close() {
        closeLock.lock()
        defer { closeLock.unlock() }
        if !closed {
            closed = true
            Glibc.close(fd)
        }
    }
}
