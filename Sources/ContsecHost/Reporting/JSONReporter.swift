import Foundation
import ContsecProtocol

/// One JSON document for the whole invocation: plugins, findings, actions, warnings, summary and timings.
///
/// Findings are spooled to a private temporary file as they arrive, so memory stays flat however many a plugin
/// reports; the document is assembled when the invocation ends. Findings the ignore file suppressed are listed
/// apart, under `ignored`, with the reason (never silently dropped).
public final class JSONReporter: IgnoredFindingSink, @unchecked Sendable {
    private let out: ByteOutput
    private let started = Date()
    private let findingSpool: Spool
    private let ignoredSpool: Spool
    private var actions: [JSONValue] = []
    private var warnings: [JSONValue] = []
    /// Plugins' `log` lines (PROTOCOL.md §9), the first 1,000; `summary.logs` counts them all.
    private var logs: [JSONValue] = []
    private var logCount = 0
    private var plugins: [String: [String: JSONValue]] = [:]
    private var pluginOrder: [String] = []
    private var tally = SeverityTally()
    private var extra: [String: JSONValue] = [:]
    /// Machines the events came from, in order of appearance: one for `run` and `workflow`, several for a merge.
    private var hosts: [String] = []
    /// The version of the document's shape; fields may be added, none renamed or removed without a new version.
    public static let schemaVersion = 1

    public init(output: ByteOutput) throws {
        out = output
        findingSpool = try Spool(tag: "findings")
        ignoredSpool = try Spool(tag: "ignored")
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
            noteHost(event.host)
            findingSpool.append(separator: ",") { buf in
                Self.entryHead(event, into: &buf)
                buf.append(contentsOf: ",\"finding\":".utf8)
                f.writeJSON(into: &buf)
                buf.append(UInt8(ascii: "}"))
            }
        case .action(let a):
            actions.append(.object(["plugin": .string(event.plugin), "host": .string(event.host), "action": a.json]))
        case .log(let l):
            logCount += 1
            if logs.count < 1000 {
                logs.append(["plugin": .string(event.plugin), "host": .string(event.host), "level": .string(l.level.rawValue),
                             "message": .string(l.message)])
            }
        case .protocolWarning(let w):
            if warnings.count < 1000 { warnings.append(["plugin": .string(event.plugin), "host": .string(event.host), "message": .string(w)]) }
        case .pluginStarted(let path, let command):
            noteHost(event.host)
            plugin(event.runId, event.plugin) { p in
                p["path"] = .string(path)
                p["host"] = .string(event.host)
                if let command { p["command"] = .string(command) }
            }
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
                if let t = r.table { p["table"] = t.json }
                p["durationMs"] = .int(Int(d * 1000))
            }
        case .pluginFailed(let f, let d):
            plugin(event.runId, event.plugin) { p in
                p["status"] = "failed"
                p["error"] = f.json
                p["durationMs"] = .int(Int(d * 1000))
            }
        default: break
        }
    }

    /// `\n    {"plugin":…,"runId":…,"host":…` of a findings or ignored entry: which run, on which machine.
    static func entryHead(_ event: Event, into buf: inout [UInt8]) {
        buf.append(contentsOf: "\n    {\"plugin\":".utf8)
        JSONWriter.writeString(event.plugin, into: &buf)
        buf.append(contentsOf: ",\"runId\":".utf8)
        JSONWriter.writeString(event.runId, into: &buf)
        buf.append(contentsOf: ",\"host\":".utf8)
        JSONWriter.writeString(event.host, into: &buf)
    }

    private func noteHost(_ host: String) {
        if !hosts.contains(host) { hosts.append(host) }
    }

    public func receiveIgnored(_ event: Event, reason: String) {
        guard case .finding(let f) = event.kind else { return }
        noteHost(event.host)
        ignoredSpool.append(separator: ",") { buf in
            Self.entryHead(event, into: &buf)
            buf.append(contentsOf: ",\"reason\":".utf8)
            JSONWriter.writeString(reason, into: &buf)
            buf.append(contentsOf: ",\"finding\":".utf8)
            f.writeJSON(into: &buf)
            buf.append(UInt8(ascii: "}"))
        }
    }

    public func finish() {
        let findingCount = findingSpool.count
        var stamp = UTCTimestamp()
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
        // The host's own peak memory, for benchmarks and for users sizing CI runners.
        field("schemaVersion", .int(Self.schemaVersion))
        field("contsec", ["version": .string(ContsecVersion.current), "peakRSSKiB": .int(HostResources.peakRSSKiB())])
        // One machine: its name. A merge attaches `hosts` (a summary per machine) instead.
        if hosts.count <= 1 { field("host", .string(hosts.first ?? HostIdentity.current)) }
        field("startedAt", .string(stamp.secondsString(started)))
        field("finishedAt", .string(stamp.secondsString(Date())))
        field("plugins", .array(pluginOrder.compactMap { plugins[$0].map(JSONValue.object) }))
        field("summary", [
            "findings": .int(findingCount), "bySeverity": tally.json, "ignored": .int(ignoredSpool.count), "actions": .int(actions.count),
            "plugins": .int(pluginOrder.count), "pluginsFailed": .int(failed), "warnings": .int(warnings.count),
            "logs": .int(logCount),
        ])
        for key in extra.keys.sorted() { field(key, extra[key]!) }
        field("actions", .array(actions))
        field("warnings", .array(warnings))
        field("logs", .array(logs))
        head.append(contentsOf: "\n  \"ignored\": [".utf8)
        out.write(head)
        // Never the whole lists in memory: the kernel copies the spools into the output.
        let ignoredCount = ignoredSpool.count
        ignoredSpool.drain(into: out)
        out.write(ignoredCount > 0 ? "\n  ],\n  \"findings\": [" : "],\n  \"findings\": [")
        findingSpool.drain(into: out)
        out.write(findingCount > 0 ? "\n  ]\n}\n" : "]\n}\n")
        out.flush()
    }
}
