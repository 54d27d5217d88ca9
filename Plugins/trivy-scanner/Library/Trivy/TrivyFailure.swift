import Foundation

/// Reads a failed Trivy run's stderr and says what went wrong in words a user can act on.
public enum TrivyFailure {
    /// - Parameters:
    ///   - cacheDir: the cache directory Trivy used, named in database errors.
    ///   - offline: whether `--offline` was given (a database error then means "not in the cache").
    public static func classify(stderr: String, status: String, cacheDir: String, offline: Bool) -> TrivyScannerError {
        let fatal = fatalMessage(stderr)
        if stderr.contains("cannot be specified on the first run") || stderr.contains("first run cannot skip downloading DB") {
            return .databaseMissingOffline(cacheDir: cacheDir)
        }
        if stderr.contains("failed to download vulnerability DB") || stderr.contains("failed to download Java DB")
            || stderr.contains("DB error") {
            return offline ? .databaseMissingOffline(cacheDir: cacheDir)
                           : .databaseDownloadFailed(cacheDir: cacheDir, detail: fatal ?? tail(stderr))
        }
        return .trivyFailed(status: status, stderrTail: tail(stderr))
    }

    /// The text of Trivy's last FATAL log line and its continuation lines, on one line.
    static func fatalMessage(_ stderr: String) -> String? {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard let start = lines.lastIndex(where: { TrivyLogLine(parsing: $0).level == .fatal }) else { return nil }
        let text = lines[start...].map { TrivyLogLine(parsing: $0).message }.joined(separator: " ")
        return clip(text.replacingOccurrences(of: "Fatal error run error: ", with: ""))
    }

    /// The end of stderr, on one line, at most `limit` characters.
    static func tail(_ stderr: String, limit: Int = 800) -> String {
        let lines = stderr.split(separator: "\n", omittingEmptySubsequences: true).suffix(8)
        return clip(lines.map { TrivyLogLine(parsing: String($0)).message }.joined(separator: " | "), limit: limit)
    }

    private static func clip(_ text: String, limit: Int = 800) -> String {
        let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        return collapsed.count <= limit ? collapsed : "..." + String(collapsed.suffix(limit))
    }
}
