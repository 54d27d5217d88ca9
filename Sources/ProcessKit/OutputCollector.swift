#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Keeps the first and last `cap/2` bytes of a stream and counts what fell in between.
public struct CappedBuffer: Sendable {
    public let cap: Int
    private(set) var head = Data()
    private(set) var tail = Data()
    public private(set) var dropped = 0

    public init(cap: Int) { self.cap = max(cap, 2) }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var bytes = bytes[...]
        let headRoom = cap / 2 - head.count
        if headRoom > 0 {
            let take = min(headRoom, bytes.count)
            head.append(contentsOf: bytes.prefix(take))
            bytes = bytes.dropFirst(take)
        }
        if bytes.isEmpty { return }
        tail.append(contentsOf: bytes)
        let tailCap = cap - cap / 2
        if tail.count > tailCap * 2 { trim(to: tailCap) }
    }

    private mutating func trim(to size: Int) {
        if tail.count > size {
            dropped += tail.count - size
            tail = Data(tail.suffix(size))
        }
    }

    /// The kept bytes and how many were dropped from the middle.
    public mutating func finish() -> (Data, Int) {
        trim(to: cap - cap / 2)
        return (head + tail, dropped)
    }
}

/// Drains one of a child's output pipes: keeps a capped copy and hands out complete lines as they arrive.
public enum OutputCollector {
    /// Reads `fd` until end-of-file, or until `giveUp()` answers true while the pipe is quiet (a process that left
    /// the child's group may hold the pipe open for ever). A line longer than `cap` is delivered in pieces.
    public static func collect(_ fd: Int32, cap: Int, onLine: (@Sendable (String) -> Void)?, giveUp: () -> Bool) -> (Data, Int) {
        var buffer = CappedBuffer(cap: cap)
        var pendingLine = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 { if errno == EINTR { continue }; break }
            if ready == 0 {
                if giveUp() { break }
                continue
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            chunk.withUnsafeBytes { buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            guard let onLine else { continue }
            pendingLine.append(contentsOf: chunk[0..<n])
            while let newline = pendingLine.firstIndex(of: 0x0A) {
                var line = pendingLine[pendingLine.startIndex..<newline]
                if line.last == 0x0D { line = line.dropLast() }
                onLine(String(decoding: line, as: UTF8.self))
                pendingLine.removeSubrange(pendingLine.startIndex...newline)
            }
            if pendingLine.count > cap {
                onLine(String(decoding: pendingLine, as: UTF8.self))
                pendingLine.removeAll()
            }
        }
        if let onLine, !pendingLine.isEmpty { onLine(String(decoding: pendingLine, as: UTF8.self)) }
        return buffer.finish()
    }
}
