#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol
import ProcessKit

/// The host's side of one plugin's stdio: sends requests, reads every frame the plugin writes, turns
/// notifications into bus events as they arrive, and hands responses to whoever waits for them.
///
/// Notifications are published from the reader thread the moment they are read, so nothing a plugin sent is lost
/// if it dies afterwards. Nothing here blocks without a deadline: writes go through a non-blocking ``PipeWriter``,
/// waits end on the plugin's exit (watched by waitpid, not only stdout EOF), and the readers can be abandoned.
final class PluginConnection: @unchecked Sendable {
    enum WaitOutcome {
        case response(Result<JSONValue, RPCError>)
        /// The plugin closed stdout (it exited or crashed) before answering.
        case closed
        case timedOut(String)
        case interrupted
    }

    let process: ChildProcess
    private let bus: EventBus
    let pluginName: String
    let runId: String
    private let maxFrame: Int
    private let echoStderr: Bool

    private let cond = NSCondition()
    private var responses: [RequestID: Result<JSONValue, RPCError>] = [:]
    private var stdoutClosed = false
    private var stderrClosed = false
    private var lastActivity = Date()
    private var nextID = 1
    private var tail = StderrTail()
    /// Protocol breaches seen so far; any of them fails the run at the end (nothing is silently dropped).
    private(set) var violations: [String] = []
    private(set) var violationCount = 0
    private var interruptObserver: UUID?
    /// Answers to the plugin's own requests that did not fit in its stdin (it does not read it).
    private var droppedReplies = 0
    private var exitedAt: Date?
    /// After stop: the readers stop reading.
    private var abandoned = false
    /// How long after the plugin's exit a child holding its stdout may keep a waiter waiting.
    static let drainAfterExit: TimeInterval = 1

    init(process: ChildProcess, bus: EventBus, pluginName: String, runId: String, maxFrame: Int, echoStderr: Bool) {
        self.process = process
        self.bus = bus
        self.pluginName = pluginName
        self.runId = runId
        self.maxFrame = maxFrame
        self.echoStderr = echoStderr
        let out = Thread { [self] in readStdout() }
        out.name = "contsec-stdout-\(process.pid)"
        out.start()
        let err = Thread { [self] in readStderr() }
        err.name = "contsec-stderr-\(process.pid)"
        err.start()
        interruptObserver = Interrupt.shared.observe { [weak self] in self?.wake() }
        process.onExit { [weak self] _ in self?.noteExit() }
    }

    private func noteExit() {
        cond.lock()
        exitedAt = Date()
        cond.broadcast()
        cond.unlock()
    }

    /// True once the plugin has exited and the readers had their moment to take in what it wrote. Lock held.
    private var goneAndDrained: Bool {
        guard let exitedAt else { return false }
        return stdoutClosed || Date() >= exitedAt.addingTimeInterval(Self.drainAfterExit)
    }

    /// Stops the readers: after the kill ladder, nothing the plugin's leftovers write is read.
    func abandon() {
        cond.lock(); abandoned = true; cond.broadcast(); cond.unlock()
    }

    deinit {
        if let interruptObserver { Interrupt.shared.remove(interruptObserver) }
    }

    private func publish(_ kind: EventKind) {
        bus.publish(plugin: pluginName, runId: runId, kind)
    }

    /// Events decoded from the current read, handed to the bus together (one lock, one wake-up per read).
    private var pending: [EventKind] = []

    /// Sees every batch of events before the bus does (the live status line of a long-running command).
    var observer: (@Sendable ([EventKind]) -> Void)? {
        get { cond.lock(); defer { cond.unlock() }; return observerStorage }
        set { cond.lock(); observerStorage = newValue; cond.unlock() }
    }
    private var observerStorage: (@Sendable ([EventKind]) -> Void)?

    private func flushPending() {
        if !pending.isEmpty { observer?(pending) }
        bus.publish(plugin: pluginName, runId: runId, pending)
        pending.removeAll(keepingCapacity: true)
    }

    // MARK: sending

    /// Sends a request without blocking: a plugin that does not read its stdin is caught by the wait's deadline.
    /// `isRun`: the plugin's answer to it ends the run's stream of events.
    @discardableResult
    func sendRequest(_ method: String, _ params: JSONValue?, isRun: Bool = false) -> RequestID {
        cond.lock()
        let id = RequestID.int(nextID)
        nextID += 1
        if method == Method.run { runInFlight = true; runID = id }
        awaiting.insert(id)
        cond.unlock()
        process.stdin.send(RPCMessage.request(id: id, method: method, params: params).frame())
        return id
    }

    func sendNotification(_ method: String, _ params: JSONValue?) {
        process.stdin.send(RPCMessage.notification(method: method, params: params).frame())
    }



    // MARK: waiting

