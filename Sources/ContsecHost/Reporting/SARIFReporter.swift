import Foundation
import ContsecProtocol

/// SARIF 2.1.0 for GitHub code scanning: one run per plugin (`tool.driver.name` = "contsec <plugin>"), its rules
/// from the findings' rule ids, results with level, `security-severity`, locations and `partialFingerprints`, and one
/// invocation per plugin run (a failed run has `executionSuccessful: false` and says why).
///
/// Results are spooled to private temporary files (per plugin and severity) as they arrive and copied into the
/// document at the end, so memory grows with the number of distinct rules, never with the number of findings.
/// GitHub rejects a run with more than 25,000 results, so each run keeps the 25,000 most severe, in order of
/// severity, and its invocation says how many were left out.
public final class SARIFReporter: EventSink, @unchecked Sendable {
    /// The project's home, for `tool.driver.informationUri` (the namespace of contsec's own JSON Schemas).
    public static let informationUri = "https://contsec.dev/"
    public static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"
    /// Notifications kept per invocation (the failure and the results cap are always added): a plugin that floods
    /// warnings does not flood the report.
    static let maxNotifications = 100
    /// GitHub code scanning's hard limit of results per run.
    public static let maxResultsPerRun = 25_000
    /// GitHub code scanning's hard limit of rules per run: results of further rules are left out (and counted).
    public static let maxRulesPerRun = 25_000

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
        var rules: [RuleSource] = []
        /// Rules the plugin declared (protocol 1.1): their own text describes them.
        var declared: [String: RuleSpec] = [:]
        /// By severity, most severe first; created when the first result of a severity arrives.
        var results: [Spool?] = Array(repeating: nil, count: SeverityTally.order.count)
        var resultCount = 0
        /// Results left out because their rule came after `maxRulesPerRun` others.
        var overRuleCap = 0
        var invocations: [String: [String: JSONValue]] = [:]
        var invocationOrder: [String] = []
        var notificationCounts: [String: Int] = [:]

        init(plugin: String) {
            self.plugin = plugin
        }

        func spool(_ s: Severity) throws -> Spool {
            let i = SeverityTally.order.firstIndex(of: s)!
            if let sp = results[i] { return sp }
            let sp = try Spool(tag: "sarif")
            results[i] = sp
            return sp
        }

