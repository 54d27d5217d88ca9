import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Why an external program could not be run, or did not succeed.
public enum ToolError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Not found on PATH (or the given path does not exist). The hint is the caller's install instruction.
    case toolMissing(tool: String, installHint: String)
    /// Found but not executable by this user.
    case notExecutable(path: String)
    /// posix_spawn itself failed.
    case spawnFailed(tool: String, reason: String)
    /// Killed after running longer than allowed.
    case timedOut(tool: String, seconds: Double)
    /// Ran but exited non-zero or on a signal; `stderrTail` is the end of what it printed.
    case failed(tool: String, status: String, stderrTail: String)

    public var description: String {
        switch self {
        case .toolMissing(let tool, let hint):
            return "\(tool) is not installed: \(hint)"
        case .notExecutable(let path):
            return "\(path) is not executable: check its permissions (chmod +x) or install the tool again"
        case .spawnFailed(let tool, let reason):
            return "could not start \(tool): \(reason)"
        case .timedOut(let tool, let seconds):
            return "\(tool) did not finish within \(seconds) s and was stopped"
        case .failed(let tool, let status, let tail):
            return tail.isEmpty ? "\(tool) failed (\(status))" : "\(tool) failed (\(status)): \(tail)"
        }
    }

    public var errorDescription: String? { description }
}

/// How a process ended.
public enum Termination: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    public var description: String {
        switch self {
        case .exited(let code): return "exit status \(code)"
        case .signaled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// Options for one run of an external program.
public struct ToolRunOptions: Sendable {
    /// Bytes written to the program's stdin, which is then closed. nil: stdin is /dev/null-like (closed at once).
    public var stdin: Data?
    /// Seconds before SIGTERM goes to the program's whole process group; nil: no limit.
    public var timeout: Double?
    /// Seconds between SIGTERM and SIGKILL.
    public var killGrace: Double
    /// Most bytes kept of each of stdout and stderr (half from the start, half from the end).
    public var outputCap: Int
    /// Environment for the program; nil inherits this process's. `CONTSEC_SUPERVISION_TAG` is always added: it is
    /// how whatever the program leaves behind (even outside its process group) is found and ended.
    public var environment: [String: String]?
    /// Variables set on top of `environment` (or of the inherited environment), e.g. ["TRIVY_NO_PROGRESS": "true"].
    public var environmentOverrides: [String: String]
    public var workingDirectory: String?
    /// Shown in `toolMissing` when the program is not found, e.g. "install it with `apt-get install strace`".
    public var installHint: String
    /// End whatever is left once the program exits (its process group, and processes that left it but carry its
    /// supervision tag), so no orphan outlives it.
    /// Turn off only for tools that daemonize on purpose.
    public var killGroupOnExit: Bool
    /// When set, the program's stdout and stderr go to this file (created 0600, truncated) instead of being
    /// captured. For tools that daemonize (a FUSE filesystem): the daemon they leave behind inherits the file, not
    /// pipes to this process, so it is never killed by a broken pipe or kept waiting on a reader that went away.
    public var outputFile: String?

    public init(stdin: Data? = nil, timeout: Double? = nil, killGrace: Double = 2, outputCap: Int = 16 << 20,
                environment: [String: String]? = nil, environmentOverrides: [String: String] = [:],
                workingDirectory: String? = nil,
                installHint: String = "install it and make sure it is on PATH", killGroupOnExit: Bool = true,
                outputFile: String? = nil) {
        self.stdin = stdin; self.timeout = timeout; self.killGrace = killGrace; self.outputCap = outputCap
        self.environment = environment; self.environmentOverrides = environmentOverrides
        self.workingDirectory = workingDirectory; self.installHint = installHint
        self.killGroupOnExit = killGroupOnExit; self.outputFile = outputFile
    }
}

/// The outcome of a run.
public struct ToolResult: Sendable, Equatable {
    public var executable: String
    public var arguments: [String]
    /// The child's pid, which is also its process group id.
    public var pid: Int32
    public var termination: Termination
    public var stdout: Data
    public var stderr: Data
    /// Bytes dropped from the middle of stdout / stderr because of the cap.
    public var stdoutDropped: Int
    public var stderrDropped: Int
    public var timedOut: Bool
    public var duration: Double

    public var succeeded: Bool { termination == .exited(0) && !timedOut }
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    public var stdoutTruncated: Bool { stdoutDropped > 0 }
    public var stderrTruncated: Bool { stderrDropped > 0 }

    /// Returns self if the program exited 0 in time, else throws `.timedOut` or `.failed` with the stderr tail.
    @discardableResult
    public func checked() throws -> ToolResult {
        let tool = (executable as NSString).lastPathComponent
        if timedOut { throw ToolError.timedOut(tool: tool, seconds: duration.rounded()) }
        guard termination == .exited(0) else {
            let tail = String(stderrText.suffix(500)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ToolError.failed(tool: tool, status: termination.description, stderrTail: tail)
        }
        return self
    }
}

/// Runs external programs directly (never through a shell), each in its own process group, with a timeout,
/// optional stdin, and stdout/stderr captured concurrently up to a cap.
public struct ToolRunner: Sendable {
    /// Directories searched for a bare program name.
    public var searchPath: [String]

    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        searchPath = (path ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").split(separator: ":").map(String.init)
    }

    /// The absolute path of `tool`: itself if it contains a `/`, else the first executable match on the search path.
    public func resolve(_ tool: String, installHint: String) throws -> String {
        if tool.contains("/") {
            guard access(tool, F_OK) == 0 else { throw ToolError.toolMissing(tool: tool, installHint: installHint) }
            guard access(tool, X_OK) == 0 else { throw ToolError.notExecutable(path: tool) }
            return tool
        }
        var nonExecutable: String?
        for directory in searchPath where !directory.isEmpty {
            let candidate = directory + "/" + tool
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            nonExecutable = nonExecutable ?? candidate
        }
        if let nonExecutable { throw ToolError.notExecutable(path: nonExecutable) }
        throw ToolError.toolMissing(tool: tool, installHint: installHint)
    }

    /// Runs `tool` with `arguments` and waits for it. A non-zero exit is not an error here: inspect the result
    /// or call `checked()`. Cancelling the calling task kills the process group.
    public func run(_ tool: String, _ arguments: [String] = [], options: ToolRunOptions = ToolRunOptions()) async throws -> ToolResult {
        try await runStreaming(tool, arguments, options: options, onLine: nil)
    }

    /// Like `run`, and hands each stdout line (without its newline) to `onLine` as soon as it arrives,
    /// for progress reporting; `onStderrLine` gets stderr's lines the same way (tools that log progress there).
    /// Lines are still captured in the result.
    public func runStreaming(_ tool: String, _ arguments: [String] = [], options: ToolRunOptions = ToolRunOptions(),
                             onLine: (@Sendable (String) -> Void)?,
                             onStderrLine: (@Sendable (String) -> Void)? = nil) async throws -> ToolResult {
        let executable = try resolve(tool, installHint: options.installHint)
        let process = try SpawnedProcess(executable: executable, arguments: arguments, options: options)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(returning: process.waitForCompletion(onLine: onLine, onStderrLine: onStderrLine))
                }
                thread.name = "contsec-tool-\((executable as NSString).lastPathComponent)"
                thread.start()
            }
        } onCancel: {
            process.killGroup(SIGKILL)
        }
    }
}
