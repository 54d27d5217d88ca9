#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// The host's side of one plugin's stdio: sends requests, reads every frame the plugin writes, turns
/// notifications into bus events as they arrive, and hands responses to whoever waits for them.
///
/// Notifications are published from the reader thread the moment they are read, so nothing a plugin sent is lost
/// if it dies afterwards.
final class PluginConnection: @unchecked Sendable {
    enum WaitOutcome {
        case response(Result<JSONValue, RPCError>)
        /// The plugin closed stdout (it exited or crashed) before answering.
        case closed
        case timedOut(String)
        case interrupted
    }

    let process: PluginProcess
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

    init(process: PluginProcess, bus: EventBus, pluginName: String, runId: String, maxFrame: Int, echoStderr: Bool) {
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

    @discardableResult
    func sendRequest(_ method: String, _ params: JSONValue?) -> RequestID {
        cond.lock()
        let id = RequestID.int(nextID)
        nextID += 1
        if method == Method.run { runInFlight = true; runID = id }
        awaiting.insert(id)
        cond.unlock()
        process.write(RPCMessage.request(id: id, method: method, params: params).frame())
        return id
    }

    func sendNotification(_ method: String, _ params: JSONValue?) {
        process.write(RPCMessage.notification(method: method, params: params).frame())
    }

    // MARK: waiting

    /// Waits for the answer to `id`. `idle` is measured from the plugin's last message of any kind.
    func wait(for id: RequestID, deadline: Date, idle: TimeInterval?, phase: String, honourInterrupt: Bool = true) -> WaitOutcome {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if let r = responses.removeValue(forKey: id) { return .response(r) }
            if stdoutClosed { return .closed }
            if honourInterrupt && Interrupt.shared.isSet { return .interrupted }
            let now = Date()
            if now >= deadline { return .timedOut("no answer to \(phase) within its time limit") }
            // Never sleep past a minute at once: a long-running command's "no deadline" is .distantFuture, which
            // NSCondition cannot convert to a timespec.
            var wake = min(deadline, now.addingTimeInterval(60))
            if let idle {
                let idleEnd = lastActivity.addingTimeInterval(idle)
                if now >= idleEnd { return .timedOut("silent for \(Int(idle)) s during \(phase) (--idle-timeout \(Int(idle)))") }
                wake = min(wake, idleEnd)
            }
            _ = cond.wait(until: wake)
        }
    }

    private func wake() {
        cond.lock(); cond.broadcast(); cond.unlock()
    }

    /// Waits until the plugin has closed stdout and stderr, so every frame and log line it wrote is consumed.
    func waitDrained(until deadline: Date) {
        cond.lock()
        while !(stdoutClosed && stderrClosed) && cond.wait(until: deadline) {}
        cond.unlock()
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
        publish(.protocolWarning(text))
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

    private func violation(_ text: String) {
        flushPending()
        cond.lock()
        violationCount += 1
        if violations.count < 20 { violations.append(text) }
        cond.unlock()
        publish(.protocolWarning(text))
    }

    private func readStdout() {
        var splitter = FrameSplitter(maxFrameBytes: maxFrame)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(process.stdoutFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
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
        } catch is JSONParseError {
            let text = String(decoding: line.prefix(200), as: UTF8.self)
            violation("stdout pollution: a line that is not JSON: \(text)\(line.count > 200 ? "…" : "")")
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
        case .request(let id, let method, _):
            process.write(RPCMessage.response(id: id, result: .failure(RPCError(
                .methodNotFound, "plugins send no requests in protocol 1.0 or 1.1 (got '\(method)')"))).frame())
        case .notification(let method, let params):
            handleNotification(method, params ?? .null)
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
            if echoStderr { FileHandle.standardError.write(Data("[\(pluginName)] \(text)\n".utf8)) }
            publish(.stderr(text))
        }
        while true {
            let n = chunk.withUnsafeMutableBytes { read(process.stderrFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
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
