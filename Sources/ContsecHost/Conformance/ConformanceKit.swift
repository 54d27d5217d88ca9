#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// Limits the kit holds plugins to.
public struct ConformanceOptions: Sendable {
    /// For answers that need no work: initialize, errors, shutdown.
    public var answerTimeout: TimeInterval = 10
    /// For a whole run of a command.
    public var runTimeout: TimeInterval = 60
    /// A plugin must exit within this after stdin EOF, SIGTERM or `exit`.
    public var exitLimit: TimeInterval = 2
    /// A cancelled run must be answered within this.
    public var cancelGrace: TimeInterval = 5
    /// A run answered normally this soon after the cancel had finished before the cancel could take effect.
    public var cancelRaceWindow: TimeInterval = 1
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// nil: ``SchemaLocator`` finds them.
    public var schemaFolder: String?
    /// Run the plugin in a network namespace of its own when the machine allows it (see ``NetworkIsolation``).
    public var isolateNetwork = true

    public init() {}
}

/// A failed step inside a check: why, and the line that shows it.
struct CheckFailure: Error {
    var detail: String
    var message: String?
}

/// Drives one plugin through the protocol, one fresh process per check, and reports each check
/// (`contsec plugin test`). Runs are made with `dryRun: true` in a scratch workspace, so a conforming plugin
/// changes nothing while it is tested.
public final class ConformanceKit: @unchecked Sendable {
    public let candidate: PluginCandidate
    public let options: ConformanceOptions
    let audit: MessageAudit
    let schemaProblem: String?
    /// Scratch workspace; its sub-folder named `probe` tests non-ASCII paths.
    let sandbox: String
    static let probe = "ü漢字🙂"
    /// Put before the plugin's path on every start: empty, or `unshare --net --`.
    let launcher: [String]
    /// How the plugin's network was handled, for the report.
    let network: String
    var pluginName: String?
    var protocolVersion: String?

