import Foundation

/// One line of Trivy's stderr log: `2026-12-01T05:24:17Z<TAB>INFO<TAB>[secret] Secret scanning is enabled`.
public struct TrivyLogLine: Sendable, Equatable {
    public enum Level: String, Sendable { case debug = "DEBUG", info = "INFO", warn = "WARN", error = "ERROR", fatal = "FATAL" }

    /// nil for a continuation line of a multi-line message.
    public var level: Level?
    /// The message with Trivy's key=value fields, without the timestamp and level.
    public var message: String

    public init(level: Level?, message: String) { self.level = level; self.message = message }

    /// Trivy logs at ERROR that it uses its built-in checks when the check bundle is not cached, which is exactly
    /// what `--offline` (`--skip-check-update`) asks for: not worth an error on the user's screen.
    public var isEmbeddedChecksFallback: Bool { message.contains("Falling back to embedded checks") }

    public init(parsing line: String) {
        let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        if fields.count >= 3, let level = Level(rawValue: String(fields[1])) {
            self.level = level
            // Trivy separates its key=value fields from the message with another tab.
            message = fields[2].split(separator: "\t").joined(separator: " ")
        } else {
            level = nil
            message = line.trimmingCharacters(in: .whitespaces)
        }
    }
}
