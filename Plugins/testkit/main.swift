#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecPluginKit

// A plugin that misbehaves on request. The host's tests and benchmarks drive it: each parameter switches on one
// behaviour a real plugin might show (flood, crash, hang, ignore SIGTERM, leave children, print to stdout).
let params: [ParamSpec] = [
    ParamSpec(name: "findings", type: .int, default: 0, description: "Emit this many findings"),
    ParamSpec(name: "severity", type: .string, default: "medium", description: "Severity of the emitted findings",
              allowed: Severity.allCases.map(\.rawValue)),
    ParamSpec(name: "crash", type: .string, description: "After the findings: 'exit' (status 3) or 'signal' (SIGSEGV)",
              allowed: ["exit", "signal"]),
    ParamSpec(name: "hang", type: .bool, description: "After the findings: hang, ignoring cancel"),
    ParamSpec(name: "slow", type: .bool, description: "After the findings: emit one finding every 50 ms until cancelled"),
    ParamSpec(name: "ignore-term", type: .bool, description: "Ignore SIGTERM (only SIGKILL ends it)"),
    ParamSpec(name: "child", type: .bool, description: "Start a child process (sleep) in the plugin's group"),
    ParamSpec(name: "print", type: .string, description: "print() this text to stdout, as a careless library would"),
    ParamSpec(name: "stderr-lines", type: .int, default: 0, description: "Write this many lines to stderr"),
    ParamSpec(name: "file", type: .path, description: "A path argument, echoed in the summary"),
    ParamSpec(name: "sleep-ms", type: .int, default: 0, description: "Work (sleep) this long before finishing, cancellably"),
    ParamSpec(name: "fail", type: .string, description: "Fail the run with this message (error -32015)"),
    ParamSpec(name: "table-rows", type: .int, default: 0,
              description: "Return a table result with this many rows (row i: id row-i, n = i, even = i is even)"),
]

/// Rows `row-0`…; row 1 (when there) has a note with a newline and an ESC sequence, which text reports must defuse.
func table(_ rows: Int) -> ResultTable {
    ResultTable(title: "testkit rows", columns: [.init("id", "ID"), .init("n", "N"), .init("even", "EVEN"), .init("note", "NOTE")],
                rows: (0..<rows).map { i in
                    var row: [String: JSONValue] = ["id": .string("row-\(i)"), "n": .int(i), "even": .bool(i % 2 == 0)]
                    if i == 1 { row["note"] = .string("two\nlines \u{1B}[31mred") }
                    return row
                })
}

func finding(_ i: Int, _ severity: Severity) -> Finding {
    Finding(ruleId: "TK-\(i % 10)", title: "Test finding \(i)", severity: severity, category: .misconfiguration,
            target: Target(kind: "file", name: "fixture.txt", file: "fixture.txt", line: i % 1000 + 1),
            message: "synthetic finding number \(i)", remediation: "none needed", fingerprint: "tk-\(i)")
}

/// A long-running command (protocol 1.1): one finding, then progress every `--tick-ms` (0: silent) until stopped;
/// answers with the number of ticks.
let serve = Command(
    name: "serve", description: "Run until stopped: one finding, then a progress tick every --tick-ms",
    params: [ParamSpec(name: "tick-ms", type: .int, default: 200, description: "Progress interval; 0 sends nothing")],
    longRunning: true
) { ctx in
    ctx.emit(finding(0, .low))
    let tick = ctx.arguments.int("tick-ms") ?? 200
    var ticks = 0
    while !ctx.isCancelled {
        try? await Task.sleep(nanoseconds: UInt64(max(tick, 50)) * 1_000_000)
        if tick > 0 && !ctx.isCancelled {
            ticks += 1
            ctx.progress("tick \(ticks)")
        }
    }
    return .ok(summary: ["ticks": .int(ticks)])
}

PluginRunner.main(Plugin(
    name: "testkit", version: "1.0.0", vendor: "contsec", description: "Misbehaves on request, for tests and benchmarks",
    commands: [serve, Command(name: "behave", description: "Emit findings, then do what the flags say", isDefault: true, params: params) { ctx in
        let a = ctx.arguments
        if a.bool("ignore-term") { signal(SIGTERM, SIG_IGN) }
        if a.bool("child") {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sleep")
            p.arguments = ["300"]
            try p.run()
            FileHandle.standardError.write("child pid \(p.processIdentifier)\n".data(using: .utf8)!)
        }
        for i in 0..<(a.int("stderr-lines") ?? 0) {
            FileHandle.standardError.write("stderr line \(i)\n".data(using: .utf8)!)
        }
        if let text = a.string("print") { print(text); fflush(nil) }
        let severity = Severity(rawValue: a.string("severity") ?? "medium") ?? .medium
        let n = a.int("findings") ?? 0
        for i in 0..<n { ctx.emit(finding(i, severity)) }
        ctx.progress("emitted \(n) findings", current: n, total: n)
        switch a.string("crash") {
        case "exit":
            usleep(100_000)  // let the writer thread drain, as a crash after a pause would
            FileHandle.standardError.write("testkit: exiting with status 3 on purpose\n".data(using: .utf8)!)
            exit(3)
        case "signal":
            usleep(100_000)
            FileHandle.standardError.write("testkit: raising SIGSEGV on purpose\n".data(using: .utf8)!)
            signal(SIGSEGV, SIG_DFL)  // the Swift runtime installs its own crash handler
            raise(SIGSEGV)
        default: break
        }
        if a.bool("hang") { while true { sleep(1000) } }
        if a.bool("slow") {
            var i = n
            while !ctx.isCancelled {
                ctx.emit(finding(i, severity))
                i += 1
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            throw PluginError.cancelled
        }
        var slept = 0
        while slept < (a.int("sleep-ms") ?? 0) {
            try ctx.checkCancellation()
            try await Task.sleep(nanoseconds: 10_000_000)
            slept += 10
        }
        if let message = a.string("fail") { throw PluginError.failed(message) }
        var summary: [String: JSONValue] = ["emitted": .int(n)]
        if let f = a.path("file") { summary["file"] = .string(f) }
        let rows = a.int("table-rows") ?? 0
        return .ok(summary: summary, table: rows > 0 ? table(rows) : nil)
    }]))
