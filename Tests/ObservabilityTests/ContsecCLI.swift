import Foundation

/// Runs the built `contsec` with the built observability plugin, as a user would.
enum ContsecCLI {
    static func buildDirectory() throws -> String {
        let besideTests = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for dir in [ProcessInfo.processInfo.environment["CONTSEC_BUILD_DIR"], besideTests, repo.path + "/.build/debug"].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: dir + "/contsec") && FileManager.default.isExecutableFile(atPath: dir + "/contsec-observability") {
            return dir
        }
        throw ToolMissing(message: "contsec and contsec-observability are not built: run swift build")
    }

    struct Output: @unchecked Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var report: [String: Any]
        var findings: [[String: Any]] {
            ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["finding"] as? [String: Any] }
        }
        var actions: [[String: Any]] { (report["actions"] as? [[String: Any]]) ?? [] }
    }

    /// `contsec --workspace W run observability <args> --format json --output <tmp>`; the JSON report is parsed.
    static func run(_ args: [String], workspace: String, timeout: Double = 120) throws -> Output {
        let bin = try buildDirectory()
        let report = workspace + "/.report-\(UUID().uuidString).json"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin + "/contsec")
        p.arguments = ["--workspace", workspace, "run", "observability"] + args
            + ["--format", "json", "--output", report, "--plugin-path", bin + "/contsec-observability"]
        p.currentDirectoryURL = URL(fileURLWithPath: workspace)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(timeout)
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        while p.isRunning && Date() < deadline { usleep(20_000) }
        if p.isRunning { p.terminate(); p.waitUntilExit(); throw ToolMissing(message: "contsec \(args) did not finish in \(timeout) s") }
        defer { try? FileManager.default.removeItem(atPath: report) }
        let json = (try? Data(contentsOf: URL(fileURLWithPath: report))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        return Output(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self), report: json)
    }
}

extension ContsecCLI {
    /// Where tests keep artifacts for a person to look at (screenshots): `.build/test-artifacts`, never committed.
    static func artifactDirectory() -> String {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = ProcessInfo.processInfo.environment["CONTSEC_TEST_ARTIFACTS"] ?? repo.path + "/.build/test-artifacts"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}
