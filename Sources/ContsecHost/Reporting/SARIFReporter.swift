import Foundation
import ContsecProtocol

/// SARIF 2.1.0 for GitHub code scanning: one run per plugin (`tool.driver.name` = "contsec <plugin>"), its rules
/// from the findings' rule ids, results with level, `security-severity`, locations and `partialFingerprints`, and one
/// invocation per plugin run (a failed run has `executionSuccessful: false` and says why).
///
/// Results are spooled to a private temporary file per plugin as they arrive and copied into the document at the
/// end, so memory grows with the number of distinct rules, never with the number of findings.
public final class SARIFReporter: EventSink, @unchecked Sendable {
    /// The project's home, for `tool.driver.informationUri` (the namespace of contsec's own JSON Schemas).
    public static let informationUri = "https://contsec.dev/"
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    /// Notifications kept per invocation: a plugin that floods warnings does not flood the report.
    static let maxNotifications = 100

    private let out: ByteOutput
    private let workspace: String
    private var runs: [String: PluginRunState] = [:]
    private var order: [String] = []
    private var unavailable: Set<String> = []
    private var stamp = UTCTimestamp()

    final class PluginRunState {
        let plugin: String
        var info: PluginInfo?
        var ruleIndex: [String: Int] = [:]
        var rules: [JSONValue] = []
        let results: Spool
        var invocations: [String: [String: JSONValue]] = [:]
        var invocationOrder: [String] = []
        var notificationCounts: [String: Int] = [:]

        init(plugin: String) throws {
            self.plugin = plugin
            results = try Spool(tag: "sarif")
        }

        func invocation(_ runId: String, _ update: (inout [String: JSONValue]) -> Void) {
            if invocations[runId] == nil {
                invocations[runId] = ["executionSuccessful": true, "properties": ["runId": .string(runId)]]
                invocationOrder.append(runId)
            }
            update(&invocations[runId]!)
        }
    }

    public init(output: ByteOutput, workspace: String) {
        out = output
        self.workspace = workspace
    }

    private func state(_ plugin: String) -> PluginRunState? {
        if let s = runs[plugin] { return s }
        if unavailable.contains(plugin) { return nil }
        let s: PluginRunState
        do {
            s = try PluginRunState(plugin: plugin)
        } catch {
            FileHandle.standardError.write(Data("contsec: the SARIF report leaves out \(plugin): no temporary file for its results (\(error)); check TMPDIR\n".utf8))
            unavailable.insert(plugin)
            return nil
        }
        runs[plugin] = s
        order.append(plugin)
        return s
    }

    public func receive(_ event: Event) {
        guard let run = state(event.plugin) else { return }
        switch event.kind {
        case .finding(let f):
            let index: Int
            if let i = run.ruleIndex[f.ruleId] {
                index = i
            } else {
                index = run.rules.count
                run.ruleIndex[f.ruleId] = index
                run.rules.append(SARIFEncoding.rule(f))
            }
            let result = SARIFEncoding.result(f, ruleIndex: index, workspace: workspace)
            run.results.append(separator: ",\n        ") { JSONWriter.write(result, into: &$0) }
        case .pluginStarted(_, let command):
            let time = stamp.string(event.time)
            run.invocation(event.runId) { inv in
                inv["startTimeUtc"] = .string(time)
                if let command { inv["properties"] = ["runId": .string(event.runId), "command": .string(command)] }
            }
        case .pluginReady(let info):
            run.info = info
        case .protocolWarning(let text):
            notify(run, event.runId, level: "warning", text)
        case .pluginFinished:
            let time = stamp.string(event.time)
            run.invocation(event.runId) { $0["endTimeUtc"] = .string(time) }
        case .pluginFailed(let f, _):
            let time = stamp.string(event.time)
            run.invocation(event.runId) { $0["executionSuccessful"] = false; $0["endTimeUtc"] = .string(time) }
            notify(run, event.runId, level: "error", "\(f.kind.rawValue): \(f.message)")
        default: break
        }
    }

    private func notify(_ run: PluginRunState, _ runId: String, level: String, _ text: String) {
        let n = run.notificationCounts[runId, default: 0]
        run.notificationCounts[runId] = n + 1
        guard n < Self.maxNotifications || level == "error" else { return }
        run.invocation(runId) { inv in
            var list = inv["toolExecutionNotifications"]?.arrayValue ?? []
            list.append(["level": .string(level), "message": ["text": .string(SARIFEncoding.cut(text, 4096))]])
            inv["toolExecutionNotifications"] = .array(list)
        }
    }

    public func finish() {
        out.write("{\n  \"$schema\": \"\(Self.schemaURI)\",\n  \"version\": \"2.1.0\",\n  \"runs\": [")
        for (i, plugin) in order.enumerated() {
            guard let run = runs[plugin] else { continue }
            var driver: [String: JSONValue] = [
                "name": .string("contsec \(plugin)"),
                "informationUri": .string(Self.informationUri),
                "rules": .array(run.rules),
            ]
            if let info = run.info {
                driver["version"] = .string(info.version)
                driver["fullName"] = .string("contsec \(plugin) \(info.version)")
                if let v = info.vendor { driver["organization"] = .string(v) }
            }
            var head: [UInt8] = Array((i > 0 ? ",\n    {" : "\n    {").utf8)
            func field(_ key: String, _ value: JSONValue) {
                head.append(contentsOf: "\n      ".utf8)
                JSONWriter.writeString(key, into: &head)
                head.append(contentsOf: ": ".utf8)
                JSONWriter.write(value, into: &head)
                head.append(UInt8(ascii: ","))
            }
            field("tool", ["driver": .object(driver)])
            // A category per plugin, so GitHub keeps each plugin's alerts apart when several runs share one upload.
            field("automationDetails", ["id": .string("contsec-\(plugin)/")])
            field("originalUriBaseIds", SARIFEncoding.baseIds(workspace: workspace))
            field("columnKind", "unicodeCodePoints")
            field("invocations", .array(run.invocationOrder.compactMap { run.invocations[$0].map(JSONValue.object) }))
            head.append(contentsOf: "\n      \"results\": [".utf8)
            out.write(head)
            if run.results.count > 0 { out.write("\n        ") }
            run.results.drain(into: out)
            out.write(run.results.count > 0 ? "\n      ]\n    }" : "]\n    }")
        }
        out.write(order.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        out.flush()
        runs.removeAll()
    }
}
