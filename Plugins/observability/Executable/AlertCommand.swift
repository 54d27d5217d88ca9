import Foundation
import ContsecPluginKit
import ContainerKit
import Observability

let alertParams: [ParamSpec] = [
    ParamSpec(name: "container", type: .string, required: true, description: "Container to evaluate (name or id)"),
    ParamSpec(name: "alert-threshold", type: .int, default: 90, description: "CPU and memory threshold, % of the limit (or of the host)"),
    ParamSpec(name: "webhook", type: .string, description: "Deliver the alerts to this URL as Alertmanager webhook JSON"),
    ParamSpec(name: "retries", type: .int, default: 3, description: "Webhook retries after the first attempt (backoff 1 s, 2 s, 4 s…)"),
    ParamSpec(name: "rules-dir", type: .string, default: "observability/prometheus", description: "Workspace folder for the container's alert rule file"),
]

/// The container's current use: the Engine's own CPU figure over its last second (a live stream's second sample
/// carries it) and memory now.
func measure(_ docker: DockerClient, _ container: String) async throws -> (ContainerSample, ResourceUse, HostFacts) {
    let collector = Collector(docker: docker, selection: ContainerSelection([container]))
    let collecting = Task { await collector.run() }
    defer { collecting.cancel() }
    let deadline = Date().addingTimeInterval(10)
    while true {
        let snap = await collector.snapshot()
        if snap.error != nil && Date() >= deadline { throw PluginError.preconditionFailed(snap.error!) }
        if snap.error == nil && snap.containers.isEmpty {
            throw PluginError.preconditionFailed("container \(container) is not running (docker ps lists the running ones)")
        }
        if let c = snap.containers.first, let host = snap.host, c.usage?.cpuCores != nil || (Date() >= deadline && c.usage != nil) {
            return (c, ResourceUse.of(c, host: host), host)
        }
        if Date() >= deadline { throw PluginError.preconditionFailed("container \(container) gave no stats within 10 s (is it restarting?)") }
        try await Task.sleep(nanoseconds: 100_000_000)
    }
}

func alert(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let name = a.string("container") ?? ""
    let threshold = try threshold(ctx, "alert-threshold")
    let retries = a.int("retries") ?? 3
    guard (0...10).contains(retries) else { throw PluginError.invalidParams(param: "retries", message: "\(retries) is not from 0 to 10") }
    var sender: WebhookSender?
    if let url = a.string("webhook") {
        do { sender = try WebhookSender(url: url, retries: retries) } catch {
            throw PluginError.invalidParams(param: "webhook", message: "\(error)")
        }
    }
    let docker = try dockerClient()
    try await requireEngine(docker)
    let (sample, use, _) = try await measure(docker, name)

    let evaluation = AlertEvaluation(sample, use, threshold: threshold)
    let findings = evaluation.findings
    for f in findings { ctx.emit(f) }
    ctx.log(.info, String(format: "%@: CPU %.1f%%, memory %.1f%% (threshold %d%%)", sample.name, use.cpuPercent ?? 0, use.memoryPercent ?? 0, threshold))

    // The matching Prometheus rules, for this container.
    let dir = a.string("rules-dir") ?? "observability/prometheus"
    guard !dir.hasPrefix("/"), !dir.split(separator: "/").contains("..") else {
        throw PluginError.invalidParams(param: "rules-dir", message: "'\(dir)' must be a folder inside the workspace")
    }
    let path = "\(dir)/alerts-\(Exposition.labelName(sample.name)).yml"
    do {
        let w = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun).write(path, Data(ContainerAlertRules.render(container: sample.name, threshold: threshold).utf8))
        ctx.emit(Action(kind: "file-written", target: path, status: ctx.dryRun ? .planned : .applied,
                        detail: "Prometheus alert rules for \(sample.name)", artifacts: ctx.dryRun ? [] : [w.path]))
    } catch {
        throw PluginError.failed("cannot write \(path): \(error)")
    }

    var summary: [String: JSONValue] = ["container": .string(sample.name), "alerts": .int(findings.count),
                                        "cpuPercent": .double(((use.cpuPercent ?? 0) * 10).rounded() / 10),
                                        "memoryPercent": .double(((use.memoryPercent ?? 0) * 10).rounded() / 10)]
    if let sender, !findings.isEmpty {
        let target = sender.url.host ?? "webhook"
        if ctx.dryRun {
            ctx.emit(Action(kind: "webhook-delivered", target: target, status: .planned, detail: "\(findings.count) alerts"))
        } else {
            do {
                let attempts = try await sender.send(AlertmanagerPayload.body(findings), isCancelled: { ctx.isCancelled })
                ctx.emit(Action(kind: "webhook-delivered", target: target, status: .applied,
                                detail: "\(findings.count) alerts in \(attempts.count) attempt(s)"))
                summary["webhookAttempts"] = .int(attempts.count)
            } catch {
                ctx.emit(Action(kind: "webhook-delivered", target: target, status: .failed, detail: "\(error)"))
                throw PluginError.failed("\(error); the findings above were still reported")
            }
        }
    }
    return .ok(summary: summary, table: evaluation.table)
}
