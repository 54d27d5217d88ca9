import Foundation
import ProcessKit

/// Process-wide Ctrl-C state. The CLI installs the signal source; waits in sessions poll `isSet`.
public final class Interrupt: @unchecked Sendable {
    public static let shared = Interrupt()
    private let lock = NSLock()
    private var count = 0
    private var observers: [UUID: @Sendable () -> Void] = [:]

    /// How many times the user pressed Ctrl-C (a second press skips the cancel grace period).
    public var presses: Int {
        lock.lock(); defer { lock.unlock() }
        return count
    }

    public var isSet: Bool { presses > 0 }

    public func trigger() {
        lock.lock()
        count += 1
        let all = Array(observers.values)
        lock.unlock()
        for o in all { o() }
    }

    func observe(_ wake: @escaping @Sendable () -> Void) -> UUID {
        let id = UUID()
        lock.lock(); observers[id] = wake; lock.unlock()
        return id
    }

    func remove(_ id: UUID) {
        lock.lock(); observers[id] = nil; lock.unlock()
    }

    /// Routes SIGINT and SIGTERM to `trigger()` instead of killing the host, so plugins can be cancelled cleanly.
    ///
    /// A plain sigaction handler that writes a byte to a pipe, read by a thread of ours. Not a DispatchSource: on
    /// Linux libdispatch installs its own handler asynchronously, on its manager thread, and the `SIG_IGN` a
    /// dispatch signal source needs elsewhere could land after it — then every later SIGINT/SIGTERM was discarded
    /// and nothing could stop a long-running run (seen about 1 start in 12). A handler is process-wide: whichever
    /// thread the kernel picks runs it. Plugins start with default dispositions (ProcessKit resets them).
    public func installSignalHandlers() {
        lock.lock()
        defer { lock.unlock() }
        guard !installed else { return }
        var fds: [Int32] = [-1, -1]
        guard GNU.pipe2(&fds) else { return }
        // The handler must never block: a full pipe already holds a wake-up.
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        interruptPipeWriteEnd = fds[1]
        let readEnd = fds[0]
        let reader = Thread { [weak self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                self?.trigger()
            }
        }
        reader.name = "contsec-signals"
        reader.start()
        // A mask inherited blocked (some launchers block them) would hold the signals back for ever.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        for sig in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = interruptSignalHandler
            action.sa_flags = SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
        installed = true
    }
    private var installed = false
}

/// The write end of the signal pipe, set once before the handler is installed (a C handler cannot capture).
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// Async-signal-safe: one write(2), errno kept.
private func interruptSignalHandler(_ signal: Int32) {
    let saved = errno
    var byte: UInt8 = 1
    _ = write(interruptPipeWriteEnd, &byte, 1)
    errno = saved
}