    public init(candidate: PluginCandidate, options: ConformanceOptions = ConformanceOptions()) {
        // Broken plugins exit before reading what the kit sends: a write must fail, not kill the kit.
        signal(SIGPIPE, SIG_IGN)
        self.candidate = candidate
        self.options = options
        var schemas: SchemaSet?
        var problem: String?
        let located = options.schemaFolder.map { (folder: Optional($0), searched: [$0]) }
            ?? SchemaLocator.find(environment: options.environment)
        if let folder = located.folder {
            do { schemas = try SchemaSet(folder: folder) } catch { problem = "cannot load the protocol's schemas: \(error)" }
        } else {
            problem = "the protocol's JSON schemas were not found (looked in \(located.searched.joined(separator: "; "))); "
                + "set CONTSEC_SCHEMA_DIR to sdk-protocol/schema"
        }
        audit = MessageAudit(schemas: schemas)
        schemaProblem = problem
        if options.isolateNetwork {
            switch NetworkIsolation.launcher() {
            case .success(let l): launcher = l; network = "isolated (own network namespace: no TCP/IP, unix sockets work)"
            case .failure(let why): launcher = []; network = "not isolated: \(why.description)"
            }
        } else {
            launcher = []
            network = "not isolated (--allow-network)"
        }
        sandbox = NSTemporaryDirectory() + "contsec-conformance-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: sandbox + "/" + Self.probe, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: sandbox) }

    /// The checks, in the order they run. The last two judge every line seen during all the others.
    public static let catalogue: [(id: String, title: String)] = [
        ("handshake", "initialize offering [\"1.1\",\"1.0\"] is answered with one of them and a valid description"),
        ("version-negotiation", "initialize offering only [\"99.0\"] is refused with -32010 and data.supported"),
        ("shutdown-exit", "shutdown is answered with null, then exit ends the process with status 0"),
        ("not-initialized", "a request before initialize gets -32002, and initialize still works after it"),
        ("unknown-method", "an unknown method gets -32601 (with a string id echoed back)"),
        ("invalid-params-command", "run with an unknown command gets -32602"),
        ("invalid-params-type", "run with a wrong-typed int/bool argument gets -32602"),
        ("run-default", "the default command runs (dry run, scratch workspace) and is answered"),
        ("invalid-params-values", "a missing required parameter and a value outside an enum get -32602"),
        ("invalid-state", "a second initialize, and a run while another is in flight, get -32014"),
        ("invalid-request", "a non-JSON line gets -32700, a batch and an object without id or method -32600, with id null"),
        ("cancel", "cancel of a run in flight is answered with -32800 within the grace period"),
        ("cancel-id-type", "cancel matches ids with their type: \"7\" does not cancel run 7"),
        ("shutdown-during-run", "shutdown while a run is in flight: the run is answered first, then shutdown, then nothing"),
        ("stdin-eof", "the plugin exits within 2 s of stdin EOF"),
        ("sigterm", "the plugin exits within 2 s of SIGTERM"),
        ("crlf", "messages ending in CR LF are accepted"),
        ("non-ascii", "non-ASCII text (\(probe)) round-trips"),
        ("large-message", "a ~900 KiB initialize under an announced 1 MiB cap is answered"),
        ("manifest", "a manifest, if present, is valid and matches the executable and the handshake"),
        ("stdout-clean", "every line on stdout is a JSON-RPC message (no stdout pollution)"),
        ("schema", "every message validates against sdk-protocol/schema"),
        ("host-rules", "every message passes the checks contsec applies in real runs (non-empty names, byte limits, no finding outside a run...)"),
    ]

    /// Runs every check; `progress` sees each result as it is known.
    public func run(progress: ((ConformanceCheckResult) -> Void)? = nil) -> ConformanceReport {
        var results: [ConformanceCheckResult] = []
        var handshakeFailed: String?
        for (id, title) in Self.catalogue {
            let r: ConformanceCheckResult
            if let why = handshakeFailed, Self.needsHandshake.contains(id) {
                // One reason, said once: without a handshake there is nothing else to drive.
                r = ConformanceCheckResult(id: id, title: title, passed: true, skipped: true, detail: "not run: \(why)")
                results.append(r)
                progress?(r)
                continue
            }
            switch perform(id) {
            case .success(let (detail, skipped)): r = ConformanceCheckResult(id: id, title: title, passed: true, skipped: skipped, detail: detail)
            case .failure(let f): r = ConformanceCheckResult(id: id, title: title, passed: false, detail: f.detail, message: f.message)
            }
            if id == "handshake" && !r.passed { handshakeFailed = "the handshake failed (see handshake)" }
            results.append(r)
            progress?(r)
        }
        return ConformanceReport(plugin: pluginName ?? candidate.name, path: candidate.path, network: network, checks: results,
                                 protocolVersion: protocolVersion)
    }

    /// Checks that drive the plugin past `initialize`: skipped, with one reason, when the handshake check fails.
    static let needsHandshake: Set<String> = [
        "shutdown-exit", "not-initialized", "unknown-method", "invalid-params-command", "invalid-params-type", "run-default",
        "invalid-params-values", "invalid-state", "invalid-request", "cancel", "cancel-id-type", "shutdown-during-run",
        "stdin-eof", "sigterm", "crlf", "non-ascii", "large-message",
    ]

    typealias Outcome = Result<(String, Bool), CheckFailure>


    private func perform(_ id: String) -> Outcome {
        switch id {
        case "handshake": return checkHandshake()
        case "version-negotiation": return checkVersionNegotiation()
        case "shutdown-exit": return checkShutdownExit()
        case "not-initialized": return checkNotInitialized()
        case "unknown-method": return checkUnknownMethod()
        case "invalid-params-command": return checkUnknownCommand()
        case "invalid-params-type": return checkWrongType()
        case "run-default": return checkRunDefault()
        case "cancel": return checkCancel()
        case "invalid-params-values": return checkParamValues()
        case "invalid-state": return checkInvalidState()
        case "invalid-request": return checkInvalidRequest()
        case "cancel-id-type": return checkCancelIdType()
        case "shutdown-during-run": return checkShutdownDuringRun()
        case "stdin-eof": return checkStdinEOF()
        case "sigterm": return checkSigterm()
        case "crlf": return checkCRLF()
        case "non-ascii": return checkNonASCII()
        case "large-message": return checkLargeMessage()
        case "manifest": return checkManifest()
        case "stdout-clean": return checkStdoutClean()
        case "schema": return checkSchema()
        case "host-rules": return checkHostRules()
        default: return .failure(CheckFailure(detail: "unknown check \(id)"))
        }
    }

    // MARK: helpers shared by the checks

    /// A fresh plugin process for one check, ended when `body` returns.
    func withSession<T>(_ check: String, _ body: (ConformanceSession) throws(CheckFailure) -> T) -> Result<T, CheckFailure> {
        var env = options.environment
        env["CONTSEC_PROTOCOL"] = ProtocolInfo.supportedVersions.first
        env["CONTSEC_WORKSPACE"] = sandbox
        env["CONTSEC_DRY_RUN"] = "1"
        // The same integrity rule as every exec: the file may have changed since the last check.
        if let refusal = PluginTrust.refusal(for: candidate, environment: options.environment) {
            return .failure(CheckFailure(detail: refusal))
        }
        let session: ConformanceSession
        do {
            session = try ConformanceSession(candidate: candidate, launcher: launcher, environment: env, audit: audit, check: check)
        } catch {
            return .failure(CheckFailure(detail: "cannot start \(candidate.path): \(error)"))
        }
        defer { session.end() }
        do { return .success(try body(session)) } catch { return .failure(error) }
    }

    func initializeParams(versions: [String] = ProtocolInfo.supportedVersions, maxMessageBytes: Int = ProtocolInfo.defaultMaxMessageBytes,
                          workspace: String? = nil, hostName: String = "contsec-conformance") -> JSONValue {
        ["protocolVersions": .array(versions.map(JSONValue.string)),
         "host": ["name": .string(hostName), "version": .string(ContsecVersion.current), "pid": .int(Int(getpid()))],
         "workspace": .string(workspace ?? sandbox), "dryRun": true, "verbose": false,
         "limits": ["maxMessageBytes": .int(maxMessageBytes)]]
    }

    /// Words for an answer that was not the expected one.
    func unexpected(_ a: ConformanceSession.Answer, _ s: ConformanceSession, waited: TimeInterval, what: String) -> CheckFailure {
        switch a {
        case .result(let v, let line): return CheckFailure(detail: "\(what): got a result instead: \(SchemaSet.show(v))", message: line)
        case .error(let e, let line): return CheckFailure(detail: "\(what): got \(e)", message: line)
        case .closed:
            s.drain()
            let status = s.waitExit(timeout: 1)?.description ?? "closed its stdout"
            let tail = s.stderr.last.map { "; last stderr line: \($0)" } ?? ""
            return CheckFailure(detail: "\(what): the plugin \(status) without answering\(tail)")
        case .timedOut: return CheckFailure(detail: "\(what): no answer within \(Int(waited)) s")
        }
    }

    /// initialize → a valid result → `initialized`. Returns the plugin's description.
    @discardableResult
    func handshake(_ s: ConformanceSession, params: JSONValue? = nil, terminator: String = "\n") throws(CheckFailure) -> InitializeResult {
        let a = s.call(Method.initialize, params ?? initializeParams(), timeout: options.answerTimeout, terminator: terminator)
        guard case .result(let v, let line) = a else {
            throw unexpected(a, s, waited: options.answerTimeout, what: "initialize was not answered with a result")
        }
        let r: InitializeResult
        do { r = try v.decode(InitializeResult.self, what: "result") } catch {
            throw CheckFailure(detail: "the initialize result is malformed: \(error)", message: line)
        }
        s.notify(Method.initialized, .object([:]), terminator: terminator)
        pluginName = pluginName ?? r.plugin.name
        return r
    }

    /// The command to exercise: the default one, else the first.
    func defaultCommand(_ r: InitializeResult) -> CommandSpec? { r.defaultCommand ?? r.commands.first }

    /// Arguments that satisfy a command's declaration. Path parameters that would otherwise get a default point
    /// into the scratch workspace, so that a run never reads or writes the user's current folder.
    func arguments(for c: CommandSpec, overriding: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var args: [String: JSONValue] = [:]
        for p in c.params {
            switch p.type {
            // A defaulted path (often ".") would point at the user's folder: point it at the scratch one instead.
            case .path where p.required || (p.default.map { !$0.isNull } ?? false): args[p.name] = .string(sandbox)
            case _ where !p.required: continue
            case .string: args[p.name] = .string(p.allowed?.first ?? "conformance")
            case .int: args[p.name] = p.default ?? .int(1)
            case .bool: args[p.name] = .bool(false)
            case .path: args[p.name] = .string(sandbox)
            case .list: args[p.name] = .array(p.allowed.map { [.string($0[0])] } ?? [])
            }
        }
        for (k, v) in overriding { args[k] = v }
        // Then as the host sends them: declared defaults filled in, paths absolute (the one shared definition).
        // An override that breaks the declaration on purpose (a wrong type) goes out as it is.
        return (try? c.checkArguments(args, resolvingPathsAgainst: sandbox)) ?? args
    }

    func runParams(_ command: String, _ args: [String: JSONValue]) -> JSONValue {
        ["command": .string(command), "args": .object(args)]
    }

    /// Sends `run` for the default command without waiting.
    func startRun(_ s: ConformanceSession, _ r: InitializeResult) throws(CheckFailure) -> RequestID {
        guard let c = defaultCommand(r) else { throw CheckFailure(detail: "the plugin declares no command") }
        return s.request(Method.run, runParams(c.name, arguments(for: c)))
    }

    static func describe(_ a: ConformanceSession.Answer) -> String {
        switch a {
        case .result(let v, _): return "a result \(SchemaSet.show(v))"
        case .error(let e, _): return "\(e)"
        case .closed: return "nothing (the plugin exited)"
        case .timedOut: return "nothing"
        }
    }

    static func line(_ a: ConformanceSession.Answer) -> String? {
        switch a {
        case .result(_, let l), .error(_, let l): return l
        default: return nil
        }
    }
}
