import Foundation
import ContsecPluginKit
import ContainerKit
import Observability

let analyzeParams: [ParamSpec] = [
    ParamSpec(name: "container", type: .string, required: true, description: "Container to analyze (name or id)"),
    ParamSpec(name: "window", type: .string, description: "How long to sample (default 60s), or with --from-log how far back to read (default 24h): 90s, 15m, 2h, 7d"),
    ParamSpec(name: "interval", type: .int, description: "Seconds between live samples (default: the window / 20, from 1 to 60)"),
    ParamSpec(name: "from-log", type: .bool, default: false, description: "Read the samples monitor left in the daily logs instead of sampling now"),
    ParamSpec(name: "log-dir", type: .path, description: "Folder of contsec's daily logs (default: logs/security in the workspace)"),
]

func analyze(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let container = a.string("container") ?? ""
    guard !container.isEmpty else { throw PluginError.invalidParams(param: "container", message: "name a container, e.g. --container web") }
    let fromLog = a.bool("from-log")
    let windowText = a.string("window") ?? (fromLog ? "24h" : "60s")
    guard let window = WindowDuration.parse(windowText) else {
        throw PluginError.invalidParams(param: "window", message: "'\(windowText)' is not a duration: write 90s, 15m, 2h or 7d")
    }
    let docker = try dockerClient()
    try await requireEngine(docker)

    var name = container
    var samples: [SampleRecord]
    if fromLog {
        if a.has("interval") { throw PluginError.invalidParams(param: "interval", message: "is for live sampling; the log's samples keep monitor's interval") }
        // The log names containers; an id given here is turned into the name while the container exists.
        if let c = try? await docker.inspectContainer(container) { name = c.displayName }
        let dir = logDirectory(ctx)
        samples = Array(SampleHistory.read(directory: dir, container: name, since: Date().addingTimeInterval(-window)))
        if samples.isEmpty {
            ctx.log(.warning, "no samples of \(name) in \(dir) over the last \(WindowDuration.text(window)): record them with "
                    + "`contsec run observability monitor --container \(name)`, or analyze without --from-log to sample now")
        }
    } else {
        let interval = a.int("interval") ?? Int(min(60, max(1, (window / 20).rounded())))
        guard (1...3600).contains(interval) else { throw PluginError.invalidParams(param: "interval", message: "\(interval) is not from 1 to 3600 seconds") }
        guard window >= Double(3 * interval) else {
            throw PluginError.invalidParams(param: "window", message: "\(windowText) holds fewer than 3 samples at --interval \(interval): give a longer window or a shorter interval")
        }
        if window > 3300 {
            ctx.log(.warning, "sampling for \(WindowDuration.text(window)): the host stops a run after --timeout (3600 s unless given); "
                    + "for long windows record with monitor and use --from-log")
        }
        let sampler = LiveSampler(docker: docker, container: container, window: window, interval: Double(interval))
        do {
            (name, samples) = try await sampler.run(isCancelled: { ctx.isCancelled }) { done, total in
                ctx.progress("sampling \(container): \(done)/\(total)", current: done, total: total)
            }
        } catch let e as LiveSampler.Failure {
            throw PluginError.preconditionFailed(e.description)
        }
        try ctx.checkCancellation()
    }

    let current = (try? await docker.inspectContainer(container)).map { ContainerSample(inspect: $0, stats: nil) }
    let report = BehaviourReport.build(container: name, samples: samples, window: window, source: fromLog ? "log" : "live", current: current)
    for f in report.findings { ctx.emit(f) }
    return .ok(summary: report.summary, table: report.table)
}
