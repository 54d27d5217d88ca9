#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// Long-running commands (protocol 1.1, PROTOCOL.md §7): no timeouts unless asked, a live status line on a
/// terminal, and Ctrl-C as the normal way to end them. testkit's `serve` is one.
@Suite(.serialized) struct LongRunningTests {
    @Test func ctrlCEndsALongRunningCommandNormallyWithItsOwnOutcome() async throws {
        let r = try await contsec(["run", "testkit", "serve", "--format", "json", "--no-log"], interruptAfter: 2.5)
        #expect(r.code == 0, "a stopped long-running command is a normal end: \(r.stderr)")
        let entry = pluginEntry(r.json, "testkit")
        #expect(entry?["status"] == "ok")
        #expect(entry?["message"]?.stringValue?.hasPrefix("stopped after ") == true)
        // The plugin's own outcome (a summary the host could not have made up): 200 ms ticks for at most 2.5 s, fewer
        // when start-up on a busy machine eats into it.
        let ticks = entry?["summary"]?["ticks"]?.intValue ?? -1
        #expect((0...13).contains(ticks), "ticks \(ticks)")
        #expect(findings(r.json).map(\.["ruleId"]) == ["TK-0"])
    }

    @Test func anIdleTimeoutTheUserGivesStillApplies() async throws {
        let silent = try await contsec(["run", "testkit", "serve", "--tick-ms", "0", "--idle-timeout", "1", "--no-log"], timeout: 20)
        #expect(silent.code == 3)
        #expect(silent.stderr.contains("silent for 1 s during run 'serve' (--idle-timeout 1)"), "\(silent.stderr)")
        #expect(!silent.stderr.contains("--timeout "), "the idle limit is named, not the hard one: \(silent.stderr)")
        // Progress keeps it alive: ticking every 200 ms, a 1 s idle limit never fires; Ctrl-C ends it.
        let ticking = try await contsec(["run", "testkit", "serve", "--tick-ms", "200", "--idle-timeout", "1", "--no-log"],
                                        interruptAfter: 2.5, timeout: 20)
        #expect(ticking.code == 0, "\(ticking.stderr)")
        #expect(ticking.stdout.contains("testkit: ok (stopped after 2s)"), "\(ticking.stdout)")
    }

    @Test func aHardTimeoutTheUserGivesStillApplies() async throws {
        let r = try await contsec(["run", "testkit", "serve", "--timeout", "1", "--no-log"], timeout: 20)
        #expect(r.code == 3)
        #expect(r.stderr.contains("timed out"), "\(r.stderr)")
    }

    @Test func longRunningCommandsGetNoTimeoutsUnlessAsked() {
        let started = Date()
        var o = RunOptions(workspace: "/tmp")
        let serve = CommandSpec(name: "serve", description: "d", longRunning: true)
        let scan = CommandSpec(name: "scan", description: "d")
        #expect(o.limits(for: serve, started: started).deadline == nil)
        #expect(o.limits(for: serve, started: started).idle == nil)
        #expect(o.limits(for: scan, started: started).deadline == started.addingTimeInterval(3600))
        #expect(o.limits(for: scan, started: started).idle == 300)
        o.timeout = 60; o.timeoutIsExplicit = true
        o.idleTimeout = 30; o.idleTimeoutIsExplicit = true
        #expect(o.limits(for: serve, started: started).deadline == started.addingTimeInterval(60))
        #expect(o.limits(for: serve, started: started).idle == 30)
    }

    /// On a real terminal (a pty from util-linux `script`), Ctrl-C typed into it: the live status line is drawn,
    /// then erased, and the run ends normally.
    @Test func liveStatusLineOnATerminal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            Issue.record("util-linux script is not installed: apt-get install bsdutils"); return
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        // `exec`: contsec itself is the terminal's foreground process, as when a user types the command. Without it
        // a shell that does not exec its last command (dash, CI's /bin/sh) waits, dies of the SIGINT, and `script`
        // reports 130 whatever contsec did.
        p.arguments = ["-q", "-e", "-c", "exec \(Paths.contsec) run testkit serve --no-log", "/dev/null"]
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = NSTemporaryDirectory() + "contsec-test-home"
        env["CONTSEC_PLUGIN_PATH"] = Paths.testPlugins
        p.environment = env
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = DataBox()
        let reader = Thread { data.set(output.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        Thread.sleep(forTimeInterval: 2.5)
        input.fileHandleForWriting.write(Data([0x03]))  // Ctrl-C, as typed: the pty sends SIGINT to contsec
        let deadline = Date().addingTimeInterval(15)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { p.terminate(); Issue.record("contsec did not stop on Ctrl-C"); return }
        while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
        let text = String(decoding: data.get(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("\r\u{1B}[2K⟳ testkit serve · running 1s · 1 finding · tick "), "\(text)")
        #expect(text.contains(" · Ctrl-C stops"))
        #expect(text.contains("testkit: ok (stopped after 2s)"))
        #expect(!text.contains("\u{1B}[2Ktestkit: tick"), "the table's own progress line stays off during a long-running run")
    }
}
