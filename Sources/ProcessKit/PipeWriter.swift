#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The write end of a child's stdin that never blocks its caller: frames go into the pipe as far as it takes them,
/// the rest waits in a bounded queue that a short-lived flusher thread empties when the child reads again.
///
/// A child that stops reading can therefore never hang the writer (a host answering a flood of requests, a run
/// request with a huge argument list): `send` reports `.full` once the queue is over its limit, and the caller's
/// own deadline (timeout, cancel, Ctrl-C) decides what happens next. Frames are queued whole or not at all, so two
/// frames never interleave and a refused frame leaves no half line behind.
public final class PipeWriter: @unchecked Sendable {
    public enum Outcome: Sendable, Equatable {
        /// In the pipe or queued behind earlier frames.
        case accepted
        /// Not queued: the child has not read the `queueLimit` bytes already waiting.
        case full
        /// The pipe is closed (by us, or the child exited: EPIPE).
        case closed
    }

    /// Most bytes kept waiting for a child that does not read. A frame is always accepted into an empty queue.
    public let queueLimit: Int
    private let cond = NSCondition()
    private var fd: Int32
    private var queue: [UInt8] = []
    private var queueStart = 0
    private var flusherRunning = false
    private var closeWhenEmpty = false
    private var broken = false

    init(fd: Int32, queueLimit: Int) {
        self.fd = fd
        self.queueLimit = queueLimit
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    private var queued: Int { queue.count - queueStart }

    /// Hands `bytes` to the child without blocking.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Outcome {
        cond.lock()
        defer { cond.unlock() }
        guard fd >= 0, !broken, !closeWhenEmpty else { return .closed }
        if queued > 0 && queued + bytes.count > queueLimit { return .full }
        var start = 0
        if queued == 0 {
            start = writeSome(bytes, from: 0)
            if broken { return .closed }
        }
        if start < bytes.count {
            queue.append(contentsOf: bytes[start...])
            startFlusher()
        }
        return .accepted
    }

    /// Bytes accepted but not yet in the pipe.
    public var pendingBytes: Int {
        cond.lock(); defer { cond.unlock() }
        return queued
    }

    /// Waits until every accepted byte is in the pipe, or `deadline`. False if bytes are still waiting.
    @discardableResult
    public func drain(until deadline: Date) -> Bool {
        cond.lock()
        defer { cond.unlock() }
        while queued > 0 && !broken && fd >= 0 && cond.waitSafely(until: deadline) {}
        return queued == 0
    }

    /// Closes the pipe (the child sees EOF) once what was accepted has been written; at once if nothing waits.
    public func finish() {
        cond.lock()
        defer { cond.unlock() }
        if queued == 0 || broken { closeNow() } else { closeWhenEmpty = true }
    }

    /// Closes the pipe now; bytes still waiting are dropped.
    public func close() {
        cond.lock()
        defer { cond.unlock() }
        queue.removeAll()
        queueStart = 0
        closeNow()
    }

    public var isClosed: Bool {
        cond.lock(); defer { cond.unlock() }
        return fd < 0 || broken
    }

    // Called with the lock held.
    private func closeNow() {
        if fd >= 0 && !flusherRunning { Glibc.close(fd); fd = -1 }
        else if fd >= 0 { closeWhenEmpty = true; queue.removeAll(); queueStart = 0 }
        cond.broadcast()
    }

    /// Writes what the pipe takes now; returns the offset reached. Lock held.
    private func writeSome(_ bytes: [UInt8], from offset: Int) -> Int {
        var off = offset
        bytes.withUnsafeBytes { raw in
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n > 0 { off += n; continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && errno != EAGAIN { broken = true }
                return
            }
        }
        return off
    }

    private func startFlusher() {
        guard !flusherRunning else { return }
        flusherRunning = true
        let t = Thread { [self] in flushLoop() }
        t.name = "contsec-pipe-writer"
        t.start()
    }

    private func flushLoop() {
        cond.lock()
        while fd >= 0 && !broken && queued > 0 {
            let pollFD = fd
            cond.unlock()
            var p = pollfd(fd: pollFD, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, 100)
            cond.lock()
            if closeWhenEmpty && queue.isEmpty { break }  // close() dropped the queue meanwhile
            let reached = writeSome(queue, from: queueStart)
            queueStart = reached
            if queueStart > 1 << 20 || queueStart == queue.count {
                queue.removeFirst(queueStart)
                queueStart = 0
            }
            cond.broadcast()
        }
        flusherRunning = false
        if closeWhenEmpty || broken, fd >= 0 { Glibc.close(fd); fd = -1 }
        cond.broadcast()
        cond.unlock()
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }
}
