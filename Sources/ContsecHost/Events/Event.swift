import Foundation
import ContsecProtocol

/// Why a plugin run failed, in words a user can act on.
public struct PluginFailure: Error, Sendable, Hashable {
    public enum Kind: String, Sendable {
        case spawnFailed = "spawn-failed"
        case handshakeFailed = "handshake-failed"
        case versionMismatch = "version-mismatch"
        case crashed
        case timedOut = "timed-out"
        case protocolViolation = "protocol-violation"
        case runError = "run-error"
        case usage
        case interrupted
    }
    public var kind: Kind
    public var message: String
    /// The plugin's JSON-RPC error, when it sent one.
    public var rpcError: RPCError?
    /// How the process ended ("exited with status 3", "killed by signal 9 (SIGKILL)") when that is part of the failure;
    /// nil for a plugin that answered the run with an error and then exited 0.
    public var exitStatus: String?
    public var stderrTail: [String]

    public init(kind: Kind, message: String, rpcError: RPCError? = nil, exitStatus: String? = nil, stderrTail: [String] = []) {
        self.kind = kind
        self.message = message
        self.rpcError = rpcError
        self.exitStatus = exitStatus
        self.stderrTail = stderrTail
    }
}

/// What happened, as the bus carries it.
public enum EventKind: Sendable {
    case pluginStarted(path: String, command: String?)
    case pluginReady(PluginInfo)
    /// The rules the plugin declared in its handshake (protocol 1.1), for reports that describe rules (SARIF).
    case rules([RuleSpec])
    case finding(Finding)
    case action(Action)
    case progress(ProgressUpdate)
    case log(LogMessage)
    /// One line the plugin wrote to stderr.
    case stderr(String)
    /// The plugin broke the protocol but the run goes on (stdout pollution, an invalid notification...).
    case protocolWarning(String)
    case pluginFinished(RunResult, duration: TimeInterval)
    case pluginFailed(PluginFailure, duration: TimeInterval)

    public var name: String {
        switch self {
        case .pluginStarted: return "plugin-started"
        case .pluginReady: return "plugin-ready"
        case .rules: return "rules"
        case .finding: return "finding"
        case .action: return "action"
        case .progress: return "progress"
        case .log: return "log"
        case .stderr: return "stderr"
        case .protocolWarning: return "protocol-warning"
        case .pluginFinished: return "plugin-finished"
        case .pluginFailed: return "plugin-failed"
        }
    }
}

/// One event: stamped with a global sequence number, the plugin and the run it came from, and the host it ran on.
public struct Event: Sendable {
    public var seq: UInt64
    public var time: Date
    public var plugin: String
    public var runId: String
    public var kind: EventKind
    /// The machine the plugin ran on (``HostIdentity``); a merged report replays events of many hosts.
    public var host: String = HostIdentity.current
}
