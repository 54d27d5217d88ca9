#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// End to end: the real `contsec` binary driving real plugin processes.
@Suite struct RunTests {
    @Test func swiftPluginFindingsReachTheJSONReport() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "5", "--severity", "high", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        let f = findings(r.json)
        #expect(f.count == 5)
        #expect(f.allSatisfy { $0["severity"] == "high" })
        #expect(r.json?["summary"]?["bySeverity"]?["high"] == 5)
        #expect(pluginEntry(r.json, "testkit")?["status"] == "ok")
    }

    @Test func tableIsPlainWhenPiped() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "2", "--severity", "critical"])
        #expect(r.code == 0)
        #expect(r.stdout.contains("CRITICAL (2)"))
        #expect(r.stdout.contains("TK-1"))
        #expect(!r.stdout.contains("\u{1B}["))  // no colour codes into a pipe
        #expect(r.stdout.contains("Total: 2 findings (critical 2)"))
    }

    @Test func strayPrintInAPluginDoesNotCorruptTheProtocol() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "1", "--print", "{\"not\": \"a frame\"}", "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).count == 1)
        #expect(r.json?["warnings"]?.arrayValue?.isEmpty == true)
    }

    @Test func pathParametersAreMadeAbsolute() async throws {
        let dir = try temporaryFolder("paths")
        let r = try await contsec(["run", "testkit", "--file", "sub/x.txt", "--format", "json"], cwd: dir)
        #expect(pluginEntry(r.json, "testkit")?["summary"]?["file"]?.stringValue?.hasSuffix("/sub/x.txt") == true)
        #expect(pluginEntry(r.json, "testkit")?["summary"]?["file"]?.stringValue?.hasPrefix("/") == true)
    }

    @Test func unknownFlagIsAUsageErrorListingTheValidFlags() async throws {
        let r = try await contsec(["run", "testkit", "--max-vulns", "5"])
        #expect(r.code == 2)
        #expect(r.stderr.contains("unknown flag --max-vulns"))
        #expect(r.stderr.contains("--findings INT"))
        let typed = try await contsec(["run", "testkit", "--findings", "many"])
        #expect(typed.code == 2)
        #expect(typed.stderr.contains("--findings expects an integer, got 'many'"))
        let choice = try await contsec(["run", "testkit", "--severity", "urgent"])
        #expect(choice.code == 2)
        #expect(choice.stderr.contains("'urgent' is not one of"))
    }

    @Test func unknownPluginExitsWithNotFound() async throws {
        let r = try await contsec(["run", "no-such-plugin"])
        #expect(r.code == 4)
        #expect(r.stderr.contains("plugin 'no-such-plugin' not found"))
        #expect(r.stderr.contains("testkit"))  // lists what is available
    }

    @Test func crashMidStreamKeepsFindingsAndNamesTheCause() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "7", "--stderr-lines", "2", "--crash", "signal", "--format", "json"])
        #expect(r.code == 3)
        #expect(findings(r.json).count == 7)
        #expect(r.stderr.contains("plugin testkit crashed"))
        #expect(r.stderr.contains("signal 11 (SIGSEGV)"))
        #expect(r.stderr.contains("raising SIGSEGV on purpose"))  // the stderr tail
        let error = pluginEntry(r.json, "testkit")?["error"]
        #expect(error?["kind"] == "crashed")
        #expect(error?["stderrTail"]?.arrayValue?.contains("stderr line 1") == true)

        let exited = try await contsec(["run", "testkit", "--findings", "3", "--crash", "exit", "--format", "json"])
        #expect(exited.code == 3)
        #expect(findings(exited.json).count == 3)
        #expect(exited.stderr.contains("exited with status 3"))
    }

    @Test func versionMismatchIsExplainedInPlainWords() async throws {
        let r = try await contsec(["run", "oldproto", "--plugin-path", Paths.fixture("contsec-oldproto")])
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin oldproto speaks protocol 0.9 only; this contsec speaks 1.1, 1.0. Upgrade the plugin, or use a contsec release that speaks 0.9."))
    }

    @Test func stdoutPollutionAndInvalidFindingsFailTheRunButKeepValidFindings() async throws {
        let r = try await contsec(["run", "polluter", "--plugin-path", Paths.fixture("contsec-polluter"), "--format", "json"])
        #expect(r.code == 3)
        // Where and why, never the line itself: a broken line may be a finding that quotes a secret.
        #expect(r.stderr.contains("stdout pollution: a 35-byte line that is not JSON"))
        #expect(!r.stderr.contains("Downloading vulnerability DB"))
        #expect(r.stderr.contains("finding.severity: unknown value 'urgent'"))
        let f = findings(r.json)
        #expect(f.count == 1)
        #expect(f.first?["ruleId"] == "PO-1")
        #expect(r.json?["warnings"]?.arrayValue?.count == 2)
    }

    @Test func oversizedFrameIsRejectedWithBoundedMemory() async throws {
        let r = try await contsec(["run", "oversize", "--plugin-path", Paths.fixture("contsec-oversize"), "--format", "json", "--no-log"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("a 67108935-byte message exceeds the 16777216-byte cap"))
        #expect(findings(r.json).first?["ruleId"] == "OV-1")  // the stream goes on after the bad frame
        // The host may hold up to one frame at the 16 MiB cap, never the 64 MiB frame: its peak stays below it.
        let peak = r.json?["contsec"]?["peakRSSKiB"]?.intValue ?? 0
        #expect(peak > 0 && peak < 64 * 1024, "peak RSS of the host: \(peak) KiB")
    }

    @Test func sigintCancelsThePluginAndKeepsPartialFindings() async throws {
        let r = try await contsec(["run", "testkit", "--slow", "--format", "json"], interruptAfter: 0.8)
        #expect(r.code == 130)
        #expect(findings(r.json).count >= 3)
        let error = pluginEntry(r.json, "testkit")?["error"]
        #expect(error?["kind"] == "interrupted")
        // The plugin answered the cancel (otherwise the message says it did not).
        #expect(error?["message"]?.stringValue == "interrupted: run of plugin testkit cancelled")
    }
}

