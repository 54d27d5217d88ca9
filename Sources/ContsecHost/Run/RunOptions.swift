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
    public var maxMessageBytes = ProtocolInfo.defaultMaxMessageBytes
    public var protocolVersions = ProtocolInfo.supportedVersions
    public var environment = ProcessInfo.processInfo.environment

    public init(workspace: String) { self.workspace = workspace }
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
