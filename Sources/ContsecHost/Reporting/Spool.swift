#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A private temporary file that report fragments stream into while a run goes on, copied into the report at the
/// end in chunks: memory stays flat however many findings pass. Mode 0600 and O_EXCL: findings may carry secrets.
final class Spool {
    let path: String
    private let out: ByteOutput
    private(set) var count = 0
    private var closed = false

    init(tag: String) throws {
        path = NSTemporaryDirectory() + "contsec-\(tag)-\(getpid())-\(UUID().uuidString)"
        out = try ByteOutput.file(path, mode: 0o600, flags: O_EXCL | O_NOFOLLOW)
    }

    /// Appends one item; `separator` goes before every item but the first.
    func append(separator: String, _ encode: (inout [UInt8]) -> Void) {
        let first = count == 0
        out.append { buf in
            if !first { buf.append(contentsOf: separator.utf8) }
            encode(&buf)
        }
        count += 1
    }

    /// Copies everything spooled into `target` and deletes the spool.
    func drain(into target: ByteOutput) {
        out.close()
        closed = true
        target.appendFile(atPath: path)  // copied by the kernel, not through our memory
        unlink(path)
    }

    deinit {
        if !closed { out.close() }
        unlink(path)
    }
}
