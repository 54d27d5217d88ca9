import Foundation
import ContsecPluginKit
import Observability

let monitorParams: [ParamSpec] = [
    ParamSpec(name: "container", type: .list, description: "Only these containers (names or ids); default: all"),
    ParamSpec(name: "interval", type: .int, default: 10, description: "Seconds between resource samples"),
    ParamSpec(name: "resource-threshold", type: .int, default: 80, description: "CPU/memory finding threshold, % of the limit (or of the host)"),
    ParamSpec(name: "duration", type: .int, default: 0, description: "Stop after N seconds (0: run until stopped)"),
]

func monitor(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    var o = Monitor.Options()
    let interval = a.int("interval") ?? 10
    guard (1...3600).contains(interval) else { throw PluginError.invalidParams(param: "interval", message: "\(interval) is not from 1 to 3600 seconds") }
    o.interval = Double(interval)
    o.threshold = try threshold(ctx, "resource-threshold")
    o.containers = Set(a.list("container"))
    let duration = try durationParam(ctx)
    let docker = try dockerClient()
    try await requireEngine(docker)
    let m = Monitor(docker: docker, options: o) { ctx.emit($0) }
    let task = Task {
        await m.run { round, lines in
            // One stderr line per container and sample: the daily log keeps them, and `analyze --from-log` reads them.
            let text = lines.map { $0.record.line + "\n" }.joined()
            FileHandle.standardError.write(Data(text.utf8))
            ctx.progress("sample \(round): \(lines.count) containers, \(m.findings) findings", current: round)
        }
    }
    await runUntilStopped(ctx, duration: duration, every: 3600) { "" }
    task.cancel()
    _ = await task.value
    return .ok(summary: ["samples": .int(m.samples), "findings": .int(m.findings)])
}