/// Plugins that will not stop by themselves. Each test tags what it starts, and looks for that tag in /proc.
@Suite struct KillLadderTests {
    @Test func hungPluginIsKilledAfterTimeoutWithItsWholeGroup() async throws {
        let start = Date()
        let tag = testTag()
        let r = try await contsec(["run", "stubborn", "--plugin-path", Paths.fixture("contsec-stubborn"), "--timeout", "1",
                             "--format", "json"], env: ["CONTSEC_LADDER_STEP": "0.5", "CONTSEC_TEST_TAG": tag])
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin stubborn timed out"))
        #expect(findings(r.json).first?["ruleId"] == "ST-1")
        #expect(Date().timeIntervalSince(start) < 15)
        try await Task.sleep(nanoseconds: 200000000)
        #expect(processes(taggedWith: tag).isEmpty, "the plugin or a child of it outlived the run")
    }

    @Test func pluginIgnoringSIGTERMIsGoneAfterTheLadder() async throws {
        // Ctrl-C: the stubborn plugin ignores cancel, shutdown, EOF and SIGTERM; only SIGKILL works.
        let tag = testTag()
        let r = try await contsec(["run", "stubborn", "--plugin-path", Paths.fixture("contsec-stubborn"), "--format", "json"],
                            env: ["CONTSEC_CANCEL_GRACE": "0.5", "CONTSEC_LADDER_STEP": "0.5", "CONTSEC_TEST_TAG": tag], interruptAfter: 0.5)
        #expect(r.code == 130)
        #expect(r.stderr.contains("did not answer the cancel"))
        try await Task.sleep(nanoseconds: 200000000)
        #expect(processes(taggedWith: tag).isEmpty)
    }

    @Test func swiftPluginIgnoringSIGTERMWithAChildLeavesNothingBehind() async throws {
        let tag = testTag()
        let r = try await contsec(["run", "testkit", "--hang", "--ignore-term", "--child", "--timeout", "1", "--no-log"],
                                  env: ["CONTSEC_TEST_TAG": tag])
        #expect(r.code == 3)
        try await Task.sleep(nanoseconds: 200000000)
        #expect(processes(taggedWith: tag).isEmpty)
    }
}

@Suite struct TrailingGlobalOptionTests {
    @Test func dryRunAndWorkspaceAfterThePluginNameReachTheHandshake() async throws {
        let ws = try temporaryFolder("trailing-ws")
        // The python example's `fix` command changes modes unless the handshake says dry-run.
        let target = ws + "/open.txt"
        #expect(FileManager.default.createFile(atPath: target, contents: Data("x".utf8)))
        chmod(target, 0o666)
        let r = try await contsec(["run", "file-perms", "fix", "--dir", ws, "--plugin-path",
                             Paths.packageRoot + "/sdk-protocol/examples/python-file-perms",
                             "--dry-run", "--workspace", ws, "--format", "json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        let actions = r.json?["actions"]?.arrayValue ?? []
        #expect(!actions.isEmpty)
        #expect(actions.allSatisfy { $0["action"]?["status"] == "planned" })
        var st = stat()
        stat(target, &st)
        #expect(st.st_mode & 0o777 == 0o666, "--dry-run after the plugin name must change nothing")
    }
}

@Suite struct PluginJudgedUsageTests {
    @Test func argumentsThePluginRejectsAreAUsageError() async throws {
        // The host checks types; iac-scan checks the values (-32602): still the user's mistake, so exit 2.
        let r = try await contsec(["run", "iac-scan", "--dir", Paths.packageRoot + "/examples/insecure-app", "--severity", "urgent", "--no-log"])
        #expect(r.code == 2, "\(r.stderr)")
        #expect(r.stderr.contains("plugin iac-scan rejected its arguments"))
        #expect(r.stderr.contains("unknown severity 'urgent'"))
    }

    @Test func aRunAnsweredWithAnErrorDoesNotSayTheProcessExitedWithStatus0() async throws {
        // The plugin answered -32602 and shut down cleanly: its exit is no part of the failure.
        let r = try await contsec(["run", "iac-scan", "--dir", Paths.packageRoot + "/examples/insecure-app", "--severity", "urgent",
                                   "--no-log", "--format", "json"])
        #expect(r.code == 2)
        let error = pluginEntry(r.json, "iac-scan")?["error"]
        #expect(error?["kind"] == "usage")
        #expect(error?["code"] == -32602)
        #expect(error?["exitStatus"] == nil, "\(r.stdout)")
        // A plugin whose exit is the failure still says how it ended.
        let exited = try await contsec(["run", "testkit", "--findings", "1", "--crash", "exit", "--format", "json", "--no-log"])
        #expect(pluginEntry(exited.json, "testkit")?["error"]?["exitStatus"] == "exited with status 3", "\(exited.stdout)")
    }
}
