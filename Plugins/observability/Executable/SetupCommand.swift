import Foundation
import ContsecPluginKit
import ContainerKit
import Observability

let setupParams: [ParamSpec] = [
    ParamSpec(name: "metrics", type: .string, default: "prometheus", description: "Metrics backend to configure", allowed: ["prometheus"]),
    ParamSpec(name: "tracing", type: .string, default: "none", description: "Also write an OpenTelemetry Collector config", allowed: ["otel", "none"]),
    ParamSpec(name: "dashboard", type: .string, default: "none", description: "Also write a Grafana dashboard and provisioning", allowed: ["grafana", "none"]),
    ParamSpec(name: "exporter", type: .string, default: "127.0.0.1:9323", description: "Where Prometheus scrapes the contsec exporter (HOST:PORT)"),
    ParamSpec(name: "cpu-threshold", type: .int, default: 90, description: "CPU alert threshold, % of the limit (or of the host)"),
    ParamSpec(name: "memory-threshold", type: .int, default: 90, description: "Memory alert threshold, % of the limit (or of the host)"),
    ParamSpec(name: "otlp-endpoint", type: .string, default: "127.0.0.1:4317", description: "OTLP/gRPC endpoint the collector forwards to"),
    ParamSpec(name: "output-dir", type: .string, default: "observability", description: "Folder in the workspace to write into"),
    ParamSpec(name: "validate", type: .bool, default: true, description: "Check the Prometheus files with promtool before writing (--no-validate skips)"),
]

func threshold(_ ctx: RunContext, _ name: String) throws -> Int {
    let v = ctx.arguments.int(name) ?? 90
    guard (1...100).contains(v) else { throw PluginError.invalidParams(param: name, message: "\(v) is not a percentage from 1 to 100") }
    return v
}

func setup(_ ctx: RunContext) async throws -> RunOutcome {
    let a = ctx.arguments
    var o = SetupOptions()
    o.exporter = a.string("exporter") ?? o.exporter
    guard o.exporter.contains(":"), !o.exporter.contains(" "), !o.exporter.contains("'") else {
        throw PluginError.invalidParams(param: "exporter", message: "'\(o.exporter)' is not HOST:PORT, e.g. 127.0.0.1:9323")
    }
    o.cpuThreshold = try threshold(ctx, "cpu-threshold")
    o.memoryThreshold = try threshold(ctx, "memory-threshold")
    o.otel = a.string("tracing") == "otel"
    o.otlpEndpoint = a.string("otlp-endpoint") ?? o.otlpEndpoint
    o.grafana = a.string("dashboard") == "grafana"
    let dir = a.string("output-dir") ?? "observability"
    guard !dir.isEmpty, !dir.hasPrefix("/"), !dir.split(separator: "/").contains("..") else {
        throw PluginError.invalidParams(param: "output-dir", message: "'\(dir)' must be a folder inside the workspace, e.g. observability")
    }
    o.directory = dir
    let files = SetupFiles.all(o)

    var summary: [String: JSONValue] = ["files": .int(files.count)]
    var checks: [SetupValidator.Check] = []
    if a.bool("validate") {
        do {
            checks = try await SetupValidator.validate(files, options: o)
        } catch let e as ToolError {
            if case .toolMissing = e { throw PluginError.toolMissing(tool: "promtool", install: SetupValidator.install + ", or pass --no-validate") }
            throw PluginError.failed("\(e)")
        }
        for c in checks { ctx.log(c.passed ? .info : .error, "\(c.command): \(c.passed ? "passed" : "FAILED") \(c.output)") }
        if let bad = checks.first(where: { !$0.passed }) {
            throw PluginError.failed("the generated files fail `\(bad.command)`, nothing was written: \(bad.output)")
        }
        summary["validated"] = .array(checks.map { .string($0.command) })
    }

    let writer: ConfinedWriter
    do { writer = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun) } catch {
        throw PluginError.preconditionFailed("\(error)")
    }
    for f in files {
        do {
            let w = try writer.write(f.path, Data(f.text.utf8))
            ctx.emit(Action(kind: "file-written", target: f.path, status: ctx.dryRun ? .planned : .applied,
                            detail: f.what, artifacts: ctx.dryRun ? [] : [w.path]))
        } catch {
            ctx.emit(Action(kind: "file-written", target: f.path, status: .failed, detail: "\(error)"))
            throw PluginError.failed("cannot write \(f.path): \(error)")
        }
    }
    summary["directory"] = .string(dir)
    let rows: [[String: JSONValue]] = files.map { f in
        ["file": .string(f.path), "content": .string(f.what), "bytes": .int(f.text.utf8.count),
         "checked": .string(checks.filter { $0.file == f.path }.map(\.command).joined(separator: ", ")),
         "status": .string(ctx.dryRun ? "planned" : "written")]
    }
    let table = ResultTable(title: ctx.dryRun ? "files setup would write" : "files written",
                            columns: [.init("file", "FILE"), .init("content", "CONTENT"), .init("bytes", "BYTES"),
                                      .init("checked", "CHECKED BY"), .init("status", "STATUS")], rows: rows)
    return .ok(summary: summary, table: table)
}
