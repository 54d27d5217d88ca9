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

    /// Copies the first `lines` lines into `target` (items written one per line, so with a separator that ends in a
    /// newline), without the last line's newline and trailing comma, and deletes the spool. For consumers that cap
    /// the number of items.
    func drain(into target: ByteOutput, lines: Int) {
        guard lines < count else { return drain(into: target) }
        out.close()
        closed = true
        defer { unlink(path) }
        guard lines > 0, let h = FileHandle(forReadingAtPath: path) else { return }
        defer { try? h.close() }
        var seen = 0
        var carry: [UInt8] = []  // the last byte read, held back in case it is the comma to drop
        while let chunk = try? h.read(upToCount: 1 << 20), !chunk.isEmpty {
            let data = carry + [UInt8](chunk)
            for i in carry.count..<data.count where data[i] == 0x0A {  // the carried byte was counted already
                seen += 1
                if seen == lines {
                    let end = i > 0 && data[i - 1] == UInt8(ascii: ",") ? i - 1 : i
                    target.write(Array(data[..<end]))
                    return
                }
            }
            target.write(Array(data.dropLast()))
            carry = [data[data.count - 1]]
        }
        target.write(carry)
    }

    deinit {
        if !closed { out.close() }
        unlink(path)
    }
}
