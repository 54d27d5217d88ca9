import Foundation
import ContainerKit

/// Checks generated Prometheus files with the real `promtool` (Debian's `prometheus` package) before any of them is
/// written to the workspace: `check config` (which also loads the rule files), `check rules`, `test rules`.
public enum SetupValidator {
    public struct Check: Sendable, Equatable {
        public var command: String
        /// The file checked, as generated (e.g. `observability/prometheus/alerts.yml`).
        public var file: String
        public var passed: Bool
        public var output: String
    }

    public static let install = "apt-get install prometheus (Debian's package carries promtool)"

    /// Writes `files` into a private temporary folder and runs promtool on them there.
    /// - Throws: `ToolError` when promtool is not installed.
    public static func validate(_ files: [GeneratedFile], options: SetupOptions, runner: ToolRunner = ToolRunner()) async throws -> [Check] {
        let promtool = try runner.resolve("promtool", installHint: install)
        let scratch = NSTemporaryDirectory() + "contsec-setup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for f in files {
            let path = scratch + "/" + f.path
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try f.text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let dir = scratch + "/" + options.directory + "/prometheus"
        var checks: [Check] = []
        for args in [["check", "config", "prometheus.yml"], ["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]] {
            let r = try await runner.run(promtool, args, options: ToolRunOptions(timeout: 60, workingDirectory: dir, installHint: install))
            let output = (r.stdoutText + r.stderrText).trimmingCharacters(in: .whitespacesAndNewlines)
            checks.append(Check(command: "promtool " + args.joined(separator: " "), file: options.directory + "/prometheus/" + args[2],
                                passed: r.succeeded, output: output))
        }
        return checks
    }
}
