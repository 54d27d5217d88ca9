import Foundation
import ContsecProtocol

/// One JSON report (`contsec … --format json`) read back for `contsec report merge`: its plugin runs, findings,
/// ignored findings, actions, warnings and logs, each with the machine it came from.
///
/// Reports written before findings carried their host, or collected under a name of the collector's choosing, are
/// named on the command line (`node-1=report.json`); otherwise every entry names its own host (a merged report
/// merges again).
public struct HostReport: Sendable {
    public struct Run: Sendable {
        public var plugin: String
        public var runId: String
        public var host: String
        public var path: String
        public var command: String?
        public var info: PluginInfo?
        /// nil for a run that failed.
        public var result: RunResult?
        public var failure: PluginFailure?
        public var durationMs: Int
    }

    public struct Entry: Sendable {
        public var plugin: String
        public var runId: String?
        public var host: String
        public var finding: Finding
        /// Set for a finding the ignore file suppressed where the report was written.
        public var ignoredReason: String?
    }

    public let path: String
    public internal(set) var runs: [Run] = []
    public internal(set) var entries: [Entry] = []
    public private(set) var actions: [(plugin: String, host: String, action: Action)] = []
    public private(set) var warnings: [(plugin: String, host: String, message: String)] = []
    public private(set) var logs: [(plugin: String, host: String, log: LogMessage)] = []
    /// When the report was finished: the time its events are replayed at.
    public private(set) var finishedAt: Date?

    /// Reads and checks `path`. A problem is a usage error naming the file and the JSON path.
    public static func load(path: String, host named: String? = nil) throws(CLIError) -> HostReport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read report \(path): no such file or not readable")
        }
        let doc: JSONValue
        do { doc = try JSONParser.parse([UInt8](data)) } catch {
            throw CLIError.usage("\(path) is not a JSON report: \(error). Merge the output of --format json.")
        }
        do { return try HostReport(path: path, doc: doc, named: named) } catch let e as MergeInputError {
            throw CLIError.usage("\(path): \(e.path): \(e.reason)")
        } catch {
            throw CLIError.usage("\(path): \(error)")
        }
    }

    struct MergeInputError: Error {
        let path: String
        let reason: String
    }

    init(path: String, doc: JSONValue, named: String?) throws {
        self.path = path
        guard doc.objectValue != nil, doc["findings"]?.arrayValue != nil, doc["plugins"]?.arrayValue != nil else {
            throw MergeInputError(path: "$", reason: "not a contsec JSON report (it needs 'plugins' and 'findings'). Merge the output of --format json.")
        }
        if let v = doc["schemaVersion"]?.intValue, v > JSONReporter.schemaVersion {
            throw MergeInputError(path: "$.schemaVersion", reason: "version \(v) is newer than this contsec reads (\(JSONReporter.schemaVersion)): update contsec")
        }
        let documentHost = named ?? doc["host"]?.stringValue
        func host(_ v: JSONValue, _ at: String) throws -> String {
            if let named { return named }
            if let h = v["host"]?.stringValue, !h.isEmpty { return h }
            if let documentHost { return documentHost }
            throw MergeInputError(path: at, reason: "names no host (a report from before contsec stamped hosts): give it one as HOST=\(path)")
        }
        finishedAt = doc["finishedAt"]?.stringValue.flatMap { ISO8601DateFormatter().date(from: $0) }

        for (i, p) in (doc["plugins"]?.arrayValue ?? []).enumerated() {
            let at = "$.plugins[\(i)]"
            guard let name = p["name"]?.stringValue, let runId = p["runId"]?.stringValue else {
                throw MergeInputError(path: at, reason: "a plugin run needs 'name' and 'runId'")
            }
            var run = Run(plugin: name, runId: runId, host: try host(p, at), path: p["path"]?.stringValue ?? "",
                          command: p["command"]?.stringValue, durationMs: p["durationMs"]?.intValue ?? 0)
            if let version = p["version"]?.stringValue {
                run.info = PluginInfo(name: name, version: version, vendor: p["vendor"]?.stringValue)
            }
            if p["status"]?.stringValue == "failed" {
                let e = p["error"]
                run.failure = PluginFailure(kind: e?["kind"]?.stringValue.flatMap(PluginFailure.Kind.init(rawValue:)) ?? .crashed,
                                            message: e?["message"]?.stringValue ?? "failed",
                                            exitStatus: e?["exitStatus"]?.stringValue,
                                            stderrTail: e?["stderrTail"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            } else if let statusText = p["status"]?.stringValue {
                guard let status = RunStatus(rawValue: statusText) else {
                    throw MergeInputError(path: at + ".status", reason: "unknown status '\(statusText)'")
                }
                var table: ResultTable?
                if let t = p["table"] { table = try? JSONDecoder().decode(ResultTable.self, from: Data(JSONWriter.bytes(t))) }
                run.result = RunResult(status: status, message: p["message"]?.stringValue,
                                       summary: p["summary"]?.objectValue ?? [:], table: table)
            } else {
                // Started but never finished (the writer was killed): a failure, so nobody mistakes it for a clean run.
                run.failure = PluginFailure(kind: .crashed, message: "the report ends before this run finished")
            }
            runs.append(run)
        }
        for (key, ignored) in [("findings", false), ("ignored", true)] {
            for (i, item) in (doc[key]?.arrayValue ?? []).enumerated() {
                let at = "$.\(key)[\(i)]"
                guard let plugin = item["plugin"]?.stringValue, let f = item["finding"] else {
                    throw MergeInputError(path: at, reason: "an entry needs 'plugin' and 'finding'")
                }
                let finding: Finding
                do { finding = try Finding(json: f) } catch {
                    throw MergeInputError(path: at + ".finding", reason: "\(error)")
                }
                entries.append(Entry(plugin: plugin, runId: item["runId"]?.stringValue, host: try host(item, at), finding: finding,
                                     ignoredReason: ignored ? (item["reason"]?.stringValue ?? "ignored where it was reported") : nil))
            }
        }
        let defaultHost = named ?? documentHost ?? runs.first?.host
        for (i, item) in (doc["actions"]?.arrayValue ?? []).enumerated() {
            guard let plugin = item["plugin"]?.stringValue, let a = item["action"], let action = try? Action(json: a) else {
                throw MergeInputError(path: "$.actions[\(i)]", reason: "an action entry needs 'plugin' and a valid 'action'")
            }
            actions.append((plugin, named ?? item["host"]?.stringValue ?? defaultHost ?? "unknown", action))
        }
        for item in doc["warnings"]?.arrayValue ?? [] {
            guard let plugin = item["plugin"]?.stringValue, let m = item["message"]?.stringValue else { continue }
            warnings.append((plugin, named ?? item["host"]?.stringValue ?? defaultHost ?? "unknown", m))
        }
        for item in doc["logs"]?.arrayValue ?? [] {
            guard let plugin = item["plugin"]?.stringValue, let m = item["message"]?.stringValue,
                  let level = item["level"]?.stringValue.flatMap(LogLevel.init(rawValue:)) else { continue }
            logs.append((plugin, named ?? item["host"]?.stringValue ?? defaultHost ?? "unknown", LogMessage(level: level, message: m)))
        }
    }
}
