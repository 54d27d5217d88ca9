import Foundation

/// A subscriber to the bus: a reporter, a gate, the log file.
public protocol EventSink: AnyObject, Sendable {
    /// Called for every event, in sequence order, on the bus's delivery thread.
    func receive(_ event: Event)
    /// Called once after the last event has been delivered; write out whatever is pending.
    func finish()
}

/// Delivers events to every sink in one global order.
///
/// Publishers (each plugin's reader thread, the stderr drains, the run coordinator) append to a bounded queue and
/// go back to reading at once; one delivery thread hands events to the sinks in batches. So decoding and
/// reporting run on different cores. The queue is bounded: when sinks fall behind, publishers block
/// (back-pressure travels through the plugin's stdout pipe to the plugin), so memory never grows without bound
/// and no event is ever dropped.
public final class EventBus: @unchecked Sendable {
    private let cond = NSCondition()
    private var sinks: [EventSink] = []
    private var queue: [Event] = []
    private var nextSeq: UInt64 = 1
    private var delivering = false
    private var started = false
    private var delivered: UInt64 = 0
    /// Events waiting for delivery, at most. About 4,000 findings is a few MiB.
    public let capacity: Int
    /// Stamped on every event published here.
    public let host: String

    public init(capacity: Int = 4096, host: String = HostIdentity.current) {
        self.capacity = capacity
        self.host = host
    }

    public func subscribe(_ sink: EventSink) {
        cond.lock(); sinks.append(sink); cond.unlock()
    }

    public func publish(plugin: String, runId: String, _ kind: EventKind) {
        publish(plugin: plugin, runId: runId, CollectionOfOne(kind))
    }

    /// Publishes several events of one plugin under one lock: a reader thread hands over a whole read's worth.
    public func publish<C: Collection>(plugin: String, runId: String, _ kinds: C) where C.Element == EventKind {
        guard !kinds.isEmpty else { return }
        cond.lock()
        while queue.count >= capacity { cond.wait() }
        let wasEmpty = queue.isEmpty
        let now = Date()
        for k in kinds {
            queue.append(Event(seq: nextSeq, time: now, plugin: plugin, runId: runId, kind: k, host: host))
            nextSeq += 1
        }
        if !started {
            started = true
            let t = Thread { [self] in deliverLoop() }
            t.name = "contsec-bus"
            t.start()
        }
        if wasEmpty { cond.broadcast() }
        cond.unlock()
    }

    private func deliverLoop() {
        var batch: [Event] = []
        batch.reserveCapacity(capacity)
        while true {
            cond.lock()
            while queue.isEmpty { cond.wait() }
            swap(&batch, &queue)
            delivering = true
            let targets = sinks
            cond.broadcast()  // room in the queue again
            cond.unlock()
            for e in batch { for s in targets { s.receive(e) } }
            cond.lock()
            delivered += UInt64(batch.count)
            delivering = false
            cond.broadcast()
            cond.unlock()
            batch.removeAll(keepingCapacity: true)
        }
    }

    /// Waits until every event published so far has reached every sink.
    public func drain() {
        cond.lock()
        while delivered < nextSeq - 1 { cond.wait() }
        cond.unlock()
    }

    /// Delivers what is queued, then lets every sink write its final output.
    public func finish() {
        drain()
        cond.lock()
        let all = sinks
        cond.unlock()
        for s in all { s.finish() }
    }
}
