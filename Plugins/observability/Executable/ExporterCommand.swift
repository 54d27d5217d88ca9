import Foundation
import ContsecPluginKit
import Observability

let exporterParams: [ParamSpec] = [
    ParamSpec(name: "listen", type: .string, default: "127.0.0.1:9323", description: "Address to serve /metrics on (HOST:PORT)"),
    ParamSpec(name: "allow-remote", type: .bool, default: false, description: "Allow a non-loopback --listen address (no TLS: put a proxy in front)"),
    ParamSpec(name: "container", type: .list, description: "Only these containers (names or ids); default: every running one"),
    ParamSpec(name: "log-dir", type: .path, description: "Folder of contsec's daily logs for contsec_findings (default: logs/security in the workspace)"),
    ParamSpec(name: "duration", type: .int, default: 0, description: "Stop after N seconds (0: run until stopped)"),
]

func exporter(_ ctx: RunContext) async throws -> RunOutcome {
    let address = try listenAddress(ctx, param: "listen", defaultPort: 9323)
    let duration = try durationParam(ctx)
    let docker = try dockerClient()
    try await requireEngine(docker)
    let collector = Collector(docker: docker, selection: ContainerSelection(ctx.arguments.list("container")))
    let exporter = Exporter(collector: collector, findings: FindingsLog(directory: logDirectory(ctx)))
    let server = try startServer(address, allowRemote: ctx.arguments.bool("allow-remote"), param: "listen", handler: exporter.handle)
    let collecting = Task { await collector.run() }
    let url = "http://\(server.address)/metrics"
    ctx.log(.info, "serving Prometheus metrics at \(url)")
    FileHandle.standardError.write(Data("contsec-observability: serving \(url)\n".utf8))
    await runUntilStopped(ctx, duration: duration) { "serving \(url): \(exporter.scrapeCount) scrapes" }
    server.stop()
    collecting.cancel()
    await collecting.value
    return .ok(summary: ["url": .string(url), "scrapes": .int(exporter.scrapeCount)])
}
