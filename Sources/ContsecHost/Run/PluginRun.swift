#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol
import ProcessKit

/// Drives one plugin process through its life: spawn, handshake, one run, and a clean or forced stop.
///
/// Every failure becomes a ``PluginFailure`` with words for the user; nothing here crashes or hangs the host.
public final class PluginRun: @unchecked Sendable {
    public let candidate: PluginCandidate
    /// Settable until `run` starts: flags given after the plugin name may change timeouts.
    public var options: RunOptions
    public let runId: String
    let bus: EventBus
    private var process: ChildProcess?
    private var connection: PluginConnection?
    public private(set) var info: InitializeResult?
    private let started = Date()

    public init(candidate: PluginCandidate, options: RunOptions, bus: EventBus, runId: String = PluginRun.makeRunId()) {
        self.candidate = candidate
        self.options = options
        self.bus = bus
        self.runId = runId
    }

    public static func makeRunId() -> String {
        String(UUID().uuidString.lowercased().prefix(8))
    }

    var name: String { candidate.name }

    private func failure(_ kind: PluginFailure.Kind, _ message: String, rpc: RPCError? = nil) -> PluginFailure {
        PluginFailure(kind: kind, message: message, rpcError: rpc, exitStatus: process?.exitStatus?.description,
                      stderrTail: connection?.stderrTail ?? [])
    }

    /// Starts the plugin and performs the handshake.
    /// Nothing is published yet: the caller may still be choosing its reporters from the plugin's declared flags.
    public func start() -> Result<InitializeResult, PluginFailure> {
        var env = options.environment
        env["CONTSEC_PROTOCOL"] = options.protocolVersions.first
        env["CONTSEC_WORKSPACE"] = options.workspace
        env["CONTSEC_DRY_RUN"] = options.dryRun ? "1" : "0"
        // Integrity before every exec: files others can write, or an executable that no longer matches its manifest.
        // The hash is taken from an open descriptor and that same inode is executed: renaming another file onto the
        // path after the check changes nothing.
        let verified: Int32?
        switch PluginTrust.verifiedExecutable(for: candidate, environment: options.environment) {
        case .failure(let refusal): return .failure(failure(.spawnFailed, refusal.message))
        case .success(let fd): verified = fd
        }
        defer { if let verified { close(verified) } }
        do {
            process = try ChildProcess(SpawnOptions(executable: candidate.path, environment: env, isolation: .session,
                                                    executableDescriptor: verified, stdinQueueLimit: options.maxMessageBytes + 1 << 20))
        } catch {
            return .failure(failure(.spawnFailed, "cannot start plugin \(name) (\(candidate.path)): \(error.reason)"))
        }
        let conn = PluginConnection(process: process!, bus: bus, pluginName: name, runId: runId,
                                    maxFrame: options.maxMessageBytes, echoStderr: options.verbose)
        connection = conn
        let params = InitializeParams(
            protocolVersions: options.protocolVersions,
            host: .init(name: "contsec", version: ContsecVersion.current, pid: Int(getpid())),
            workspace: options.workspace, dryRun: options.dryRun, verbose: options.verbose,
            limits: .init(maxMessageBytes: options.maxMessageBytes))
        let id = conn.sendRequest(Method.initialize, try? JSONValue(encoding: params))
        switch conn.wait(for: id, deadline: Date().addingTimeInterval(options.handshakeTimeout), idle: nil, phase: "initialize") {
        case .response(.success(let v)):
            do {
                if let chosen = v["protocolVersion"]?.stringValue, !options.protocolVersions.contains(chosen) {
                    return .failure(failure(.versionMismatch,
                        "plugin \(name) chose protocol \(chosen), which this contsec did not offer (\(options.protocolVersions.joined(separator: ", ")))"))
                }
                let r = try HostRules.initializeResult(v, offered: options.protocolVersions)
                if r.plugin.name != name {
                    // Found under one name, calling itself another: the user should know which plugin answered.
                    bus.publish(plugin: name, runId: runId, .protocolWarning(
                        "plugin \(name) (\(candidate.path)) calls itself '\(r.plugin.name)' in initialize; it is reported as \(name)"))
                }
                info = r
                conn.sendNotification(Method.initialized, .object([:]))
                return .success(r)
            } catch {
                return .failure(failure(.handshakeFailed, "plugin \(name) answered initialize with an invalid result: \(error)"))
            }
        case .response(.failure(let e)) where e.code == ErrorCode.unsupportedVersion.rawValue:
            let theirs = e.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let speaks = theirs.isEmpty ? "does not say which protocol versions it speaks" : "speaks protocol \(theirs.joined(separator: ", ")) only"
            return .failure(failure(.versionMismatch,
                "plugin \(name) \(speaks); this contsec speaks \(options.protocolVersions.joined(separator: ", ")). "
                + ProtocolInfo.mismatchAdvice(plugin: theirs, host: options.protocolVersions), rpc: e))
        case .response(.failure(let e)):
            return .failure(failure(.handshakeFailed, "plugin \(name) refused initialize: \(e)", rpc: e))
        case .closed:
            process?.waitExit(until: Date().addingTimeInterval(2))
            conn.waitDrained(until: Date().addingTimeInterval(1))
            return .failure(failure(.crashed, "plugin \(name) exited during the handshake (\(process?.exitStatus?.description ?? "still running"))"))
        case .timedOut:
            return .failure(failure(.timedOut, "plugin \(name) did not answer initialize within \(Int(options.handshakeTimeout)) s"))
        case .interrupted:
            return .failure(failure(.interrupted, "interrupted during the handshake with plugin \(name)"))
        }
    }

