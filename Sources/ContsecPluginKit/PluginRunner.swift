#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs a plugin's protocol loop on stdin/stdout. Call it from `main.swift`; it never returns.
public enum PluginRunner {
    /// How long a stopped long-running command's handler has to return its own outcome before the kit answers
    /// -32800 for it: inside the host's 5 s cancel grace.
    public static let longRunningStopGrace: TimeInterval = 3

    /// Serves `plugin` until `exit`, stdin EOF or SIGTERM.
    ///
    /// Before anything else it moves the protocol to a private copy of stdout and points fd 1 at stderr, so a
    /// stray `print` (the plugin's or a library's) lands in the log instead of corrupting the protocol stream.
    public static func main(_ plugin: Plugin) -> Never {
        signal(SIGPIPE, SIG_IGN)
        let protocolFD = dup(1)
        guard protocolFD >= 0 else { fatalError("contsec-\(plugin.name): cannot duplicate stdout") }
        _ = fcntl(protocolFD, F_SETFD, FD_CLOEXEC)
        dup2(2, 1)
        let session = PluginSession(plugin: plugin, writer: FrameWriter(fd: protocolFD))
        session.readLoop(fd: 0)
        session.finish()
    }
}

/// The plugin side of one connection: lifecycle state, dispatch, the current run.
final class PluginSession: @unchecked Sendable {
    let plugin: Plugin
    let writer: FrameWriter
    private let lock = NSLock()
    private var initialized = false
    private var shuttingDown = false
    private var initParams: InitializeParams?
    /// The protocol version chosen in `initialize`: what the answers may contain depends on it.
    private var version = "1.0"
    private var maxFrame = ProtocolInfo.defaultMaxMessageBytes
    private var current: (id: RequestID, context: RunContext, task: Task<Void, Never>, longRunning: Bool)?

    init(plugin: Plugin, writer: FrameWriter) {
        self.plugin = plugin
        self.writer = writer
    }

