import Foundation

/// Runs the built `contsec` binary with the built trivy-scanner plugin, as a user would.
struct ContsecCLI {
    /// The folder holding both binaries: CONTSEC_BUILD_DIR, else beside the test bundle, else .build-trivy/debug.
    static func buildDirectory() throws -> String {
        let env = ProcessInfo.processInfo.environment
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let besideTests = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let candidates: [String] = [env["CONTSEC_BUILD_DIR"], besideTests,
                                    repo.appendingPathComponent(".build-trivy/debug").path].compactMap { $0 }
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/contsec")
            && FileManager.default.isExecutableFile(atPath: dir + "/contsec-trivy-scanner") {
            return dir
        }
        throw FixtureError("contsec and contsec-trivy-scanner are not built (looked in \(candidates.joined(separator: ", "))): "
            + "run swift build --scratch-path /work/main/.build-trivy --product contsec, then --product contsec-trivy-scanner")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// `contsec <global> run trivy-scanner <arguments> --plugin-path <built plugin>`, with the working directory
    /// `workspace` (also the workspace), no daily log file, and `environment` added to this process's.
    /// `logDir`: write the daily log file there instead of none.
    static func run(_ global: [String], _ arguments: [String], workspace: String,
                    environment: [String: String] = [:], timeout: Double = 180, logDir: String? = nil) throws -> Output {
        let bin = try buildDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/contsec")
        let log = logDir.map { ["--log-dir", $0] } ?? ["--no-log"]
        process.arguments = log + ["--workspace", workspace] + global + ["run", "trivy-scanner"] + arguments
            + ["--plugin-path", bin + "/contsec-trivy-scanner"]
        process.currentDirectoryURL = URL(fileURLWithPath: workspace)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        // Files, not pipes: nothing to drain concurrently, and no deadlock on a chatty run.
        let outPath = NSTemporaryDirectory() + "/contsec-trivy-test-out-\(UUID().uuidString)"
        let errPath = outPath + ".err"
        guard FileManager.default.createFile(atPath: outPath, contents: nil),
              FileManager.default.createFile(atPath: errPath, contents: nil) else {
            throw FixtureError("cannot create \(outPath)")
        }
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw FixtureError("contsec \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        return Output(status: process.terminationStatus,
                      stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }

    /// The JSON report a run wrote with `--format json --output FILE`.
    static func jsonReport(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FixtureError("\(path) is not a JSON object")
        }
        return object
    }

    /// The findings (the inner `finding` objects) of a JSON report.
    static func findings(_ report: [String: Any]) -> [[String: Any]] {
        ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["finding"] as? [String: Any] }
    }

    /// A run with a JSON report, and what it left in its private TMPDIR.
    struct ReportedRun {
        var output: Output
        var report: [String: Any]
        /// Entries of the plugin's temporary directory left after the run (must be none).
        var leftovers: [String]
    }

    /// `run` with `--offline`, a JSON report and a private TMPDIR, all inside `workspace`.
    static func runReported(_ arguments: [String], workspace: String, global: [String] = []) throws -> ReportedRun {
        let tmp = workspace + "/.tmp"
        try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        let reportPath = tmp + "/report.json"
        let output = try run(global + ["--format", "json", "--output", reportPath], arguments + ["--offline"],
                             workspace: workspace, environment: ["TMPDIR": tmp])
        let report = (try? jsonReport(reportPath)) ?? [:]
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp).filter { $0.hasPrefix("contsec-trivy") }
        return ReportedRun(output: output, report: report, leftovers: leftovers)
    }

    /// The actions (the inner `action` objects) of a JSON report.
    static func actions(_ report: [String: Any]) -> [[String: Any]] {
        ((report["actions"] as? [[String: Any]]) ?? []).compactMap { $0["action"] as? [String: Any] }
    }
}
