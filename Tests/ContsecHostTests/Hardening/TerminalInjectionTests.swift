import Foundation
import Testing
import ContsecProtocol

/// Issue #12, item 16: text a plugin or a scanned repository supplies (titles, rule ids, file names, messages, log
/// and stderr lines, progress, error text) reaches the terminal with its control characters escaped: no escape
/// sequence can retitle the window or clear the screen, and no newline can forge a line of the report.
@Suite struct TerminalInjectionTests {
    /// ESC (C0), BEL, and the one-byte CSI U+009B (C1, two bytes in UTF-8).
    static let raw: [String] = ["\u{1B}", "\u{07}", "\u{9B}"]

    static func expectClean(_ text: String, _ what: String) {
        for r in raw { #expect(!text.contains(r), "\(what) carries a raw control character: \(text.debugDescription)") }
        let forged = text.split(separator: "\n").filter { $0.hasPrefix("Total: 0") || $0.hasPrefix("FORGED") }
        #expect(forged.isEmpty, "\(what) has a line the plugin forged: \(forged)")
    }

    @Test func pluginTextIsEscapedInTheTableAndOnStderr() async throws {
        let ws = try temporaryFolder("terminal-injection")
        let dir = try HostilePlugin.make("painter", runBody: #"""
            esc = "\x1b]0;pwned\x07\x1b[2J\x1b[31m"
            f = finding("R\x1b[5m1", "high")
            f["title"] = esc + "title\nTotal: 0 findings, 0 actions"
            f["target"] = {"kind": "file", "name": "x", "file": "dir\nFORGED \x1b[1mfile"}
            send({"jsonrpc": "2.0", "method": "finding", "params": f})
            send({"jsonrpc": "2.0", "method": "action", "params": {"kind": "file-written\x1b[8m", "target": "t\u009b2J", "status": "applied", "detail": "d\nFORGED"}})
            send({"jsonrpc": "2.0", "method": "log", "params": {"level": "error", "message": esc + "log\nFORGED log"}})
            send({"jsonrpc": "2.0", "method": "progress", "params": {"message": esc + "progress"}})
            sys.stderr.write(esc + "stderr line\n"); sys.stderr.flush()
            time.sleep(0.3)
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok", "message": esc + "done\nFORGED"}})
            """#)
        let r = try await contsecBounded(["run", "painter", "--plugin-path", dir, "--format", "table", "--verbose"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")  // no gate asked for
        Self.expectClean(r.stdout, "stdout")
        Self.expectClean(r.stderr, "stderr")
        #expect(r.stdout.contains(#"\x1b]0;pwned\x07\x1b[2J\x1b[31mtitle\nTotal: 0 findings"#), "\(r.stdout)")
        #expect(r.stdout.contains(#"dir\nFORGED \x1b[1mfile"#), "\(r.stdout)")
        #expect(r.stdout.contains(#"t\x9b2J"#), "\(r.stdout)")
        #expect(r.stderr.contains(#"[painter] \x1b]0;pwned\x07\x1b[2J\x1b[31mstderr line"#), "\(r.stderr)")
    }

    @Test func aPluginsErrorMessageIsEscapedInContsecsErrorLine() async throws {
        let ws = try temporaryFolder("terminal-injection-error")
        let dir = try HostilePlugin.make("shouter", runBody: #"""
            send({"jsonrpc": "2.0", "id": mid, "error": {"code": -32000, "message": "bad\x1b]0;pwned\x07\x1b[2J\nFORGED gate passed"}})
            """#)
        let r = try await contsecBounded(["run", "shouter", "--plugin-path", dir, "--format", "table"], cwd: ws)
        #expect(r.code == 3, "\(r.stderr)")
        Self.expectClean(r.stdout, "stdout")
        Self.expectClean(r.stderr, "stderr")
        #expect(r.stderr.contains(#"bad\x1b]0;pwned\x07\x1b[2J"#), "\(r.stderr)")
    }
}
