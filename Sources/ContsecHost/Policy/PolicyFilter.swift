import ContsecProtocol

/// A sink that also wants the findings the ignore file suppressed (JSON lists them, JSONL marks them, the log
/// file notes them). Sinks that do not conform never see an ignored finding: table, SARIF.
public protocol IgnoredFindingSink: EventSink {
    func receiveIgnored(_ event: Event, reason: String)
}

/// The one place where policy is decided: subscribed to the bus in front of the reporters, it decides once per
/// finding whether the ignore file suppresses it, counts what the gates look at, and hands each event on.
///
/// A wrapper rather than a rule inside each reporter, so every report agrees on what was ignored, and the gate
/// verdict is known (and attached to the JSON report and the log) before any reporter writes its final output.
public final class PolicyFilter: EventSink, @unchecked Sendable {
    public let sinks: [EventSink]
    public let ignore: IgnoreList?
    public let gate: GateOptions
    private var counter = GateCounter()
    public private(set) var ignoredCount = 0
    private var finalVerdict: GateVerdict?

    public init(sinks: [EventSink], ignore: IgnoreList?, gate: GateOptions) {
        self.sinks = sinks
        self.ignore = ignore
        self.gate = gate
    }

    public func receive(_ event: Event) {
        switch event.kind {
        case .finding(let f):
            if let ignore, let entry = ignore.match(f) {
                ignoredCount += 1
                let reason = ignore.reason(entry)
                for s in sinks { (s as? IgnoredFindingSink)?.receiveIgnored(event, reason: reason) }
                return
            }
            counter.add(f)
        case .pluginFinished(let r, _) where r.status == .gateTripped:
            counter.pluginGate(event.plugin, r.message)
        default: break
        }
        for s in sinks { s.receive(event) }
    }

    /// A finding ignored where it was first reported (a merged report replays it): counted and handed to the sinks
    /// that list ignored findings, never to the gates.
    public func receiveIgnored(_ event: Event, reason: String) {
        ignoredCount += 1
        for s in sinks { (s as? IgnoredFindingSink)?.receiveIgnored(event, reason: reason) }
    }

    /// The gates' verdict on everything received so far (final after `finish`).
    public var verdict: GateVerdict { finalVerdict ?? counter.verdict(gate) }

    public func finish() {
        let v = counter.verdict(gate)
        finalVerdict = v
        for s in sinks {
            if let json = s as? JSONReporter {
                json.attach("gate", v.json)
                if let ignore { json.attach("ignoreFile", ignore.json) }
            }
            if let log = s as? LogFileSink {
                if v.tripped { log.note("gate tripped: " + v.reasons.joined(separator: "; ")) }
                if ignoredCount > 0 { log.note("\(ignoredCount) finding\(ignoredCount == 1 ? "" : "s") ignored by \(ignore?.path ?? "the ignore file")") }
            }
        }
        for s in sinks { s.finish() }
    }
}
