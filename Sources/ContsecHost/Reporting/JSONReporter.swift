import Foundation
import ContsecProtocol

/// One JSON document for the whole invocation: plugins, findings, actions, warnings, summary and timings.
///
/// Findings and actions are spooled to an unlinked temporary file as they arrive, so memory stays flat however
/// many a plugin reports; the document is assembled when the invocation ends.
public final class JSONReporter: EventSink, @unchecked Sendable {
    private let out: ByteOutput
    private let started = Date()
    private var findingSpool: ByteOutput
    private var findingSpoolPath: String
    private var findingCount = 0
    private var actions: [JSONValue] = []
    private var warnings: [JSONValue] = []
    private var plugins: [String: [String: JSONValue]] = [:]
    private var pluginOrder: [String] = []
    private var tally = SeverityTally()
    private var extra: [String: JSONValue] = [:]

    public init(output: ByteOutput) throws {
        out = output
        findingSpoolPath = NSTemporaryDirectory() + "contsec-findings-\(getpid())-\(UUID().uuidString)"
        findingSpool = try ByteOutput.file(findingSpoolPath)
    }

    /// Adds a top-level section (e.g. the gate verdict) before the document is written.
    public func attach(_ key: String, _ value: JSONValue) { extra[key] = value }

    private func plugin(_ runId: String, _ name: String, _ update: (inout [String: JSONValue]) -> Void) {
        if plugins[runId] == nil {
            plugins[runId] = ["name": .string(name), "runId": .string(runId)]
            pluginOrder.append(runId)
        }
        update(&plugins[runId]!)
    }

    public func receive(_ event: Event) {
        switch event.kind {
        case .finding(let f):
            tally.add(f.severity)
            let plugin = event.plugin
            findingSpool.append { buf in
                if findingCount > 0 { buf.append(UInt8(ascii: ",")) }
                buf.append(contentsOf: "\n    {\"plugin\":".utf8)
                JSONWriter.writeString(plugin, into: &buf)
                buf.append(contentsOf: ",\"finding\":".utf8)
                f.writeJSON(into: &buf)
                buf.append(UInt8(ascii: "}"))
            }
            findingCount += 1
        case .action(let a):
            actions.append(.object(["plugin": .string(event.plugin), "action": a.json]))
        case .protocolWarning(let w):
            if warnings.count < 1000 { warnings.append(["plugin": .string(event.plugin), "message": .string(w)]) }
        case .pluginStarted(let path, _):
            plugin(event.runId, event.plugin) { $0["path"] = .string(path) }
        case .pluginReady(let info):
            plugin(event.runId, event.plugin) { p in
                p["version"] = .string(info.version)
                if let v = info.vendor { p["vendor"] = .string(v) }
            }
        case .pluginFinished(let r, let d):
            plugin(event.runId, event.plugin) { p in
                p["status"] = .string(r.status.rawValue)
                if let m = r.message { p["message"] = .string(m) }
                p["summary"] = .object(r.summary)
                p["durationMs"] = .int(Int(d * 1000))
            }
        case .pluginFailed(let f, let d):
            plugin(event.runId, event.plugin) { p in
                p["status"] = "failed"
                var e: [String: JSONValue] = ["kind": .string(f.kind.rawValue), "message": .string(f.message)]
                if let rpc = f.rpcError { e["code"] = .int(rpc.code); if let data = rpc.data { e["data"] = data } }
                if let s = f.exitStatus { e["exitStatus"] = .string(s) }
                if !f.stderrTail.isEmpty { e["stderrTail"] = .array(f.stderrTail.map(JSONValue.string)) }
                p["error"] = .object(e)
                p["durationMs"] = .int(Int(d * 1000))
            }
        default: break
        }
    }

    public func finish() {
        findingSpool.close()
        defer { unlink(findingSpoolPath) }
        let iso = ISO8601DateFormatter()
        let failed = pluginOrder.filter { plugins[$0]?["status"] == "failed" }.count
        var head: [UInt8] = []
        func field(_ key: String, _ value: JSONValue) {
            head.append(contentsOf: "\n  ".utf8)
            JSONWriter.writeString(key, into: &head)
            head.append(contentsOf: ": ".utf8)
            JSONWriter.write(value, into: &head)
            head.append(UInt8(ascii: ","))
        }
        head.append(UInt8(ascii: "{"))
        field("contsec", ["version": .string(ContsecVersion.current)])
        field("startedAt", .string(iso.string(from: started)))
        field("finishedAt", .string(iso.string(from: Date())))
        field("plugins", .array(pluginOrder.compactMap { plugins[$0].map(JSONValue.object) }))
        field("summary", [
            "findings": .int(findingCount), "bySeverity": tally.json, "actions": .int(actions.count),
            "plugins": .int(pluginOrder.count), "pluginsFailed": .int(failed), "warnings": .int(warnings.count),
        ])
        for key in extra.keys.sorted() { field(key, extra[key]!) }
        field("actions", .array(actions))
        field("warnings", .array(warnings))
        head.append(contentsOf: "\n  \"findings\": [".utf8)
        out.write(head)
        // Never the whole list in memory: the kernel copies the spool into the output.
        out.appendFile(atPath: findingSpoolPath)
        out.write(findingCount > 0 ? "\n  ]\n}\n" : "]\n}\n")
        out.flush()
    }
}