    /// Runs one command. Findings stream to the bus while it runs.
    public func run(command: String, args: [String: JSONValue]) -> Result<RunResult, PluginFailure> {
        guard let conn = connection else { return .failure(failure(.spawnFailed, "plugin \(name) is not started")) }
        let spec = info?.commands.first { $0.name == command }
        let longRunning = spec?.longRunning == true
        let limits = options.limits(for: spec, started: started)
        announce(command: command)
        var status: LiveStatusLine?
        if longRunning && options.liveStatus {
            let line = LiveStatusLine(label: "\(name) \(command)")
            conn.observer = { line.observe($0) }
            line.start()
            status = line
        }
        defer { status?.stop() }
        let id = conn.sendRequest(Method.run, try? JSONValue(encoding: RunParams(command: command, args: args)), isRun: true)
        let outcome = conn.wait(for: id, deadline: limits.deadline ?? .distantFuture, idle: limits.idle, phase: "run '\(command)'")
        if longRunning, case .interrupted = outcome {
            status?.stop()
            return stop(longRunning: command, id: id, conn: conn)
        }
        switch outcome {
        case .response(.success(let v)):
            do {
                let r = try HostRules.runResult(v)
                return checkViolations(then: .success(r))
            } catch {
                return .failure(failure(.protocolViolation, "plugin \(name) answered run with an invalid result: \(error)"))
            }
        case .response(.failure(let e)) where e.code == ErrorCode.invalidParams.rawValue:
            // The plugin judged the user's arguments (an unknown check id, say): a usage error, not a broken plugin.
            return .failure(failure(.usage, "plugin \(name) rejected its arguments: \(e.message)", rpc: e))
        case .response(.failure(let e)):
            return .failure(failure(.runError, Self.describe(e, plugin: name), rpc: e))
        case .closed:
            // Let the reader threads consume all the plugin wrote before it died, then report with its stderr.
            process?.waitExit(until: Date().addingTimeInterval(options.ladderStep))
            conn.waitDrained(until: Date().addingTimeInterval(1))
            let how = process?.exitStatus?.description ?? "closed its stdout"
            return .failure(failure(.crashed, "plugin \(name) crashed while running '\(command)': \(how)"))
        case .timedOut(let why):
            let answer = cancel(id, conn: conn)
            // Name the limit that fired: the idle one says so itself (--idle-timeout N).
            let limit = why.contains("--idle-timeout") ? "" : " (--timeout \(Int(options.timeout)))"
            return .failure(failure(.timedOut, "plugin \(name) timed out: \(why)\(limit)" + answer.suffix(grace: options.cancelGrace)))
        case .interrupted:
            let answer = cancel(id, conn: conn)
            return .failure(failure(.interrupted, "interrupted: run of plugin \(name) cancelled" + answer.suffix(grace: options.cancelGrace)))
        }
    }

