import Foundation
import ProcessKit
#if canImport(Glibc)
import Glibc
#endif

/// One run of a tool on ProcessKit's ``ChildProcess``: stdin fed, both outputs collected up to the cap, the
/// timeout enforced, and whatever the tool left behind ended when it exits.
final class SpawnedProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let options: ToolRunOptions
    private let child: ChildProcess
    private let started = Date()
    private let lock = NSLock()
    private var timedOut = false
    /// Set once the tool exited: readers give up on end-of-file after this moment.
    private var drainDeadline: Date?
    /// A process that left the group (setsid, a daemonizing tool) may keep the pipes open for ever: what it writes
    /// this soon after the exit is still read.
    private static let drainGrace: TimeInterval = 2

    var pid: pid_t { child.pid }

    init(executable: String, arguments: [String], options: ToolRunOptions) throws {
        self.executable = executable
        self.arguments = arguments
        self.options = options
        var environment = options.environment
        if !options.environmentOverrides.isEmpty {
            environment = (environment ?? ProcessInfo.processInfo.environment)
                .merging(options.environmentOverrides) { _, override in override }
        }
        do {
            child = try ChildProcess(SpawnOptions(
                executable: executable, arguments: arguments, environment: environment,
                workingDirectory: options.workingDirectory, isolation: .processGroup,
                stdinQueueLimit: max(options.stdin?.count ?? 0, 1), outputFile: options.outputFile))
        } catch {
            throw ToolError.spawnFailed(tool: executable, reason: error.reason)
        }
    }

    /// Signals the whole process group (no-op once it is gone).
    func killGroup(_ signal: Int32) { child.signalGroup(signal) }

    /// Feeds stdin, drains both outputs concurrently, enforces the timeout, waits for the exit. Blocks.
    func waitForCompletion(onLine: (@Sendable (String) -> Void)?, onStderrLine: (@Sendable (String) -> Void)? = nil) -> ToolResult {
        let group = DispatchGroup()
        let cap = options.outputCap
        nonisolated(unsafe) var stdoutResult = (Data(), 0)
        nonisolated(unsafe) var stderrResult = (Data(), 0)
        let outFD = child.stdoutFD, errFD = child.stderrFD
        startThread(group) { [self] in
            stdoutResult = OutputCollector.collect(outFD, cap: cap, onLine: onLine) { readersShouldStop }
        }
        startThread(group) { [self] in
            stderrResult = OutputCollector.collect(errFD, cap: cap, onLine: onStderrLine) { readersShouldStop }
        }
        if let input = options.stdin { child.stdin.send([UInt8](input)) }
        child.stdin.finish()

        if let timeout = options.timeout {
            let grace = options.killGrace
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                guard markTimedOutIfRunning() else { return }
                killGroup(SIGTERM)
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
                    if child.exitStatus == nil { killGroup(SIGKILL) }
                }
            }
        }

        let status = child.waitExit(until: .distantFuture) ?? .signaled(SIGKILL)
        lock.lock()
        let didTimeOut = timedOut
        lock.unlock()
        // Leftovers (background children, daemons that left the group) would otherwise outlive the run.
        if options.killGroupOnExit || didTimeOut { child.terminate(grace: 0.2) }
        lock.lock()
        drainDeadline = Date().addingTimeInterval(Self.drainGrace)
        lock.unlock()
        group.wait()
        child.stdin.close()

        let termination: Termination
        switch status {
        case .exited(let c): termination = .exited(c)
        case .signaled(let s): termination = .signaled(s)
        }
        return ToolResult(executable: executable, arguments: arguments, pid: child.pid, termination: termination,
                          stdout: stdoutResult.0, stderr: stderrResult.0, stdoutDropped: stdoutResult.1,
                          stderrDropped: stderrResult.1, timedOut: didTimeOut, duration: Date().timeIntervalSince(started))
    }

    private var readersShouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return drainDeadline.map { Date() >= $0 } ?? false
    }

    private func markTimedOutIfRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if child.exitStatus != nil { return false }
        timedOut = true
        return true
    }

    private func startThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }
}
