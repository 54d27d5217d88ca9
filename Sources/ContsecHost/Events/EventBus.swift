import Foundation

/// A subscriber to the bus: a reporter, a gate, the log file.
public protocol EventSink: AnyObject, Sendable {
    /// Called for every event, in sequence order, on the publishing thread.
    func receive(_ event: Event)
    /// Called once after the last event; write out whatever is pending.
    func finish()
}

/// Delivers events to every sink in one global order.
///
/// Delivery is synchronous under one lock: a sink that is slow slows the publisher (back-pressure reaches the
/// plugin through its pipe), and memory never grows behind it. Sinks that write to files buffer their own
/// output in bounded chunks.
public final class EventBus: @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [EventSink] = []
    private var nextSeq: UInt64 = 1

    public init() {}

    public func subscribe(_ sink: EventSink) {
        lock.lock(); sinks.append(sink); lock.unlock()
    }

    public func publish(plugin: String, runId: String, _ kind: EventKind) {
        lock.lock()
        let event = Event(seq: nextSeq, time: Date(), plugin: plugin, runId: runId, kind: kind)
        nextSeq += 1
        for s in sinks { s.receive(event) }
        lock.unlock()
    }

    /// Number of events published so far.
    public var count: UInt64 {
        lock.lock(); defer { lock.unlock() }
        return nextSeq - 1
    }

    public func finish() {
        lock.lock()
        let all = sinks
        lock.unlock()
        for s in all { s.finish() }
    }
}
