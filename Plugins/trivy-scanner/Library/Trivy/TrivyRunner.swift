import Foundation
import ContainerKit

/// Runs one trivy command whose report goes to a file, streaming its log lines, and returns the report's bytes.
public struct TrivyRunner: Sendable {
    public let executable: String
    /// Hard limit for one Trivy run, in seconds (the host's run limit is the same by default).
    public var timeout: Double = 3600
    private let tools = ToolRunner()

    public init(executable: String) { self.executable = executable }

    /// - Parameters:
    ///   - output: the `--output` path in `arguments`, read back after Trivy exits 0.
    ///   - cacheDir, offline: named in database errors.
    ///   - onLog: each stderr log line as it arrives.
    public func run(_ arguments: [String], output: String, cacheDir: String, offline: Bool,
                    onLog: @escaping @Sendable (TrivyLogLine) -> Void) async throws -> Data {
        let result: ToolResult
        do {
            result = try await tools.runStreaming(
                executable, arguments, options: ToolRunOptions(timeout: timeout, outputCap: 1 << 20, installHint: TrivyLocator.installHint),
                onLine: nil, onStderrLine: { line in if !line.isEmpty { onLog(TrivyLogLine(parsing: line)) } })
        } catch ToolError.toolMissing(let tool, _) {
            throw TrivyScannerError.toolMissing(tool: tool, install: TrivyLocator.installHint)
        } catch let error as ToolError {
            throw TrivyScannerError.trivyFailed(status: "not started", stderrTail: error.description)
        }
        try Task.checkCancellation()
        if result.timedOut { throw TrivyScannerError.timedOut(seconds: Int(timeout)) }
        guard result.succeeded else {
            throw TrivyFailure.classify(stderr: result.stderrText, status: result.termination.description,
                                        cacheDir: cacheDir, offline: offline)
        }
        guard let data = FileManager.default.contents(atPath: output) else {
            throw TrivyScannerError.badReport("trivy exited 0 but wrote no report to \(output); its log ends: "
                + TrivyFailure.tail(result.stderrText))
        }
        return data
    }

    /// Trivy's default cache directory when `--cache-dir` is not given (for messages).
    public static func defaultCacheDir(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dir = environment["TRIVY_CACHE_DIR"], !dir.isEmpty { return dir }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/trivy" }
        return (environment["HOME"] ?? "~") + "/.cache/trivy"
    }
}
