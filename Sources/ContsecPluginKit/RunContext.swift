import Foundation

/// What a command handler gets: its arguments, the run's settings, and the ways to report.
///
/// All methods are safe to call from any thread. After the run is cancelled or answered, further emits are dropped.
public final class RunContext: @unchecked Sendable {
    /// The command's arguments, checked and with defaults filled in.
    public let arguments: Arguments
    /// The workspace folder (absolute); files a plugin writes belong under it.
    public let workspace: String
    /// When true, change nothing: report what would happen as actions with status `planned`.
    public let dryRun: Bool
    /// The user asked for detail (`--verbose`).
    public let verbose: Bool

    private let writer: FrameWriter
    private let lock = NSLock()
    private var cancelled = false
    private var closed = false

    init(arguments: Arguments, workspace: String, dryRun: Bool, verbose: Bool, writer: FrameWriter) {
        self.arguments = arguments
        self.workspace = workspace
        self.dryRun = dryRun
        self.verbose = verbose
        self.writer = writer
    }

    /// True once the host has sent `cancel` for this run. Long loops should check it.
    public var isCancelled: Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled
    }

    /// Throws ``PluginError/cancelled`` if the run was cancelled.
    public func checkCancellation() throws {
        if isCancelled { throw PluginError.cancelled }
    }

    /// Reports a finding to the host at once.
    public func emit(_ finding: Finding) {
        guard isOpen else { return }
        writer.send { finding.notificationFrame(into: &$0) }
    }

    /// Reports an action (done, or planned under dry-run).
    public func emit(_ action: Action) {
        notify(Method.action, action.json)
    }

    /// Reports progress; any message also tells the host the plugin is alive.
    public func progress(_ message: String? = nil, current: Int? = nil, total: Int? = nil) {
        notify(Method.progress, ProgressUpdate(message: message, current: current, total: total).json)
    }

    /// A log line for the user (shown with `--verbose`, always written to the log file).
    public func log(_ level: LogLevel, _ message: String) {
        notify(Method.log, LogMessage(level: level, message: message).json)
    }

    private func notify(_ method: String, _ params: JSONValue) {
        guard isOpen else { return }
        writer.send(.notification(method: method, params: params))
    }

    private var isOpen: Bool {
        lock.lock(); defer { lock.unlock() }
        return !closed
    }

    func markCancelled() {
        lock.lock(); cancelled = true; lock.unlock()
    }

    /// Called once the run's response is queued: later emits would arrive after the answer and are dropped.
    func close() {
        lock.lock(); closed = true; lock.unlock()
    }
}
