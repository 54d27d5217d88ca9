import Foundation
import ContsecProtocol

extension PluginRun {
    /// Starts a plugin only to hear what it declares (`initialize`, then the usual stop), under dry-run in a scratch
    /// workspace that is removed afterwards. For `plugin install` (a manifest for a bare executable) and
    /// `completion` (commands and flags); the same trust checks as a run apply before the exec.
    public static func declaration(of candidate: PluginCandidate,
                                   environment: [String: String] = ProcessInfo.processInfo.environment,
                                   handshakeTimeout: TimeInterval = 10) -> Result<InitializeResult, PluginFailure> {
        let workspace = NSTemporaryDirectory() + "contsec-declare-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        var options = RunOptions(workspace: workspace)
        options.environment = environment
        options.dryRun = true
        options.handshakeTimeout = handshakeTimeout
        let run = PluginRun(candidate: candidate, options: options, bus: EventBus())
        defer { run.stop() }
        return run.start()
    }
}
