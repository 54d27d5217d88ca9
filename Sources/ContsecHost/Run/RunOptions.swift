import Foundation
import ContsecProtocol

/// Settings for running plugins, from global CLI options.
public struct RunOptions: Sendable {
    public var workspace: String
    public var dryRun = false
    public var verbose = false
    /// Hard maximum for a whole run (`--timeout`).
    public var timeout: TimeInterval = 3600
    public var handshakeTimeout: TimeInterval = 10
    /// A run that sends nothing at all for this long is considered hung.
    public var idleTimeout: TimeInterval = 300
    /// How long a cancelled plugin gets to answer before the kill ladder.
    public var cancelGrace: TimeInterval = 5
    /// Each rung of the kill ladder waits this long.
    public var ladderStep: TimeInterval = 2
    /// The user gave `--timeout` / `--idle-timeout`: they apply to long-running commands too.
    public var timeoutIsExplicit = false
    public var idleTimeoutIsExplicit = false
    /// Draw a live status line on stderr for long-running commands (stderr is a terminal).
    public var liveStatus = false
    public var maxMessageBytes = ProtocolInfo.defaultMaxMessageBytes
    public var protocolVersions = ProtocolInfo.supportedVersions
    public var environment = ProcessInfo.processInfo.environment

    public init(workspace: String) { self.workspace = workspace }

    /// The limits a run of `command` gets: the hard deadline (nil: none) and the idle limit (nil: none).
    /// A long-running command has neither unless the user asked (PROTOCOL.md, "Long-running commands").
    public func limits(for command: CommandSpec?, started: Date) -> (deadline: Date?, idle: TimeInterval?) {
        let longRunning = command?.longRunning == true
        return (longRunning && !timeoutIsExplicit ? nil : started.addingTimeInterval(timeout),
                longRunning && !idleTimeoutIsExplicit ? nil : idleTimeout)
    }
}

/// Everything known about one plugin run once it is over.
public struct RunRecord: Sendable {
    public var plugin: String
    public var path: String
    public var info: PluginInfo?
    public var command: String?
    public var runId: String
    public var result: RunResult?
    public var failure: PluginFailure?
    public var started: Date
    public var duration: TimeInterval
}
