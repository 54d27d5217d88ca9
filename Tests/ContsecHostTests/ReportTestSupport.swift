import Foundation
import ContsecHost
import ContsecProtocol

/// A fixed stream of events from two plugins, published through a real ``EventBus``: every event kind, findings of
/// every severity, a file inside the workspace, a relative file, a file outside it, targets with no file, a
/// stderr line with terminal escapes, a protocol warning, a finished and a failed plugin.
enum FixedEvents {
    static let workspace = "/work/ws"
    /// The machine the fixed stream comes from (not this one: golden files must not depend on where tests run).
    static let host = "node-1"

    static let findings: [Finding] = [
        Finding(ruleId: "SEC-1", title: "AWS access key in a file", severity: .critical, category: .secret,
                target: Target(kind: "file", name: "config.env", file: "/work/ws/app/config.env", line: 3, column: 5, endLine: 4),
                message: "An AWS key is committed", remediation: "Rotate the key and remove it from the file.",
                references: ["https://example.com/rules/SEC-1"], fingerprint: "fp-1",
                properties: ["match": "AKIAIOSFODNN7EXAMPLE"]),
        Finding(ruleId: "CVE-2026-0001", title: "openssl: buffer overflow", severity: .high, category: .vulnerability,
                target: Target(kind: "image", name: "nginx:1.27"), references: ["advisory CVE-2026-0001"], fingerprint: "fp-2"),
        Finding(ruleId: "DF-ROOT", title: "Container runs as root", severity: .medium, category: .misconfiguration,
                target: Target(kind: "file", name: "Dockerfile", file: "Dockerfile", line: 7),
                remediation: "Add a USER instruction.", fingerprint: "fp-3"),
        Finding(ruleId: "DF-ROOT", title: "Container runs as root", severity: .medium, category: .misconfiguration,
                target: Target(kind: "file", name: "Dockerfile", file: "Dockerfile", line: 12),
                remediation: "Add a USER instruction.", fingerprint: "fp-4"),
        Finding(ruleId: "CIS-2.1", title: "Network traffic between containers is not restricted", severity: .low,
                category: .compliance, target: Target(kind: "daemon", name: "dockerd"), fingerprint: "fp-5"),
        Finding(ruleId: "RT-9", title: "Daemon config is world readable", severity: .info, category: .runtime,
                target: Target(kind: "file", name: "/etc/docker/daemon.json", file: "/etc/docker/daemon.json"), fingerprint: "fp-6"),
        Finding(ruleId: "VOL-1", title: "Volume is not encrypted", severity: .unknown, category: .storage,
                target: Target(kind: "volume", name: "data vol"), fingerprint: "fp-7"),
    ]

    /// Publishes the stream on `bus` (not finished).
    static func publish(on bus: EventBus) {
        let f = findings
        func a(_ k: EventKind) { bus.publish(plugin: "scanner", runId: "run-1", k) }
        func b(_ k: EventKind) { bus.publish(plugin: "auditor", runId: "run-2", k) }
        a(.pluginStarted(path: "/opt/contsec/contsec-scanner", command: "scan"))
        a(.pluginReady(PluginInfo(name: "scanner", version: "1.2.3", vendor: "Example Ltd", description: "fixture scanner")))
        a(.finding(f[0]))
        a(.stderr("\u{1B}[31mscanning\u{1B}[0m layer 1"))
        a(.finding(f[1]))
        a(.finding(f[2]))
        a(.finding(f[3]))
        a(.action(Action(kind: "file-written", target: "/work/ws/out/profile.json", status: .applied,
                         detail: "seccomp profile", artifacts: ["/work/ws/out/profile.json"])))
        a(.progress(ProgressUpdate(message: "layers", current: 2, total: 5)))
        a(.log(LogMessage(level: .warning, message: "database is 3 days old\nrun update")))
        a(.finding(f[4]))
        a(.finding(f[5]))
        a(.protocolWarning("stdout pollution: a line that is not JSON: hello"))
        a(.pluginFinished(RunResult(status: .ok, summary: ["scanned": 3]), duration: 1.5))
        b(.pluginStarted(path: "/opt/contsec/contsec-auditor", command: nil))
        b(.finding(f[6]))
        b(.pluginFailed(PluginFailure(kind: .crashed, message: "plugin auditor crashed while running 'audit': signal 11 (SIGSEGV)",
                                      exitStatus: "signal 11 (SIGSEGV)", stderrTail: ["boom"]), duration: 0.25))
    }

