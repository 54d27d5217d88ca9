#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// Issue #12: hostile plugins must never hang, crash, drop or deceive the host. Each test is a small hostile
/// plugin; contsec runs under a memory cap and a time limit, so a regression fails the test, not the machine.
@Suite struct HostilePluginTests {
    /// Items 1 and 13: findings sent as requests by a plugin that does not read its stdin while it sends them.
    /// The host's answers used to fill the pipe and block it in write(2) for ever, and the findings were dropped.
    @Test func findingsSentAsRequestsToAPluginThatDoesNotReadAreKeptAndTripTheGate() async throws {
        let dir = try HostilePlugin.make("requester", runBody: """
            for i in range(20000):
                send({"jsonrpc": "2.0", "id": 1000 + i, "method": "finding", "params": finding("REQ-%d" % i, "critical" if i == 0 else "low")})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let started = Date()
        let r = try await contsecBounded(["run", "requester", "--plugin-path", dir, "--format", "json", "--no-log", "--fail-on", "high"],
                                         timeout: 60)
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(findings(r.json).count == 20000, "every finding is kept")
        #expect(r.json?["gate"]?["tripped"] == true, "the critical one reaches the gate")
        #expect(r.code == 3, "the breach fails the run: \(r.stderr)")
        #expect(r.stderr.contains("'finding' was sent as a request (with an id)"))
    }

    /// Item 1: a run request bigger than the pipe, to a plugin that stopped reading after the handshake.
    @Test func aHugeRunRequestToAPluginThatStoppedReadingObeysTheTimeout() async throws {
        let dir = try HostilePlugin.make("deaf", params: #"[{"name": "item", "type": "list"}]"#, runBody: "pass",
                                         afterInitialize: "time.sleep(600)")
        let chunk = Array(repeating: "abcdefgh", count: 11_000).joined(separator: ",")
        let items = (0..<15).flatMap { _ in ["--item", chunk] }
        let started = Date()
        let r = try await contsecBounded(["run", "deaf", "--plugin-path", dir, "--timeout", "2", "--no-log"] + items, timeout: 40)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.code == 3)
        #expect(r.stderr.contains("timed out"))
    }

    /// Item 4: the plugin dies while a child it started still holds its stdout. Noticed at once (waitpid), not at
    /// the idle timeout, and reported as a crash with what it sent before.
    @Test func aCrashIsNoticedAtOnceWhileAChildHoldsStdout() async throws {
        let tag = testTag()
        let dir = try HostilePlugin.make("crasher", runBody: """
            os.system("sleep 60 &")
            send({"jsonrpc": "2.0", "method": "finding", "params": finding("CR-1")})
            os.kill(os.getpid(), 9)
            """)
        let started = Date()
        let r = try await contsecBounded(["run", "crasher", "--plugin-path", dir, "--format", "json", "--no-log", "--idle-timeout", "120"],
                                         env: ["CONTSEC_TEST_TAG": tag], timeout: 60)
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(r.code == 3)
        #expect(r.stderr.contains("crashed"), "\(r.stderr)")
        #expect(r.stderr.contains("SIGKILL"))
        #expect(findings(r.json).first?["ruleId"] == "CR-1")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(processes(taggedWith: tag).isEmpty)
    }

    /// Item 8: answers to requests the host never sent, and a run answered twice, are discarded (one warning),
    /// not kept for ever.
    @Test func answersToUnknownRequestsAreDiscardedInBoundedMemory() async throws {
        let dir = try HostilePlugin.make("answerer", runBody: """
            line = '{"jsonrpc": "2.0", "id": "never-sent-%d", "result": {"padding": "%s"}}\\n'
            pad = "p" * 200
            for i in range(300000):
                sys.stdout.write(line % (i, pad))
            send({"jsonrpc": "2.0", "method": "finding", "params": finding("AN-1")})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsecBounded(["run", "answerer", "--plugin-path", dir, "--format", "json", "--no-log"], timeout: 90)
        #expect(findings(r.json).first?["ruleId"] == "AN-1")
        let warnings = r.json?["warnings"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        // One warning each, up to the cap; the rest are counted in one line.
        #expect(warnings.filter { $0.contains("ignored a response to no request of ours") }.count == 100)
        #expect(warnings.contains { $0.contains("more protocol warning(s) were counted but not listed") })
        // 300,000 answers of ~250 bytes are 75 MB: kept, they would show in the host's peak.
        let peak = r.json?["contsec"]?["peakRSSKiB"]?.intValue ?? 0
        #expect(peak > 0 && peak < 60 * 1024, "peak RSS \(peak) KiB")
    }

    /// Item 18: a finding line that does not parse is reported by position and reason, never by its content.
    @Test func aBrokenFindingLineDoesNotLeakItsContent() async throws {
        let ws = try temporaryFolder("leak")
        let dir = try HostilePlugin.make("leaky", runBody: """
            sys.stdout.write('{"jsonrpc": "2.0", "method": "finding", "params": {"ruleId": "AWS", "title": "key AKIAIOSFODNN7EXAMPLE\\n')
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsecBounded(["run", "leaky", "--plugin-path", dir, "--format", "json"], cwd: ws)
        #expect(r.code == 3)
        #expect(r.stderr.contains("stdout pollution"))
        #expect(!r.stderr.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(!r.stdout.contains("AKIAIOSFODNN7EXAMPLE"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: ws + "/logs/security")
        let log = try String(contentsOfFile: ws + "/logs/security/" + logs[0], encoding: .utf8)
        #expect(log.contains("stdout pollution"))
        #expect(!log.contains("AKIAIOSFODNN7EXAMPLE"))
    }

    /// Item 20: a grandchild that calls setsid is found (it carries the plugin's supervision tag), killed, and
    /// reported; a setsid child flooding stdout after the answer neither keeps contsec up nor adds findings.
    @Test func setsidGrandchildrenAreKilledAndReportedAndLateFindingsDiscarded() async throws {
        let tag = testTag()
        let dir = try HostilePlugin.make("escaper", runBody: """
            import subprocess
            subprocess.Popen(["sleep", "60"], start_new_session=True)
            send({"jsonrpc": "2.0", "method": "finding", "params": finding("ES-1")})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            late = json.dumps({"jsonrpc": "2.0", "method": "finding", "params": finding("LATE", "critical")})
            flood = "import sys\\nline = sys.argv[1] + '\\\\n'\\nwhile True: sys.stdout.write(line)"
            subprocess.Popen([sys.executable, "-c", flood, late], start_new_session=True)
            time.sleep(0.5)
            """)
        let started = Date()
        let r = try await contsecBounded(["run", "escaper", "--plugin-path", dir, "--format", "json", "--no-log", "--fail-on", "critical"],
                                         env: ["CONTSEC_TEST_TAG": tag], timeout: 60)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(findings(r.json).compactMap { $0["ruleId"]?.stringValue } == ["ES-1"], "late findings are not counted")
        let warnings = r.json?["warnings"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(warnings.contains { $0.contains("running outside its session") && $0.contains("sleep") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("a finding outside a run (after its answer, or before it) was dropped: LATE") }, "\(warnings)")
        #expect(warnings.count <= 102, "the flood is not a flood of warnings: \(warnings.count)")
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(processes(taggedWith: tag).isEmpty)
    }

    /// A grandchild that leaves the session and re-forks every 2 ms (its pid changes 500 times a second) is still
    /// ended: contsec adopts every orphan its plugins leave (ProcessKit's OrphanAdoption), so each incarnation is
    /// contsec's own child, found by walking contsec's tree instead of racing a scan of /proc, and its group goes in
    /// one kill(2). Checked by the kernel (kill(-sid, 0)), not by a scan that the re-forker outruns as well.
    @Test(arguments: 0..<3) func reforkingGrandchildIsKilled(round: Int) async throws {
        let sidFile = try temporaryFolder("reforker-sid") + "/sid"
        let dir = try HostilePlugin.make("reforker", runBody: """
            import subprocess
            code = "import os,time\\nos.setsid()\\nopen(%r, 'w').write(str(os.getsid(0)))\\nwhile True:\\n    if os.fork(): os._exit(0)\\n    time.sleep(0.002)" % "\(sidFile)"
            subprocess.Popen([sys.executable, "-c", code])
            for _ in range(400):
                if os.path.exists("\(sidFile)") and open("\(sidFile)").read(): break
                time.sleep(0.05)
            time.sleep(0.3)
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsecBounded(["run", "reforker", "--plugin-path", dir, "--format", "json", "--no-log"], timeout: 60)
        let sid = (try? String(contentsOfFile: sidFile, encoding: .utf8)).flatMap { pid_t($0) } ?? 0
        // Whatever the test finds, nothing may outlive it: a re-forker burns through the pid space within a minute.
        defer { if sid > 1 { kill(-sid, SIGKILL) } }
        #expect(sid > 1, "round \(round): the re-forker did not start: \(r.stderr)")
        #expect(r.code == 0, "\(r.stderr)")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(kill(-sid, 0) != 0, "round \(round): the re-forker outran contsec's cleanup")
        let warnings = r.json?["warnings"]?.arrayValue?.compactMap { $0["message"]?.stringValue } ?? []
        #expect(warnings.contains { $0.contains("running outside its session") }, "\(warnings) \(r.stderr)")
    }

    /// Item 21: with a sha256-pinned manifest, a file renamed onto the plugin's path after the check never runs:
    /// the host hashes an open descriptor and executes that very inode.
    @Test func thePinnedInodeIsTheOneExecuted() async throws {
        let dir = try temporaryFolder("toctou")
        let path = dir + "/contsec-pinned"
        let marker = dir + "/evil-ran"
        let good = "#!/bin/sh\nexec \(Paths.products)/test-plugin-noop\n"
        let evil = "#!/bin/sh\ntouch \"\(marker)\"\nexec \(Paths.products)/test-plugin-noop\n"
        try good.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        let manifest = PluginManifest(name: "pinned", version: "1", vendor: nil, description: nil, protocolVersions: ["1.0"],
                                      executable: "contsec-pinned", sha256: PluginTrust.sha256(ofFile: path), permissions: nil)
        try manifest.fileText().write(toFile: dir + "/plugin.json", atomically: true, encoding: .utf8)
        chmod(dir + "/plugin.json", 0o644)
        let stop = Flag()
        let swapper = Thread {
            var n = 0
            while !stop.isSet {
                n += 1
                let tmp = dir + "/.swap-\(n % 2)"
                try? (n % 2 == 0 ? good : evil).write(toFile: tmp, atomically: false, encoding: .utf8)
                chmod(tmp, 0o755)
                rename(tmp, path)
            }
        }
        swapper.start()
        defer { stop.set() }
        var ran = 0, refused = 0
        for _ in 0..<30 {
            let r = try await contsec(["run", "pinned", "--plugin-path", dir, "--no-log"], timeout: 30)
            if r.code == 0 { ran += 1 } else if r.stderr.contains("sha256") { refused += 1 }
        }
        stop.set()
        #expect(!FileManager.default.fileExists(atPath: marker), "an unverified file was executed (ran \(ran), refused \(refused))")
        #expect(ran > 0 && refused > 0, "the race was exercised both ways (ran \(ran), refused \(refused))")
    }

    /// Item 2: `contsec plugin test` on a plugin that never reads stdin ends, with the plugin gone.
    @Test func pluginTestOfAPluginThatNeverReadsEnds() async throws {
        let tag = testTag()
        let dir = try temporaryFolder("never-reads")
        let path = dir + "/contsec-sleeper"
        try "#!/bin/sh\nexec sleep 600\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        let started = Date()
        let r = try await contsecBounded(["plugin", "test", path, "--format", "json"], env: ["CONTSEC_TEST_TAG": tag], timeout: 120)
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(r.code == 3)
        let checks = r.json?["checks"]?.arrayValue ?? []
        #expect(checks.first { $0["id"] == "handshake" }?["passed"] == false)
        #expect(checks.first { $0["id"] == "large-message" }?["detail"]?.stringValue?.hasPrefix("not run") == true)
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(processes(taggedWith: tag).isEmpty)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
