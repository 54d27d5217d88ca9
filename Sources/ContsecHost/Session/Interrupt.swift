import Foundation

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
    public func installSignalHandlers() {
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            // Source first, then SIG_IGN: a signal in between still ends the process (default action) instead of
            // being lost, which would leave a run that nothing can interrupt.
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in self?.trigger() }
            s.resume()
            signal(sig, SIG_IGN)
            sources.append(s)
        }
        lock.lock(); signalSources = sources; lock.unlock()
    }
    private var signalSources: [DispatchSourceSignal] = []
}
