#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol
import ProcessKit

/// One fresh plugin process driven by the conformance kit at the byte level: it sends exactly the bytes a check
/// wants (CRLF, oversized, out-of-order) and records every line the plugin writes, for the audit.
///
/// Unlike ``PluginConnection`` it publishes nothing: lines are kept raw so that a malformed one can be shown
/// to the plugin's author as it was.
final class ConformanceSession: @unchecked Sendable {
    enum Answer {
        case result(JSONValue, line: String)
        case error(RPCError, line: String)
        case closed
        case timedOut
    }

    let process: ChildProcess
    private let audit: MessageAudit
    private let check: String
    private let cond = NSCondition()
    private var answers: [RequestID: Answer] = [:]
    /// Error answers with a null id: the plugin could not read something we sent. Whoever waits gets them.
    private var unaddressed: [Answer] = []
    private var stdoutClosed = false
    private var stderrClosed = false
    private(set) var lines: [String] = []
    private var stderrTail = StderrTail(maxLines: 20, maxLineBytes: 300)
    private var nextID = 1
    /// Which method each request id was for, so an answer is checked against the right response schema.
    private var methods: [RequestID: String] = [:]
    /// `run` requests not answered yet: findings, actions and progress are valid only while one is (§9).
    private var runsInFlight = 0

    /// `launcher` runs the plugin through another program that execs it (same pid), e.g. `unshare --net --`.
    init(candidate: PluginCandidate, launcher: [String], environment: [String: String], audit: MessageAudit, check: String) throws {
        if let first = launcher.first {
            process = try ChildProcess(SpawnOptions(executable: first, arguments: Array(launcher.dropFirst()) + [candidate.path],
                                                    environment: environment, isolation: .session))
        } else {
            process = try ChildProcess(SpawnOptions(executable: candidate.path, environment: environment, isolation: .session))
        }
        self.audit = audit
        self.check = check
        let out = Thread { [self] in readStdout() }
        out.name = "contsec-conformance-out"
        out.start()
        let err = Thread { [self] in readStderr() }
        err.name = "contsec-conformance-err"
        err.start()
    }

    // MARK: sending

    func newID() -> RequestID {
        cond.lock(); defer { cond.unlock() }
        nextID += 1
        return .int(nextID - 1)
    }

    @discardableResult
    func request(_ method: String, _ params: JSONValue?, id: RequestID? = nil, terminator: String = "\n") -> RequestID {
        let id = id ?? newID()
        cond.lock()
        methods[id] = method
        if method == Method.run { runsInFlight += 1 }
        cond.unlock()
        var bytes = JSONWriter.bytes(RPCMessage.request(id: id, method: method, params: params).json)
        bytes.append(contentsOf: Array(terminator.utf8))
        process.stdin.send(bytes)
        return id
    }

    func notify(_ method: String, _ params: JSONValue?, terminator: String = "\n") {
        var bytes = JSONWriter.bytes(RPCMessage.notification(method: method, params: params).json)
        bytes.append(contentsOf: Array(terminator.utf8))
        process.stdin.send(bytes)
    }

    /// Waits for the answer to `id`.
    func wait(_ id: RequestID, timeout: TimeInterval) -> Answer {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock(); defer { cond.unlock() }
        while true {
            if let a = answers.removeValue(forKey: id) { return a }
            if !unaddressed.isEmpty { return unaddressed.removeFirst() }
            if stdoutClosed { return .closed }
            if !cond.wait(until: deadline) { return answers.removeValue(forKey: id) ?? .timedOut }
        }
    }

    func call(_ method: String, _ params: JSONValue?, timeout: TimeInterval, id: RequestID? = nil, terminator: String = "\n") -> Answer {
        wait(request(method, params, id: id, terminator: terminator), timeout: timeout)
    }

    /// Waits for the process to exit; nil if it is still running at the deadline.
    func waitExit(timeout: TimeInterval) -> ExitStatus? {
        process.waitExit(until: Date().addingTimeInterval(timeout))
    }

    var stderr: [String] {
        cond.lock(); defer { cond.unlock() }
        return stderrTail.contents
    }

    /// Lets the readers take in what the plugin wrote before it exited.
    func drain(timeout: TimeInterval = 1) {
        let deadline = Date().addingTimeInterval(timeout)
        cond.lock()
        while !(stdoutClosed && stderrClosed) && cond.wait(until: deadline) {}
        cond.unlock()
    }

    /// Ends the process and everything it started, whatever state it is in.
    func end() {
        process.stdin.close()
        if process.exitStatus == nil { _ = waitExit(timeout: 0.3) }
        process.terminate(grace: 1)
        drain()
    }

    // MARK: reading

    private func readStdout() {
        var splitter = FrameSplitter(maxFrameBytes: ProtocolInfo.defaultMaxMessageBytes)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(process.stdoutFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            chunk.withUnsafeBufferPointer { buf in
                splitter.feed(UnsafeBufferPointer(rebasing: buf[0..<n])) { event in
                    switch event {
                    case .frame(let line): handle(line)
                    case .oversized(let size):
                        audit.pollution(check: check, line: "(a \(size)-byte line, over the 16 MiB cap)")
                    }
                }
            }
        }
        if splitter.bufferedBytes > 0 { audit.pollution(check: check, line: "(stdout ended inside a line: no final newline)") }
        cond.lock(); stdoutClosed = true; cond.broadcast(); cond.unlock()
    }

    private func handle(_ bytes: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        cond.lock(); let inRun = runsInFlight > 0; cond.unlock()
        let message = audit.record(check: check, bytes: bytes, text: text, runInFlight: inRun) { id in
            cond.lock(); defer { cond.unlock() }
            return methods[id]
        }
        guard let message else { return }
        if case .response(let id?, _) = message {
            cond.lock()
            if methods[id] == Method.run && runsInFlight > 0 { runsInFlight -= 1 }
            cond.unlock()
        }
        cond.lock()
        if lines.count < 200 { lines.append(text) }
        if case .response(let id?, let result) = message {
            switch result {
            case .success(let v): answers[id] = .result(v, line: text)
            case .failure(let e): answers[id] = .error(e, line: text)
            }
        }
        if case .response(nil, .failure(let e)) = message { unaddressed.append(.error(e, line: text)) }
        cond.broadcast()
        cond.unlock()
    }

    private func readStderr() {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(process.stderrFD, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            while let nl = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<nl], as: UTF8.self)
                cond.lock(); stderrTail.append(line); cond.unlock()
                pending.removeFirst(nl + 1)
            }
            if pending.count > 64 * 1024 { pending.removeAll() }
        }
        cond.lock(); stderrClosed = true; cond.broadcast(); cond.unlock()
    }
}
