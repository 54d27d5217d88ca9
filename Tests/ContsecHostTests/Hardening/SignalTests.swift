#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// A long-running run (an exporter: PROTOCOL.md "Long-running commands", no deadline) must stop on SIGTERM and on
/// SIGINT. `contsec --dry-run run observability exporter` once ignored both: the host's handlers could be replaced by
/// SIG_IGN (a race with libdispatch's own handler, lost about 1 start in 12), and then only SIGKILL ended it.
@Suite struct SignalTests {
    /// A stand-in for the exporter: declares a long-running command, runs until cancelled, and — once its run has
    /// started — sends the signal to contsec itself, so the signal always arrives during the run.
    static func foreverPlugin(signal: String) throws -> String {
        let dir = try temporaryFolder("forever")
        let path = dir + "/contsec-forever"
        let script = """
        #!/usr/bin/python3
        import sys, json, os, signal, time
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        run_id = None
        for line in sys.stdin:
            m = json.loads(line)
            meth, mid = m.get("method"), m.get("id")
            if meth == "initialize":
                send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "1.1",
                      "plugin": {"name": "forever", "version": "1"},
                      "commands": [{"name": "serve", "default": True, "params": [], "longRunning": True}], "capabilities": {}}})
            elif meth == "run":
                run_id = mid
                send({"jsonrpc": "2.0", "method": "progress", "params": {"message": "serving"}})
                time.sleep(0.3)
                os.kill(os.getppid(), signal.\(signal))
            elif meth == "cancel":
                send({"jsonrpc": "2.0", "id": run_id, "error": {"code": -32800, "message": "cancelled"}})
            elif meth == "shutdown":
                send({"jsonrpc": "2.0", "id": mid, "result": None})
            elif meth == "exit":
                sys.exit(0)

        """
        try script.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        return dir
    }

    /// Ten runs per signal (the old race lost about one start in twelve). A long-running command that is stopped
    /// ends normally ("stopped after …", exit 0); one that ignores the signal runs into the harness's 45 s limit.
    @Test(arguments: ["SIGTERM", "SIGINT"])
    func aLongRunningRunStopsOnTheSignal(_ signal: String) async throws {
        let dir = try Self.foreverPlugin(signal: signal)
        for attempt in 1...10 {
            let r = try await contsecBounded(["run", "forever", "--plugin-path", dir, "--no-log", "--format", "json"], timeout: 45)
            #expect(r.code == 0, "attempt \(attempt): \(r.stderr)")
            let message = r.json?["plugins"]?[0]?["message"]?.stringValue ?? ""
            #expect(message.hasPrefix("stopped after"), "attempt \(attempt): \(r.stdout)")
            if r.code != 0 { break }
        }
    }
}