    /// Runs the fixed stream through `sinks` (behind a policy filter with `ignore` and `gate`) and returns the filter.
    @discardableResult
    static func run(_ sinks: [EventSink], ignore: IgnoreList? = nil, gate: GateOptions = GateOptions()) -> PolicyFilter {
        let bus = EventBus(host: host)
        let filter = PolicyFilter(sinks: sinks, ignore: ignore, gate: gate)
        bus.subscribe(filter)
        publish(on: bus)
        bus.finish()
        return filter
    }
}

func readText(_ path: String) throws -> String {
    guard let d = FileManager.default.contents(atPath: path) else { throw TestFailure("cannot read \(path)") }
    return String(decoding: d, as: UTF8.self)
}

/// Replaces what changes from run to run (clock readings) with fixed text, so output can be compared with a golden file.
func normalizeTimes(_ text: String) -> String {
    var t = text
    for (pattern, replacement) in [
        (#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z"#, "TIME"),
    ] {
        t = t.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
    }
    return t
}

/// Compares `actual` with the golden file `name` in Fixtures/golden. With CONTSEC_UPDATE_GOLDEN=1 the file is
/// rewritten instead (then review the diff before committing it).
func expectGolden(_ actual: String, _ name: String) throws -> String? {
    let path = Paths.fixture("golden/" + name)
    if ProcessInfo.processInfo.environment["CONTSEC_UPDATE_GOLDEN"] == "1" {
        try FileManager.default.createDirectory(atPath: Paths.fixture("golden"), withIntermediateDirectories: true)
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
        return nil
    }
    let golden = try readText(path)
    if golden == actual { return nil }
    let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
    let g = golden.split(separator: "\n", omittingEmptySubsequences: false)
    let i = Array(zip(a, g)).firstIndex { $0 != $1 } ?? min(a.count, g.count)
    return "\(name) differs at line \(i + 1):\n  golden: \(i < g.count ? String(g[i]) : "<end>")\n  actual: \(i < a.count ? String(a[i]) : "<end>")"
}

/// The SARIF 2.1.0 schema the tests carry (Fixtures/sarif/README.md says where it comes from).
let sarifSchema: SchemaSubsetValidator? = {
    guard let d = FileManager.default.contents(atPath: Paths.fixture("sarif/sarif-schema-2.1.0.json")),
          let json = try? JSONParser.parse([UInt8](d)) else { return nil }
    return try? SchemaSubsetValidator(schema: json)
}()

/// Schema violations, plus the rules GitHub code scanning adds on top of the schema (its upload rejects a file
/// where a result has no location or only a logical one; `security-severity` must be a number in a string;
/// `ruleIndex` must point at the rule with the same id).
func sarifProblems(_ doc: JSONValue) -> [String] {
    guard let schema = sarifSchema else { return ["the SARIF schema fixture could not be loaded"] }
    var problems = schema.errors(doc)
    if doc["version"] != "2.1.0" { problems.append("version is not 2.1.0") }
    for (r, run) in (doc["runs"]?.arrayValue ?? []).enumerated() {
        let rules = run["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        for rule in rules {
            guard let s = rule["properties"]?["security-severity"]?.stringValue, let score = Double(s), (0...10).contains(score) else {
                problems.append("runs[\(r)] rule \(rule["id"] ?? "?"): security-severity is not a score in a string"); continue
            }
        }
        for (i, result) in (run["results"]?.arrayValue ?? []).enumerated() {
            let here = "runs[\(r)].results[\(i)]"
            let locations = result["locations"]?.arrayValue ?? []
            if locations.isEmpty { problems.append("\(here): no location (GitHub: expected at least one location)") }
            for l in locations where l["physicalLocation"]?["artifactLocation"]?["uri"]?.stringValue == nil {
                problems.append("\(here): a location without a physical artifact location")
            }
            if let idx = result["ruleIndex"]?.intValue {
                if idx >= rules.count || rules[idx]["id"] != result["ruleId"] { problems.append("\(here): ruleIndex \(idx) is not rule \(result["ruleId"] ?? "?")") }
            } else {
                problems.append("\(here): no ruleIndex")
            }
            if result["partialFingerprints"]?["contsecFingerprint/v1"]?.stringValue == nil {
                problems.append("\(here): no partialFingerprints")
            }
        }
    }
    return problems
}

extension JSONValue {
    /// Array element, or nil (tests walk reports with `doc["runs"]?[0]?["results"]`).
    subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}
