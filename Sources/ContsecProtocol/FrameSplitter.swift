#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into frames on LF (0x0A) only, dropping one trailing CR, with a cap per frame.
///
/// An over-cap frame is never buffered whole: once the cap is passed the splitter discards bytes until the next
/// LF and then reports the frame's full size, so a runaway plugin cannot grow the host's memory.
public struct FrameSplitter {
    public enum Event {
        case frame(UnsafeBufferPointer<UInt8>)
        case oversized(bytes: Int)
    }

    public let maxFrameBytes: Int
    private var pending: [UInt8] = []
    private var discarding = false
    private var discarded = 0

    public init(maxFrameBytes: Int = ProtocolInfo.defaultMaxMessageBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    /// Bytes held for an incomplete frame.
    public var bufferedBytes: Int { pending.count }

    /// Feeds a chunk; `handle` sees each complete frame (valid only during the call) or an oversize report.
    /// Empty lines are skipped.
    public mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>, _ handle: (Event) throws -> Void) rethrows {
        var start = 0
        let n = chunk.count
        while start < n {
            guard let base = chunk.baseAddress else { return }
            let found = memchrLF(base + start, n - start)
            if found < 0 {
                // No LF in the rest of the chunk: keep it (or count it, when discarding).
                let rest = n - start
                if discarding {
                    discarded += rest
                } else if pending.count + rest > maxFrameBytes {
                    discarding = true
                    discarded = pending.count + rest
                    pending = []
                } else {
                    // Grow toward the cap, never past it: doubling would reserve up to twice the cap.
                    if pending.capacity < pending.count + rest {
                        pending.reserveCapacity(min(maxFrameBytes, max(pending.count * 2, pending.count + rest)))
                    }
                    pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<n]))
                }
                return
            }
            let end = start + found
            if discarding {
                let total = discarded + (end - start)
                discarding = false
                discarded = 0
                try handle(.oversized(bytes: total))
            } else if pending.isEmpty {
                try emit(UnsafeBufferPointer(rebasing: chunk[start..<end]), handle)
            } else {
                pending.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<end]))
                let whole = pending
                pending = []
                try whole.withUnsafeBufferPointer { try emit($0, handle) }
            }
            start = end + 1
        }
    }

    private func emit(_ line: UnsafeBufferPointer<UInt8>, _ handle: (Event) throws -> Void) rethrows {
        var len = line.count
        if len > 0 && line[len - 1] == 0x0D { len -= 1 }
        if len == 0 { return }
        if len > maxFrameBytes { try handle(.oversized(bytes: len)); return }
        try handle(.frame(UnsafeBufferPointer(rebasing: line[0..<len])))
    }

    private func memchrLF(_ p: UnsafePointer<UInt8>, _ count: Int) -> Int {
        guard let hit = memchr(p, 0x0A, count) else { return -1 }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }
}