        func invocation(_ runId: String, _ update: (inout [String: JSONValue]) -> Void) {
            if invocations[runId] == nil {
                invocations[runId] = ["executionSuccessful": true, "properties": ["runId": .string(runId)]]
                invocationOrder.append(runId)
            }
            update(&invocations[runId]!)
        }
    }

    /// What a rule's descriptor is made of: its first finding's texts, kept only where every finding of the rule says
    /// the same. A message or remediation that differs between results (one CVE in several packages) is about each
    /// result, not the rule, and stays in the results.
    ///
    /// Only as much of each text is kept as the descriptor can show (SARIFEncoding cuts title, message and
    /// remediation at 1, 4 and 8 KiB, ten references at 2 KiB each): a rule costs at most ~35 KiB however long its
    /// finding's texts (up to ~530 KiB before), and a run has at most 25,000 rules (issue #12, item 10).
    struct RuleSource {
        private var first: Finding
        private var messageVaries = false
        private var remediationVaries = false
        private let declared: RuleSpec?

        init(_ f: Finding, declared: RuleSpec? = nil) {
            first = f
            first.properties = [:]  // never used for the rule; memory grows with rules, not with their data
            first.title = Self.kept(f.title, 1024)
            first.message = f.message.map { Self.kept($0, 4096) }
            first.remediation = f.remediation.map { Self.kept($0, 8192) }
            first.references = f.references.prefix(10).map { Self.kept($0, 2048) }
            first.target = Target(kind: "-", name: "-")
            self.declared = declared
        }

        mutating func note(_ f: Finding) {
            if !messageVaries && f.message.map({ Self.kept($0, 4096) }) != first.message { messageVaries = true }
            if !remediationVaries && f.remediation.map({ Self.kept($0, 8192) }) != first.remediation { remediationVaries = true }
        }

        /// The first `limit + 1` Unicode scalars: at least `limit + 1` bytes of a longer text, so SARIFEncoding.cut
        /// still cuts it (and marks it) exactly where it would have cut the whole text; at most 4 bytes a scalar.
        static func kept(_ text: String, _ limit: Int) -> String {
            text.utf8.count <= limit ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit + 1)))
        }

        var descriptor: JSONValue {
            if let declared { return SARIFEncoding.rule(declared, fallback: first) }
            return SARIFEncoding.rule(first, messageVaries: messageVaries, remediationVaries: remediationVaries)
        }
    }

    private let maxResults: Int

    /// `maxResultsPerRun` is GitHub's limit; tests lower it.
    public init(output: ByteOutput, workspace: String, maxResultsPerRun: Int = SARIFReporter.maxResultsPerRun) {
        out = output
        self.workspace = workspace
        maxResults = maxResultsPerRun
    }

    private func state(_ plugin: String) -> PluginRunState {
        if let s = runs[plugin] { return s }
        let s = PluginRunState(plugin: plugin)
        runs[plugin] = s
        order.append(plugin)
        return s
    }

    public func receive(_ event: Event) {
        let run = state(event.plugin)
        switch event.kind {
        case .finding(let f):
            let index: Int
            if let i = run.ruleIndex[f.ruleId] {
                index = i
            } else if run.rules.count >= Self.maxRulesPerRun {
                run.overRuleCap += 1
                return
            } else {
                index = run.rules.count
                run.ruleIndex[f.ruleId] = index
                run.rules.append(RuleSource(f, declared: run.declared[f.ruleId]))
            }
            run.rules[index].note(f)
            let result = SARIFEncoding.result(f, ruleIndex: index, workspace: workspace, host: event.host)
            do {
                try run.spool(f.severity).append(separator: ",\n        ") { JSONWriter.write(result, into: &$0) }
                run.resultCount += 1
            } catch {
                if !unavailable.contains(event.plugin) {
                    unavailable.insert(event.plugin)
                    FileHandle.standardError.write(Data("contsec: the SARIF report leaves out results of \(event.plugin): no temporary file (\(error)); check TMPDIR\n".utf8))
                }
                notify(run, event.runId, level: "error", "a result was left out: no temporary file for it (\(error))")
            }
        case .pluginStarted(_, let command):
            let time = stamp.string(event.time)
            run.invocation(event.runId) { inv in
                inv["startTimeUtc"] = .string(time)
                inv["machine"] = .string(event.host)  // SARIF's own field for where the run happened
                if let command { inv["properties"] = ["runId": .string(event.runId), "command": .string(command)] }
            }
        case .pluginReady(let info):
            run.info = info
        case .rules(let rules):
            for r in rules { run.declared[r.id] = r }
        case .protocolWarning(let text):
            notify(run, event.runId, level: "warning", text)
        case .pluginFinished(let r, _):
            let time = stamp.string(event.time)
            run.invocation(event.runId) { inv in
                inv["endTimeUtc"] = .string(time)
                // Rows are data, not results: they ride in the invocation's property bag, where SARIF allows any JSON.
                if let t = r.table, case .object(var props)? = inv["properties"] {
                    props["table"] = t.json
                    inv["properties"] = .object(props)
                }
            }
        case .pluginFailed(let f, _):
            let time = stamp.string(event.time)
            run.invocation(event.runId) { $0["executionSuccessful"] = false; $0["endTimeUtc"] = .string(time) }
            notify(run, event.runId, level: "error", "\(f.kind.rawValue): \(f.message)", always: true)
        default: break
        }
    }

    private func notify(_ run: PluginRunState, _ runId: String, level: String, _ text: String, always: Bool = false) {
        let n = run.notificationCounts[runId, default: 0]
        run.notificationCounts[runId] = n + 1
        guard n < Self.maxNotifications || always else { return }
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
            ]
            if let info = run.info {
                driver["version"] = .string(info.version)
                driver["fullName"] = .string("contsec \(plugin) \(info.version)")
                if let v = info.vendor { driver["organization"] = .string(v) }
            }
            out.write((i > 0 ? ",\n    {" : "\n    {") + "\n      \"tool\": {\"driver\":")
            writeDriver(driver, rules: run.rules)
            var head: [UInt8] = Array("},".utf8)
            func field(_ key: String, _ value: JSONValue) {
                head.append(contentsOf: "\n      ".utf8)
                JSONWriter.writeString(key, into: &head)
                head.append(contentsOf: ": ".utf8)
                JSONWriter.write(value, into: &head)
                head.append(UInt8(ascii: ","))
            }
            // A category per plugin, so GitHub keeps each plugin's alerts apart when several runs share one upload.
            field("automationDetails", ["id": .string("contsec-\(plugin)/")])
            field("originalUriBaseIds", SARIFEncoding.baseIds(workspace: workspace))
            field("columnKind", "unicodeCodePoints")
            let left = run.resultCount - min(run.resultCount, maxResults)
            if left > 0, let last = run.invocationOrder.last {
                notify(run, last, level: "warning", "\(left) result\(left == 1 ? " was" : "s were") left out, the least severe first: "
                       + "GitHub code scanning rejects a run with more than \(maxResults) results. --format json or jsonl has them all.",
                       always: true)
            }
            if run.overRuleCap > 0, let last = run.invocationOrder.last {
                notify(run, last, level: "warning", "\(run.overRuleCap) result\(run.overRuleCap == 1 ? " was" : "s were") left out: their rules came "
                       + "after \(Self.maxRulesPerRun) others, and GitHub code scanning rejects a run with more rules. --format json or jsonl has them all.",
                       always: true)
            }
            field("invocations", .array(run.invocationOrder.compactMap { run.invocations[$0].map(JSONValue.object) }))
            head.append(contentsOf: "\n      \"results\": [".utf8)
            out.write(head)
            var budget = maxResults
            var written = 0
            for spool in run.results {
                guard let spool else { continue }
                let take = min(spool.count, budget)
                if take == 0 { continue }  // dropped: its file goes when the spool does
                out.write(written == 0 ? "\n        " : ",\n        ")
                spool.drain(into: out, lines: take)
                written += take
                budget -= take
            }
            out.write(written > 0 ? "\n      ]\n    }" : "]\n    }")
        }
        out.write(order.isEmpty ? "]\n}\n" : "\n  ]\n}\n")
        out.flush()
        runs.removeAll()
    }

    /// `tool.driver` as JSONWriter would write it (keys sorted, compact), with `rules` streamed one descriptor at a
    /// time: the whole array as one JSON value was the memory peak of a run with many rules.
    private func writeDriver(_ driver: [String: JSONValue], rules: [RuleSource]) {
        out.write("{")
        for (i, key) in (Array(driver.keys) + ["rules"]).sorted().enumerated() {
            out.append { buf in
                if i > 0 { buf.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(key, into: &buf)
                buf.append(UInt8(ascii: ":"))
                if let value = driver[key] { JSONWriter.write(value, into: &buf) }
            }
            guard key == "rules" else { continue }
            out.write("[")
            for (n, rule) in rules.enumerated() {
                out.append { buf in
                    if n > 0 { buf.append(UInt8(ascii: ",")) }
                    JSONWriter.write(rule.descriptor, into: &buf)
                }
            }
            out.write("]")
        }
        out.write("}")
    }
}
