import Foundation

/// Runs the built `contsec` with the built `contsec-registry`, as a user would: JSON report to a file, the daily log
/// in `logDir`, `environment` added.
public enum ContsecRun {
    public struct Output {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// The `--format json` report.
        public var report: [String: Any]
        public var findings: [[String: Any]] { ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["finding"] as? [String: Any] } }
        public var actions: [[String: Any]] { ((report["actions"] as? [[String: Any]]) ?? []).compactMap { ($0["action"] as? [String: Any]) ?? $0 } }
        public var summary: [String: Any] {
            ((report["plugins"] as? [[String: Any]])?.first?["summary"] as? [String: Any]) ?? [:]
        }
    }

    /// The folder with `contsec` and `contsec-registry`: CONTSEC_BUILD_DIR, else beside the test bundle.
    public static func buildDirectory() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["CONTSEC_BUILD_DIR"],
                          (CommandLine.arguments[0] as NSString).deletingLastPathComponent].compactMap { $0 }
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/contsec")
            && FileManager.default.isExecutableFile(atPath: dir + "/contsec-registry") {
            return dir
        }
        throw FixtureError("contsec and contsec-registry are not built beside the tests (\(candidates)): run swift build first")
    }

    public static func registry(_ arguments: [String], workspace: String, environment: [String: String] = [:],
                                logDir: String? = nil, global: [String] = []) throws -> Output {
        let bin = try buildDirectory()
        let report = NSTemporaryDirectory() + "contsec-registry-test-report-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: report) }
        let log = logDir.map { ["--log-dir", $0] } ?? ["--no-log"]
        let result = try runCommand(bin + "/contsec", log + ["--workspace", workspace, "--format", "json", "--output", report]
                                    + global + ["run", "registry"] + arguments + ["--plugin-path", bin + "/contsec-registry"],
                                    environment: environment, currentDirectory: workspace)
        let data = (try? Data(contentsOf: URL(fileURLWithPath: report))) ?? Data()
        let json = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return Output(status: result.status, stdout: result.stdout, stderr: result.stderr, report: json)
    }
}
