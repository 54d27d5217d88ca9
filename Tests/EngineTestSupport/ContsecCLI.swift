import Foundation

/// Runs the built `contsec` with a built plugin, as a user would at a shell: exit status, stdout, stderr.
public enum ContsecCLI {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct NotBuilt: Error, CustomStringConvertible {
        public let description: String
    }

    /// The folder holding `contsec` and `contsec-<plugin>`: CONTSEC_BUILD_DIR, else beside the test bundle.
    public static func buildDirectory(plugin: String) throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["CONTSEC_BUILD_DIR"],
                          (CommandLine.arguments[0] as NSString).deletingLastPathComponent].compactMap { $0 }
        for dir in candidates where FileManager.default.isExecutableFile(atPath: dir + "/contsec")
            && FileManager.default.isExecutableFile(atPath: dir + "/contsec-" + plugin) {
            return dir
        }
        throw NotBuilt(description: "contsec and contsec-\(plugin) are not built beside the tests (\(candidates)): run swift build first")
    }

    /// `contsec --no-log <global> run <plugin> <arguments> --plugin-path <built plugin>`, `environment` added to this
    /// process's (a value of "" removes the variable), standard input empty, stopped after `timeout` seconds.
    public static func run(_ plugin: String, _ arguments: [String], global: [String] = [], environment: [String: String] = [:],
                           timeout: Double = 120) throws -> Output {
        let bin = try buildDirectory(plugin: plugin)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/contsec")
        process.arguments = ["--no-log"] + global + ["run", plugin] + arguments + ["--plugin-path", bin + "/contsec-" + plugin]
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value.isEmpty ? nil : value }
        process.environment = env
        // Files, not pipes: nothing to drain concurrently, no deadlock on a long report.
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent("contsec-cli-test-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: base + ".err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw NotBuilt(description: "contsec run \(plugin) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
        }
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return Output(status: process.terminationStatus, stdout: out, stderr: err)
    }
}