    /// Ctrl-C or SIGTERM is how a long-running command ends: `cancel`, then its answer within the grace is a
    /// normal end — its own result, or "stopped" for -32800. Only silence past the grace is a failure.
    private func stop(longRunning command: String, id: RequestID, conn: PluginConnection) -> Result<RunResult, PluginFailure> {
        conn.sendNotification(Method.cancel, ["id": id.json])
        let stoppedAfter = LiveStatusLine.duration(Date().timeIntervalSince(started))
        switch conn.wait(for: id, deadline: Date().addingTimeInterval(options.cancelGrace), idle: nil, phase: "cancel", honourInterrupt: false) {
        case .response(.success(let v)):
            do {
                var r = try HostRules.runResult(v)
                if r.message == nil { r.message = "stopped after \(stoppedAfter)" }
                return checkViolations(then: .success(r))
            } catch {
                return .failure(failure(.protocolViolation, "plugin \(name) answered run with an invalid result: \(error)"))
            }
        case .response(.failure(let e)) where e.code == ErrorCode.cancelled.rawValue:
            return checkViolations(then: .success(RunResult(status: .ok, message: "stopped after \(stoppedAfter)")))
        case .response(.failure(let e)):
            return .failure(failure(.runError, "plugin \(name) failed while stopping '\(command)': \(e.message)", rpc: e))
        case .closed:
            return .failure(failure(.crashed, "plugin \(name) exited while stopping '\(command)' without answering it"))
        case .timedOut, .interrupted:
            return .failure(failure(.interrupted, "interrupted: plugin \(name) did not stop '\(command)' within \(Int(options.cancelGrace)) s of the cancel"))
        }
    }

    enum CancelAnswer {
        case answered, silent, cutShort
        func suffix(grace: TimeInterval) -> String {
            switch self {
            case .answered: return ""
            case .silent: return " (it did not answer the cancel within \(Int(grace)) s)"
            case .cutShort: return " (a second Ctrl-C cut the \(Int(grace)) s cancel grace short)"
            }
        }
    }

    /// §10: `cancel`, then up to the cancel grace for the answer — the same grace for Ctrl-C, SIGTERM and a
    /// timeout. A second Ctrl-C (or SIGTERM) ends the wait at once; the kill ladder follows in `stop()` either way.
    private func cancel(_ id: RequestID, conn: PluginConnection) -> CancelAnswer {
        conn.sendNotification(Method.cancel, ["id": id.json])
        let graceEnd = Date().addingTimeInterval(options.cancelGrace)
        // The press that caused this cancel does not count; any further one does.
        let allowed = Interrupt.shared.presses > 0 ? 1 : 0
        while Date() < graceEnd {
            if Interrupt.shared.presses > allowed { return .cutShort }
            if case .timedOut = conn.wait(for: id, deadline: min(graceEnd, Date().addingTimeInterval(0.1)), idle: nil,
                                          phase: "cancel", honourInterrupt: false) { continue }
            return .answered
        }
        return .silent
    }

    /// A plugin's error answer in words; -32011 is built from its `data` (tool and how to install it).
    static func describe(_ e: RPCError, plugin: String) -> String {
        if e.code == ErrorCode.toolMissing.rawValue, let tool = e.data?["tool"]?.stringValue, let install = e.data?["install"]?.stringValue {
            return "plugin \(plugin): \(tool) is not installed: \(install)"
        }
        return "plugin \(plugin) failed: \(e.message)"
    }

    private func checkViolations(then result: Result<RunResult, PluginFailure>) -> Result<RunResult, PluginFailure> {
        guard let conn = connection, conn.violationCount > 0 else { return result }
        let shown = conn.violations.prefix(10)
        let which = conn.violationCount > shown.count ? "the first \(shown.count) of them" : (shown.count == 1 ? "it" : "all \(shown.count)")
        return .failure(failure(.protocolViolation,
            "plugin \(name) broke the protocol \(conn.violationCount) time\(conn.violationCount == 1 ? "" : "s") (\(which) below); "
            + "everything valid it sent is reported:\n  " + shown.joined(separator: "\n  ")))
    }

