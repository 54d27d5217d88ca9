import Foundation
import ContsecProtocol

/// Runs the built `contsec` with the built seccomp-gen plugin, as a user would, and reads its JSON report.
enum CLI {
    struct Result {
        var status: Int32
        var stderr: String
        var report: JSONValue
        var findings: [JSONValue] { (report["findings"]?.arrayValue ?? []).compactMap { $0["finding"] } }
        var actions: [JSONValue] { (report["actions"]?.arrayValue ?? []).compactMap { $0["action"] } }
        var summary: JSONValue? { report["plugins"]?.arrayValue?.first?["summary"] }
        var table: JSONValue? { report["plugins"]?.arrayValue?.first?["table"] }
    }

    static func buildDirectory() throws -> String {
        let besideTests = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for dir in [ProcessInfo.processInfo.environment["CONTSEC_BUILD_DIR"], besideTests, repo.path + "/.build/debug"].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: dir + "/contsec")
            && FileManager.default.isExecutableFile(atPath: dir + "/contsec-seccomp-gen") {
            return dir
        }
        throw CLIError(message: "contsec and contsec-seccomp-gen are not built: swift build --build-tests")
    }

    struct CLIError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// `contsec --no-log --workspace W [global] run seccomp-gen ARGS --format json --output report`.
    static func run(_ arguments: [String], workspace: String, global: [String] = [], timeout: Double = 180) throws -> Result {
        let bin = try buildDirectory()
        let report = workspace + "/.report-\(UUID().uuidString.prefix(8)).json"
        let errPath = NSTemporaryDirectory() + "contsec-seccomp-test-\(UUID().uuidString).err"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath); try? FileManager.default.removeItem(atPath: report) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/contsec")
        // Global options before `run`: create and learn have an --output of their own.
        process.arguments = ["--no-log", "--workspace", workspace, "--format", "json", "--output", report,
                             "--plugin-path", bin + "/contsec-seccomp-gen"] + global + ["run", "seccomp-gen"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workspace)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw CLIError(message: "contsec \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        let json = (try? String(contentsOfFile: report, encoding: .utf8)).flatMap { try? JSONParser.parse($0) } ?? .null
        return Result(status: process.terminationStatus,
                      stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "", report: json)
    }

    /// A fresh workspace folder, removed by the caller.
    static func workspace() throws -> String {
        let dir = NSTemporaryDirectory() + "contsec-seccomp-ws-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return (dir as NSString).resolvingSymlinksInPath
    }
}
