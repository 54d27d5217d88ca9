#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The one writer of the protocol descriptor. Every frame goes through it, so two frames never interleave.
///
/// Senders append whole frames to a buffer; a dedicated thread writes the buffer out. Under load frames batch
/// into large writes; when idle each frame leaves at once. A full buffer blocks senders (back-pressure) instead
/// of growing memory.
final class FrameWriter: @unchecked Sendable {
    private let fd: Int32
    private let cond = NSCondition()
    private var buffer: [UInt8] = []
    private var writing = false
    private var closed = false
    private let highWater = 1 << 20

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(64 * 1024)
        let t = Thread { [self] in self.loop() }
        t.name = "contsec-writer"
        t.start()
    }

    /// Appends bytes produced by `encode` as one unit.
    func send(_ encode: (inout [UInt8]) -> Void) {
        cond.lock()
        while buffer.count >= highWater && !closed { cond.wait() }
        if closed { cond.unlock(); return }
        encode(&buffer)
        cond.broadcast()
        cond.unlock()
    }

    func send(_ message: RPCMessage) {
        let frame = message.frame()
        send { $0.append(contentsOf: frame) }
    }

    /// Blocks until everything sent so far is written.
    func flush() {
        cond.lock()
        while (!buffer.isEmpty || writing) && !closed { cond.wait() }
        cond.unlock()
    }

    private func loop() {
        var out: [UInt8] = []
        out.reserveCapacity(64 * 1024)
        while true {
            cond.lock()
            while buffer.isEmpty && !closed { cond.wait() }
            if closed { cond.unlock(); return }
            swap(&out, &buffer)
            writing = true
            cond.broadcast()
            cond.unlock()

            let ok = out.withUnsafeBytes { raw -> Bool in
                var off = 0
                while off < raw.count {
                    let n = write(fd, raw.baseAddress! + off, raw.count - off)
                    if n < 0 { if errno == EINTR { continue }; return false }
                    off += n
                }
                return true
            }
            out.removeAll(keepingCapacity: true)
            cond.lock()
            writing = false
            // The host closed its end: nobody will read us again, so stop (PROTOCOL.md, exit rules).
            if !ok { closed = true }
            cond.broadcast()
            cond.unlock()
            if !ok { exit(0) }
        }
    }
}