    /// The kill ladder: shutdown → exit + close stdin → SIGTERM to the group → SIGKILL. Also reaps stragglers.
    public func stop() {
        guard let process, let conn = connection else { return }
        let step = options.ladderStep
        if process.exitStatus == nil {
            let id = conn.sendRequest(Method.shutdown, nil)
            _ = conn.wait(for: id, deadline: Date().addingTimeInterval(step), idle: nil, phase: "shutdown", honourInterrupt: false)
            conn.sendNotification(Method.exit, nil)
            process.stdin.finish()
            process.waitExit(until: Date().addingTimeInterval(step))
        }
        process.stdin.close()
        let cleanup = process.terminate(grace: step)
        conn.waitDrained(until: Date().addingTimeInterval(1))
        conn.abandon()
        for note in conn.discardNotes() { bus.publish(plugin: name, runId: runId, .protocolWarning(note)) }
        if !cleanup.escaped.isEmpty {
            // The protocol forbids processes that outlive the plugin; they were found by the tag they inherited.
            bus.publish(plugin: name, runId: runId, .protocolWarning(
                "plugin \(name) left \(cleanup.escaped.count) process(es) running outside its session (setsid or a double fork): "
                + cleanup.escaped.joined(separator: ", ") + "; contsec killed them"))
        }
    }

    private var announced = false

    /// Publishes "started" and "ready" once, when the run begins (or fails before it could).
    private func announce(command: String?) {
        guard !announced else { return }
        announced = true
        bus.publish(plugin: name, runId: runId, .pluginStarted(path: candidate.path, command: command))
        if let info { bus.publish(plugin: name, runId: runId, .pluginReady(info.plugin)) }
        if let rules = info?.rules, !rules.isEmpty { bus.publish(plugin: name, runId: runId, .rules(rules)) }
    }

    /// Start, run, stop, and publish how it ended: the whole life of a plugin for one command.
    /// `resolve` maps the user's flags onto the command once the plugin has declared its commands.
    public func execute(resolve: (InitializeResult) -> Result<(command: String, args: [String: JSONValue]), PluginFailure>) -> RunRecord {
        var command: String?
        let outcome: Result<RunResult, PluginFailure>
        switch start() {
        case .failure(let f): outcome = .failure(f)
        case .success(let initResult):
            switch resolve(initResult) {
            case .failure(let f): outcome = .failure(f)
            case .success(let (c, args)):
                command = c
                outcome = run(command: c, args: args)
            }
        }
        return finish(command: command, outcome)
    }

    /// Stops the plugin and publishes how the run ended.
    public func finish(command: String?, _ outcome: Result<RunResult, PluginFailure>) -> RunRecord {
        announce(command: command)
        var record = RunRecord(plugin: name, path: candidate.path, info: info?.plugin, command: command, runId: runId,
                               started: started, duration: 0)
        stop()
        record.duration = Date().timeIntervalSince(started)
        var outcome = outcome
        // Breaches seen while stopping (a finding after the run's answer) still fail the run.
        if case .success = outcome { outcome = checkViolations(then: outcome) }
        switch outcome {
        case .success(let r):
            record.result = r
            bus.publish(plugin: name, runId: runId, .pluginFinished(r, duration: record.duration))
        case .failure(var f):
            // Refresh: the tail and exit status may have grown while stopping.
            f.stderrTail = connection?.stderrTail ?? f.stderrTail
            f.exitStatus = process?.exitStatus?.description ?? f.exitStatus
            // A plugin that answered the run with an error and then shut down cleanly did not fail by exiting:
            // "exited with status 0" beside a failed run reads as a contradiction, so it is left out.
            if f.rpcError != nil, process?.exitStatus == .exited(0) { f.exitStatus = nil }
            record.failure = f
            bus.publish(plugin: name, runId: runId, .pluginFailed(f, duration: record.duration))
        }
        return record
    }
}

public enum ContsecVersion {
    public static let current = "0.1.0"
}
