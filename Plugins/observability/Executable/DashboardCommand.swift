import Foundation
import ContsecPluginKit
import Observability

let dashboardParams: [ParamSpec] = [
    ParamSpec(name: "dashboard-port", type: .int, default: 3000, description: "Port on 127.0.0.1 to serve the dashboard on"),
    ParamSpec(name: "listen", type: .string, description: "Full listen address instead (HOST:PORT); non-loopback needs --allow-remote"),
    ParamSpec(name: "allow-remote", type: .bool, default: false, description: "Allow a non-loopback --listen address (no TLS, no login)"),
    ParamSpec(name: "interval", type: .int, default: 2, description: "Seconds between samples"),
    ParamSpec(name: "log-dir", type: .path, description: "Folder of contsec's daily logs (default: logs/security in the workspace)"),
    ParamSpec(name: "duration", type: .int, default: 0, description: "Stop after N seconds (0: run until stopped)"),
]

func dashboard(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    let port = a.int("dashboard-port") ?? 3000
    guard (0...65535).contains(port) else { throw PluginError.invalidParams(param: "dashboard-port", message: "\(port) is not a port") }
    let address = a.has("listen") ? try listenAddress(ctx, param: "listen", defaultPort: UInt16(port)) : ListenAddressDefault.loopback(UInt16(port))
    let interval = a.int("interval") ?? 2
    guard (1...600).contains(interval) else { throw PluginError.invalidParams(param: "interval", message: "\(interval) is not from 1 to 600") }
    let duration = try durationParam(ctx)
    let docker = try dockerClient()
    try await requireEngine(docker)
    let d = Dashboard(docker: docker, findings: FindingsLog(directory: logDirectory(ctx)))
    let server = try startServer(address, allowRemote: a.bool("allow-remote"), param: a.has("listen") ? "listen" : "dashboard-port", handler: d.handle)
    let url = "http://\(server.address)/"
    ctx.log(.info, "dashboard at \(url)")
    FileHandle.standardError.write(Data("contsec-observability: dashboard at \(url)\n".utf8))
    let sampler = Task { await d.run(interval: Double(interval)) }
    await runUntilStopped(ctx, duration: duration) { "dashboard at \(url)" }
    sampler.cancel()
    server.stop()
    return .ok(summary: ["url": .string(url)])
}
