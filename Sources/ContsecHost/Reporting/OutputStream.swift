#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A buffered byte sink over a file descriptor: stdout, a report file, the log, a spool.
/// Buffering in 64 KiB chunks keeps memory flat however much passes through.
///
/// Files are opened without following symlinks and without blocking, and must turn out to be regular files with
/// one link: a FIFO, a device or a hard link planted at the path is refused with a message instead of blocking or
/// writing somewhere else. A write error is never dropped: the first one is kept (``failure``) and collected for the
/// whole process (``failures``), so that the CLI can fail the invocation.
public final class ByteOutput: @unchecked Sendable {
    private let fd: Int32
    private let ownsFD: Bool
    private var buffer: [UInt8] = []
    public let isTerminal: Bool
    public let path: String?
    /// For a replaced file: the temporary file renamed onto `path` when closed.
    private let temporary: String?
    private var closed = false
    /// The first write error ("cannot write report.json: No space left on device"), nil while all is well.
    public private(set) var failure: String?

    private static let registry = FailureRegistry()
    /// Every write error of this process so far, one sentence each.
    public static var failures: [String] { registry.all }

    public static func standardOutput() -> ByteOutput { ByteOutput(fd: 1, owns: false, path: nil, temporary: nil) }

    /// Opens (creating or truncating) `path` for writing. `mode` applies when the file is created (spools of
    /// findings use 0600: findings may carry secrets); `flags` adds open(2) flags such as `O_EXCL`.
    public static func file(_ path: String, append: Bool = false, mode: mode_t = 0o644, flags extra: Int32 = 0) throws -> ByteOutput {
        let flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (append ? O_APPEND : O_TRUNC) | extra
        let fd = try openChecked(path, flags: flags, mode: mode)
        return ByteOutput(fd: fd, owns: true, path: path, temporary: nil)
    }

    /// A report file that replaces `path` atomically when closed: written to a temporary file beside it, then
    /// renamed onto it. A symlink or a hard link at `path` is replaced, never written through; a reader never sees a
    /// half-written report; a failed run leaves the old file as it was. Anything at `path` other than a regular file
    /// or a symlink (a FIFO, a device, a folder) is refused.
    public static func replacing(_ path: String, mode: mode_t = 0o644) throws -> ByteOutput {
        var st = stat()
        var keepMode = mode
        if lstat(path, &st) == 0 {
            let type = st.st_mode & S_IFMT
            guard type == S_IFREG || type == S_IFLNK else {
                throw CLIError.usage("refusing to write \(path): \(kind(type)), not a regular file. Write the report to a file (or '-' for stdout).")
            }
            if type == S_IFREG { keepMode = st.st_mode & 0o777 }
        }
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).contsec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = try openChecked(temp, flags: O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode: keepMode, shownAs: path)
        fchmod(fd, keepMode)
        return ByteOutput(fd: fd, owns: true, path: path, temporary: temp)
    }

    /// open(2) that cannot block on a FIFO, then checks what was opened.
    private static func openChecked(_ path: String, flags: Int32, mode: mode_t, shownAs: String? = nil) throws -> Int32 {
        let shown = shownAs ?? path
        let fd = open(path, flags, mode)
        guard fd >= 0 else {
            let e = errno
            if e == ELOOP { throw CLIError.usage("refusing to write \(shown): it is a symbolic link") }
            if e == ENXIO { throw CLIError.usage("refusing to write \(shown): a FIFO or socket, not a regular file") }
            throw CLIError.usage("cannot write \(shown): \(String(cString: strerror(e)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            Glibc.close(fd)
            throw CLIError.usage("cannot write \(shown): \(String(cString: strerror(errno)))")
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG else {
            Glibc.close(fd)
            throw CLIError.usage("refusing to write \(shown): \(kind(type)), not a regular file")
        }
        guard st.st_nlink == 1 else {
            Glibc.close(fd)
            throw CLIError.usage("refusing to write \(shown): it has \(st.st_nlink) hard links, so writing it would change another file too")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    static func kind(_ type: mode_t) -> String {
        switch type {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFDIR: return "a folder"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a regular file"
        }
    }

    private init(fd: Int32, owns: Bool, path: String?, temporary: String?) {
        self.fd = fd
        ownsFD = owns
        self.path = path
        self.temporary = temporary
        isTerminal = isatty(fd) == 1
        buffer.reserveCapacity(64 * 1024)
    }

    private func fail(_ e: Int32) {
        guard failure == nil else { return }
        let text = "cannot write \(path ?? "to stdout"): \(String(cString: strerror(e)))"
        failure = text
        Self.registry.add(text)
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
        if failure == nil && !closed {
            buffer.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; fail(errno); return }
                    off += n
                }
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Appends the whole content of another file, copied by the kernel (no pass through our memory).
    public func appendFile(atPath source: String) {
        flush()
        guard failure == nil else { return }
        let src = open(source, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { fail(errno); return }
        defer { Glibc.close(src) }
        while true {
            let n = sendfile(fd, src, nil, 1 << 30)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { fail(errno); return }
            if n == 0 { break }
        }
    }

    /// Flushes, closes, and for a replaced file renames it into place (or, after a write error, removes it and
    /// leaves what was at the path untouched).
    public func close() {
        flush()
        guard !closed else { return }
        closed = true
        if ownsFD && Glibc.close(fd) != 0 && errno != EINTR { fail(errno) }
        guard let temporary, let path else { return }
        if failure != nil || rename(temporary, path) != 0 {
            if failure == nil { fail(errno) }
            unlink(temporary)
        }
    }

    deinit {
        if let temporary, !closed { unlink(temporary) }
    }
}

private final class FailureRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    var all: [String] { lock.lock(); defer { lock.unlock() }; return list }
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
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
