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

extension ContsecCLI {
    /// `contsec` started in the background, as a user leaves a long-running command running in a terminal.
    final class Background: @unchecked Sendable {
        let process = Process()
        let report: String
        let stderrPath: String

        init(_ args: [String], workspace: String) throws {
            let bin = try ContsecCLI.buildDirectory()
            report = workspace + "/.report-\(UUID().uuidString).json"
            stderrPath = workspace + "/.stderr-\(UUID().uuidString).txt"
            _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
            process.executableURL = URL(fileURLWithPath: bin + "/contsec")
            process.arguments = ["--workspace", workspace, "run", "observability"] + args
                + ["--format", "json", "--output", report, "--plugin-path", bin + "/contsec-observability"]
            process.currentDirectoryURL = URL(fileURLWithPath: workspace)
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: stderrPath)
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }
        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// Ctrl-C: the terminal sends SIGINT to contsec (the plugin runs in a session of its own and gets no signal).
        func interrupt() { kill(pid, SIGINT) }

        /// Waits for contsec to exit; false if it is still running after `timeout` (it is then killed).
        func wait(timeout: Double) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate(); process.waitUntilExit(); return false }
            return true
        }

        var reportJSON: [String: Any] {
            (try? Data(contentsOf: URL(fileURLWithPath: report))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] } ?? [:]
        }
        /// The run's entry in the JSON report.
        var plugin: [String: Any] { ((reportJSON["plugins"] as? [[String: Any]]) ?? []).first ?? [:] }
    }

    /// Processes alive now: pid → (parent pid, session id).
    static func processTable() -> [Int32: (ppid: Int32, sid: Int32)] {
        var out: [Int32: (Int32, Int32)] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // After "pid (comm)": state ppid pgrp session …
            let f = stat[stat.index(after: close)...].split(separator: " ")
            guard f.count > 3, let ppid = Int32(f[1]), let sid = Int32(f[3]) else { continue }
            out[pid] = (ppid, sid)
        }
        return out
    }

    /// Every process below `pid`.
    static func descendants(of pid: Int32) -> [Int32] {
        let table = processTable()
        var found: [Int32] = []
        var frontier = [pid]
        while let p = frontier.popLast() {
            let children = table.filter { $0.value.ppid == p }.map(\.key)
            found += children
            frontier += children
        }
        return found
    }
}
