import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connected stream to the engine with a read buffer: what the HTTP reader and writer work on, whatever carries
/// the bytes (a unix socket, TCP, TLS over TCP). Blocking I/O; one user at a time, except `shutdownBoth`, which
/// another thread may call to wake a blocked reader.
///
/// The plain-socket behaviour lives here; ``TLSConnection`` overrides `receive`, `transmit` and `releaseResources`.
class EngineConnection: @unchecked Sendable {
    /// How errors name the far end: the socket path, or `tcp://host:port`.
    let path: String
    let fd: Int32
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    private let closeLock = NSLock()
    private var closed = false

    /// Takes ownership of a connected socket.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { close() }

    /// Per-read timeout in seconds; 0 means wait forever (streams).
    func setReadTimeout(_ seconds: Double) {
        var tv = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - Double(Int(seconds))) * 1_000_000))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes every byte.
    func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            offset += try bytes.withUnsafeBytes { raw in
                try transmit(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
        }
    }

    /// Sends some of `bytes` and returns how many; MSG_NOSIGNAL so a closed peer is an error, not a SIGPIPE.
    func transmit(_ bytes: UnsafeRawBufferPointer) throws -> Int {
        while true {
            let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw DockerError.connectionFailed(path: path, reason: "write: \(String(cString: strerror(errno)))")
        }
    }

    /// One read into `chunk`: the byte count, 0 at end of stream. A read timeout throws `DockerError.timedOut`.
    func receive(_ chunk: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = recv(fd, chunk.baseAddress, chunk.count, 0)
            if n >= 0 { return n }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { throw DockerError.timedOut(path: path, seconds: 0) }
            throw DockerError.connectionFailed(path: path, reason: "read: \(String(cString: strerror(code)))")
        }
    }

    /// Reads more bytes into the buffer. Returns false at end of stream.
    private func fill() throws -> Bool {
        if bufferStart > 0 && bufferStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            bufferStart = 0
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = try chunk.withUnsafeMutableBytes { try receive($0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
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
            releaseResources()
            Glibc.close(fd)
        }
    }

    /// What a subclass frees before the descriptor is closed (called once, under the close lock).
    func releaseResources() {}
}
