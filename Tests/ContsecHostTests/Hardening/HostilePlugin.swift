#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small hostile plugin in Python, written by the test into a folder of its own: it answers the handshake, then
/// `runBody` misbehaves. Inside `runBody`: `send(obj)`, `finding(rule, severity)`, `mid` (the run request's id).
enum HostilePlugin {
    static func make(_ name: String, params: String = "[]", runBody: String, extra: String = "", afterInitialize: String = "") throws -> String {
        let dir = try temporaryFolder("hostile-\(name)")
        let path = dir + "/contsec-\(name)"
        let body = runBody.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n")
        let script = """
        #!/usr/bin/python3
        import sys, json, os, time
        def send(o):
            sys.stdout.write(json.dumps(o) + "\\n"); sys.stdout.flush()
        def finding(rule, severity="high"):
            return {"ruleId": rule, "title": "hostile " + rule, "severity": severity, "category": "secret",
                    "target": {"kind": "host", "name": "here"}}
        \(extra)
        for line in sys.stdin:
            m = json.loads(line)
            meth, mid = m.get("method"), m.get("id")
            if meth == "initialize":
                send({"jsonrpc": "2.0", "id": mid, "result": {"protocolVersion": "1.0",
                      "plugin": {"name": "\(name)", "version": "1"},
                      "commands": [{"name": "run", "default": True, "params": \(params)}], "capabilities": {}}})
                \(afterInitialize)
            elif meth == "run":
        \(body)
            elif meth == "shutdown":
                send({"jsonrpc": "2.0", "id": mid, "result": None})
            elif meth == "exit":
                sys.exit(0)

        """
        try script.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        chmod(dir, 0o755)
        return dir
    }
}

/// Runs contsec with its address space capped (`prlimit --as`), so a memory regression fails the test instead of
/// the machine; the plugins it starts inherit the cap.
func contsecBounded(_ args: [String], memoryMiB: Int = 512, env: [String: String] = [:], interruptAfter: TimeInterval? = nil,
                    timeout: TimeInterval = 60, cwd: String? = nil) async throws -> CommandResult {
    try await contsec(args, env: env, interruptAfter: interruptAfter, timeout: timeout, cwd: cwd,
                      wrapper: ["/usr/bin/prlimit", "--as=\(memoryMiB << 20)", "--"])
}
