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
                if now >= idleEnd { return .timedOut("silent for \(Int(idle)) s during \(phase) (idle timeout)") }
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
            cond.lock(); responses[id] = result; cond.broadcast(); cond.unlock()
        case .response(nil, let result):
            // The plugin could not read something we sent: say what it said.
            if case .failure(let e) = result { violation("the plugin rejected a message: \(e)") }
        case .request(let id, let method, _):
            process.write(RPCMessage.response(id: id, result: .failure(RPCError(
                .methodNotFound, "plugins send no requests in protocol 1.0 (got '\(method)')"))).frame())
        case .notification(let method, let params):
            handleNotification(method, params ?? .null)
        }
    }

    private func handleNotification(_ method: String, _ params: JSONValue) {
        do {
            switch method {
            case Method.finding:
                var f = try Finding(json: params)  // only for envelopes the fast path leaves alone
                if f.fingerprint == nil { f.fingerprint = f.defaultFingerprint }
                pending.append(.finding(f))
            case Method.action: pending.append(.action(try Action(json: params)))
            case Method.progress: pending.append(.progress(try ProgressUpdate(json: params)))
            case Method.log: pending.append(.log(try LogMessage(json: params)))
            default: violation("unknown notification '\(method)'")
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