    /// Waits for the answer to `id`. `idle` is measured from the plugin's last message of any kind.
    func wait(for id: RequestID, deadline: Date, idle: TimeInterval?, phase: String, honourInterrupt: Bool = true) -> WaitOutcome {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let r = responses.removeValue(forKey: id) { return .response(r) }
            if stdoutClosed || goneAndDrained { return .closed }
            // A timed-out or interrupted request stays outstanding: the cancel that follows still expects its answer.
            if honourInterrupt && Interrupt.shared.isSet { return .interrupted }
            let now = Date()
            if now >= deadline { return .timedOut("no answer to \(phase) within its time limit") }
            // Never sleep past a minute at once: a long-running command's "no deadline" is .distantFuture.
            var wake = min(deadline, now.addingTimeInterval(60))
            if let exitedAt { wake = min(wake, exitedAt.addingTimeInterval(Self.drainAfterExit)) }
            if let idle {
                let idleEnd = lastActivity.addingTimeInterval(idle)
                if now >= idleEnd { return .timedOut("silent for \(Int(idle)) s during \(phase) (--idle-timeout \(Int(idle)))") }
                wake = min(wake, idleEnd)
            }
            _ = cond.waitSafely(until: wake)
        }
    }

    private func wake() {
        cond.lock(); cond.broadcast(); cond.unlock()
    }

    /// Waits until the plugin has closed stdout and stderr, so every frame and log line it wrote is consumed.
    func waitDrained(until deadline: Date) {
        cond.lock()
        while !(stdoutClosed && stderrClosed) && !abandoned && cond.wait(until: deadline) {}
        cond.unlock()
    }

    /// Reads what is there, waiting in short polls so that an abandoned reader stops. 0 at EOF or when abandoned.
    private func readChunk(_ fd: Int32, into chunk: inout [UInt8]) -> Int {
        while true {
            cond.lock()
            let stop = abandoned
            cond.unlock()
            if stop { return 0 }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            return max(n, 0)
        }
    }

    /// Warnings about what was discarded, for the end of the run (each kind once, with a count).
    func discardNotes() -> [String] {
        cond.lock(); defer { cond.unlock() }
        var notes: [String] = []
        if unpublishedWarnings > 0 {
            notes.append("\(unpublishedWarnings) more protocol warning(s) were counted but not listed")
        }
        if droppedReplies > 0 {
            notes.append("the plugin does not read its stdin: \(droppedReplies) answer(s) to its own requests were dropped")
        }
        return notes
    }

    var stderrTail: [String] {
        cond.lock(); defer { cond.unlock() }
        return tail.contents
    }

    // MARK: reading

    /// A breach the host tolerates (§4: unknown notifications, unsolicited responses): shown, but the run goes on
    /// and does not fail for it.
    private func notice(_ text: String) {
        flushPending()
        if countPublished() { publish(.protocolWarning(text)) }
    }

    /// Whether a `run` request is in flight: `finding`, `action` and `progress` are only valid then (§9).
    private var runInFlight = false
    /// Requests sent and not yet answered: a response to anything else is unsolicited.
    private var awaiting = Set<RequestID>()
    private var runID: RequestID?

    private func outsideRun(_ method: String) -> Bool {
        cond.lock(); defer { cond.unlock() }
        return !runInFlight
    }

    /// Warnings published one by one; past this they are only counted (a plugin writing a million garbage lines or
    /// stray answers must not become a million warnings in every report).
    static let maxPublishedWarnings = 100
    private var publishedWarnings = 0
    private var unpublishedWarnings = 0

    /// True while under the cap; counts what goes over it.
    private func countPublished() -> Bool {
        cond.lock(); defer { cond.unlock() }
        if publishedWarnings < Self.maxPublishedWarnings { publishedWarnings += 1; return true }
        unpublishedWarnings += 1
        return false
    }

    private func violation(_ text: String) {
        flushPending()
        cond.lock()
        violationCount += 1
        if violations.count < 20 { violations.append(text) }
        cond.unlock()
        if countPublished() { publish(.protocolWarning(text)) }
    }

    private func readStdout() {
        var splitter = FrameSplitter(maxFrameBytes: maxFrame)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = readChunk(process.stdoutFD, into: &chunk)
            if n <= 0 { break }
            cond.lock(); lastActivity = Date(); cond.unlock()
            chunk.withUnsafeBufferPointer { buf in
                splitter.feed(UnsafeBufferPointer(rebasing: buf[0..<n])) { event in
                    switch event {
                    case .frame(let line): handleFrame(line)
                    case .oversized(let size):
                        violation("a \(size)-byte message exceeds the \(maxFrame)-byte cap; it was discarded")
                    }
                }
            }
            flushPending()
        }
        if splitter.bufferedBytes > 0 { violation("stdout ended in the middle of a message (no final newline)") }
        cond.lock(); stdoutClosed = true; cond.broadcast(); cond.unlock()
    }

    private static let eventMethods: Set = [Method.finding, Method.action, Method.progress, Method.log]

    private func handleFrame(_ line: UnsafeBufferPointer<UInt8>) {
        let message: RPCMessage
        do {
            switch try FrameDecoder.decode(line) {
            case .finding(var f):
                // The hot path: straight from bytes to the bus.
                if outsideRun(Method.finding) { return violation("a finding outside a run (after its answer, or before it) was dropped: \(f.ruleId)") }
                if f.fingerprint == nil { f.fingerprint = f.defaultFingerprint }
                pending.append(.finding(f))
                return
            case .message(let m): message = m
            }
        } catch let e as JSONParseError {
            // Position and reason only: the line may be a finding that quotes a secret.
            violation("stdout pollution: a \(line.count)-byte line that is not JSON (\(e.reason) at byte \(e.offset))")
            return
        } catch let e as ValidationError {
            violation("rejected an invalid finding: \(e)")
            return
        } catch {
            violation("\(error)")
            return
        }
        switch message {
        case .response(let id?, let result):
            flushPending()  // everything the plugin sent before its answer is published before the answer is seen
            cond.lock()
            guard awaiting.remove(id) != nil else {
                cond.unlock()
                return notice("ignored a response to no request of ours (id \(id))")
            }
            if id == runID { runInFlight = false }
            responses[id] = result
            cond.broadcast()
            cond.unlock()
        case .response(nil, let result):
            // The plugin could not read something we sent: say what it said.
            if case .failure(let e) = result { violation("the plugin rejected a message: \(e)") }
        case .request(let id, let method, let params) where Self.eventMethods.contains(method):
            // Some JSON-RPC libraries send everything with an id. The event is taken (a finding must reach the
            // gate), acknowledged so a synchronous sender does not wait for ever, and the breach is reported.
            cond.lock()
            eventRequests += 1
            let first = eventRequests == 1
            cond.unlock()
            if first { violation("'\(method)' was sent as a request (with an id); events are notifications. It was accepted") }
            handleNotification(method, params ?? .null)
            reply(RPCMessage.response(id: id, result: .success(.null)))
        case .request(let id, let method, _):
            reply(RPCMessage.response(id: id, result: .failure(RPCError(
                .methodNotFound, "plugins send no requests in protocol 1.0 or 1.1 (got '\(method)')"))))
        case .notification(let method, let params):
            handleNotification(method, params ?? .null)
        }
    }

    private var eventRequests = 0

    /// Answers the plugin without ever blocking: if it does not read its stdin, the answer is dropped and counted.
    private func reply(_ message: RPCMessage) {
        if process.stdin.send(message.frame()) != .accepted {
            cond.lock(); droppedReplies += 1; cond.unlock()
        }
    }

    private func handleNotification(_ method: String, _ params: JSONValue) {
        do {
            switch try HostRules.notification(method, params) {
            case nil:
                notice("ignored unknown notification '\(method.prefix(64))'")  // §4: receivers ignore what they do not know
            case .finding(var f)?:
                if outsideRun(method) { return violation("a finding outside a run (after its answer, or before it) was dropped: \(f.ruleId)") }
                if f.fingerprint == nil { f.fingerprint = f.defaultFingerprint }  // only for envelopes the fast path leaves alone
                pending.append(.finding(f))
            case .action(let a)?:
                if outsideRun(method) { return violation("an action outside a run (after its answer, or before it) was dropped: \(a.kind) \(a.target)") }
                pending.append(.action(a))
            case .progress(let p)?:
                if outsideRun(method) { return violation("a progress notification outside a run was dropped") }
                pending.append(.progress(p))
            case .log(let l)?: pending.append(.log(l))
            }
        } catch {
            violation("rejected an invalid \(method): \(error)")
        }
    }

    private func readStderr() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        func line(_ bytes: ArraySlice<UInt8>) {
            var b = bytes
            if b.last == 0x0D { b = b.dropLast() }
            let text = String(decoding: b, as: UTF8.self)
            cond.lock(); tail.append(text); cond.unlock()
            if echoStderr { FileHandle.standardError.write(Data("[\(pluginName)] \(TerminalText.escaped(text))\n".utf8)) }
            publish(.stderr(text))
        }
        while true {
            let n = readChunk(process.stderrFD, into: &chunk)
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                line(pending[start..<nl])
                start = nl + 1
            }
            pending.removeFirst(start)
            // A plugin that writes megabytes without a newline still cannot grow us without bound.
            if pending.count > 64 * 1024 { line(pending[...]); pending.removeAll() }
        }
        if !pending.isEmpty { line(pending[...]) }
        cond.lock(); stderrClosed = true; cond.broadcast(); cond.unlock()
    }
}
