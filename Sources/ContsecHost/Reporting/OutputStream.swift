#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A buffered byte sink over a file descriptor: stdout, or a file created for `--output`.
/// Buffering in 64 KiB chunks keeps memory flat however much passes through.
public final class ByteOutput: @unchecked Sendable {
    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []
    public let isTerminal: Bool
    public let path: String?

    public static func standardOutput() -> ByteOutput { ByteOutput(fd: 1, owns: false, path: nil) }

    /// Opens (creating or truncating) `path` for writing. `mode` applies when the file is created (spools of
    /// findings use 0600: findings may carry secrets); `flags` adds open(2) flags such as `O_NOFOLLOW`.
    public static func file(_ path: String, append: Bool = false, mode: mode_t = 0o644, flags extra: Int32 = 0) throws -> ByteOutput {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC) | extra
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            throw CLIError.usage("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return ByteOutput(fd: fd, owns: true, path: path)
    }

    private init(fd: Int32, owns: Bool, path: String?) {
        self.fd = fd
        ownsFD = owns
        self.path = path
        isTerminal = isatty(fd) == 1
        buffer.reserveCapacity(64 * 1024)
    }

    public func write(_ bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 64 * 1024 { flush() }
    }

    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Gives direct access to the buffer for encoders that append in place.
    public func append(_ encode: (inout [UInt8]) -> Void) {
        encode(&buffer)
        if buffer.count >= 64 * 1024 { flush() }
    }

    public func flush() {
        buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends the whole content of another file, copied by the kernel (no pass through our memory).
    public func appendFile(atPath source: String) {
        flush()
        let src = open(source, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { return }
        defer { Glibc.close(src) }
        while true {
            let n = sendfile(fd, src, nil, 1 << 30)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
        }
    }

    public func close() {
        flush()
        if ownsFD { Glibc.close(fd) }
    }
}

/// Errors the CLI reports as usage errors (exit code 2).
public enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    public var description: String {
        switch self {
        case .usage(let m): return m
        }
    }
}
