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

    /// Opens (creating or truncating) `path` for writing.
    public static func file(_ path: String, append: Bool = false) throws -> ByteOutput {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags, 0o644)
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