    func readLoop(fd: Int32) {
        var splitter = FrameSplitter(maxFrameBytes: ProtocolInfo.defaultMaxMessageBytes)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }  // EOF: the host is gone or done with us
            chunk.withUnsafeBufferPointer { buf in
                splitter.feed(UnsafeBufferPointer(rebasing: buf[0..<n])) { event in
                    switch event {
                    case .frame(let line): handle(line)
                    case .oversized(let size):
                        let text = "frame of \(size) bytes exceeds the \(maxFrame)-byte cap; discarded"
                        FileHandle.standardError.write(Data("contsec-\(plugin.name): \(text)\n".utf8))
                        // No notification before initialize (§3, §5): stderr only then.
                        lock.lock(); let ready = initialized; lock.unlock()
                        if ready { writer.send(.notification(method: Method.log, params: LogMessage(level: .error, message: text).json)) }
                    }
                }
            }
        }
    }

    func finish() -> Never {
        writer.flush()
        exit(0)
    }

    private func reply(_ id: RequestID, _ result: Result<JSONValue, RPCError>) {
        writer.send(.response(id: id, result: result))
    }

    private func handle(_ line: UnsafeBufferPointer<UInt8>) {
        let message: RPCMessage
        do {
            message = try RPCMessage(json: JSONParser.parse(line))
        } catch let e as JSONParseError {
            writer.send(.response(id: nil, result: .failure(RPCError(.parseError, "\(e)"))))
            return
        } catch let e as InvalidMessage {
            writer.send(.response(id: e.id, result: .failure(RPCError(.invalidRequest, e.reason))))
            return
        } catch {
            return
        }
        switch message {
        case .request(let id, let method, let params): request(id, method, params)
        case .notification(let method, let params): notification(method, params)
        case .response: break  // a plugin sends no requests in v1, so no response is expected
        }
    }

    private func request(_ id: RequestID, _ method: String, _ params: JSONValue?) {
        lock.lock()
        let isInitialized = initialized
        let isShutDown = shuttingDown
        lock.unlock()
        if isShutDown { return }  // §5: after the shutdown answer the plugin sends nothing; only exit or EOF matter
        if method != Method.initialize && !isInitialized {
            return reply(id, .failure(RPCError(.notInitialized, "not initialized: send initialize first")))
        }
        switch method {
        case Method.initialize: initialize(id, params)
        case Method.run: run(id, params)
        case Method.shutdown:
            // After this answer the plugin sends nothing more (PROTOCOL.md): a run still going is abandoned.
            lock.lock()
            shuttingDown = true
            let abandoned = current
            current = nil
            lock.unlock()
            if let abandoned {
                abandoned.context.markCancelled()
                abandoned.context.close()
                abandoned.task.cancel()
                // §5: the run is answered before `shutdown` is, and nothing of it follows.
                reply(abandoned.id, .failure(PluginError.cancelled.rpcError))
            }
            reply(id, .success(.null))
        default:
            reply(id, .failure(RPCError(.methodNotFound, "method not found: \(method)")))
        }
    }

    private func notification(_ method: String, _ params: JSONValue?) {
        switch method {
        case Method.exit: finish()
        case Method.cancel:
            guard let raw = params?["id"], let id = RequestID(json: raw) else { return }
            cancel(id)
        default: break  // `initialized` and unknown notifications need no answer
        }
    }

    private func initialize(_ id: RequestID, _ params: JSONValue?) {
        lock.lock()
        if initialized {
            lock.unlock()
            return reply(id, .failure(RPCError(.invalidState, "already initialized")))
        }
        lock.unlock()
        let p: InitializeParams
        do {
            p = try (params ?? .null).decode(InitializeParams.self, what: "params")
        } catch {
            return reply(id, .failure(RPCError(.invalidParams, "initialize: \(error)")))
        }
        guard let version = ProtocolInfo.negotiate(offered: p.protocolVersions, supported: plugin.protocolVersions) else {
            return reply(id, .failure(RPCError(
                .unsupportedVersion,
                "unsupported protocol version: host offers \(p.protocolVersions.joined(separator: ", ")); plugin supports \(plugin.protocolVersions.joined(separator: ", "))",
                data: ["supported": .array(plugin.protocolVersions.map(JSONValue.string))])))
        }
        lock.lock()
        initialized = true
        initParams = p
        self.version = version
        maxFrame = p.limits.maxMessageBytes
        lock.unlock()
        let result = InitializeResult(
            protocolVersion: version,
            plugin: PluginInfo(name: plugin.name, version: plugin.version, vendor: plugin.vendor, description: plugin.description),
            // Protocol 1.0 has no `longRunning`: an older host simply applies its usual timeouts.
            commands: plugin.commands.map { c in
                var spec = c.spec
                if !ProtocolInfo.supports(.longRunning, version: version) { spec.longRunning = false }
                return spec
            },
            capabilities: Capabilities(cancel: true, progress: true, dryRun: true),
            rules: plugin.rules.isEmpty || !ProtocolInfo.supports(.ruleMetadata, version: version) ? nil : plugin.rules)
        do {
            reply(id, .success(try JSONValue(encoding: result)))
        } catch {
            reply(id, .failure(RPCError(.internalError, "cannot encode initialize result: \(error)")))
        }
    }

    private func run(_ id: RequestID, _ params: JSONValue?) {
        let p: RunParams
        do {
            p = try (params ?? .null).decode(RunParams.self, what: "params")
        } catch {
            return reply(id, .failure(RPCError(.invalidParams, "run: \(error)")))
        }
        guard let command = plugin.commands.first(where: { $0.spec.name == p.command }) else {
            let names = plugin.commands.map(\.spec.name).joined(separator: ", ")
            return reply(id, .failure(RPCError(.invalidParams, "unknown command '\(p.command)' (commands: \(names))",
                                               data: ["param": "command"])))
        }
        let args: [String: JSONValue]
        do {
            // As the host does, and as the Python SDK does: defaults filled in, paths absolute (against our cwd).
            args = try command.spec.checkArguments(p.args, resolvingPathsAgainst: FileManager.default.currentDirectoryPath)
        } catch {
            return reply(id, .failure(RPCError(.invalidParams, "\(p.command): --\(error.field): \(error.reason)",
                                               data: ["param": .string(error.field)])))
        }
        lock.lock()
        if current != nil || shuttingDown {
            lock.unlock()
            return reply(id, .failure(RPCError(.invalidState, shuttingDown ? "shutting down" : "a run is already in progress")))
        }
        let ip = initParams!
        let version = self.version
        let context = RunContext(arguments: Arguments(args), workspace: ip.workspace, dryRun: ip.dryRun,
                                 verbose: ip.verbose, writer: writer)
        let handler = command.handler
        let task = Task.detached { [self] in
            let result: Result<JSONValue, RPCError>
            do {
                let outcome = try await handler(context)
                result = .success(try JSONValue(encoding: outcome.result(protocolVersion: version)))
            } catch let e as PluginError {
                result = .failure(e.rpcError)
            } catch is CancellationError {
                result = .failure(PluginError.cancelled.rpcError)
            } catch {
                result = .failure(RPCError(.runFailed, "\(error)"))
            }
            self.complete(id, result)
        }
        current = (id, context, task, command.spec.longRunning && ProtocolInfo.supports(.longRunning, version: version))
        lock.unlock()
    }

    /// Sends the run's answer once: whichever of "handler finished" and "cancelled" comes first.
    private func complete(_ id: RequestID, _ result: Result<JSONValue, RPCError>) {
        lock.lock()
        guard let c = current, c.id == id else { lock.unlock(); return }
        current = nil
        c.context.close()
        // Queue the answer under the lock so it cannot overtake or be overtaken by a concurrent cancel's answer.
        reply(id, result)
        lock.unlock()
    }

    private func cancel(_ id: RequestID) {
        lock.lock()
        let c = current
        lock.unlock()
        guard let c, c.id == id else { return }  // unknown or finished: ignore
        c.context.markCancelled()
        c.task.cancel()
        if c.longRunning {
            // Stopping is how a long-running command ends: its handler answers with what it did (or -32800) —
            // unless it takes too long, then the kit answers for it.
            DispatchQueue.global().asyncAfter(deadline: .now() + PluginRunner.longRunningStopGrace) { [self] in
                complete(id, .failure(PluginError.cancelled.rpcError))
            }
            return
        }
        // Answer at once (LSP's rule: a cancelled request is still answered); the handler may take a moment to notice.
        complete(id, .failure(PluginError.cancelled.rpcError))
    }
}
