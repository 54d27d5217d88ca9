import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// `contsec report merge` over real reports: each written by `contsec run testkit --format json` under its own
/// CONTSEC_HOST_NAME, as three nodes would write them. testkit's finding i has fingerprint `tk-i`, so which findings
/// overlap is known from the flags alone.
@Suite(.serialized) struct ReportMergeTests {
    /// Writes `<name>.json` in `dir` from one testkit run on `host`.
    private func report(_ dir: String, _ name: String, host: String, _ flags: [String], cwd: String? = nil) async throws -> String {
        let path = "\(dir)/\(name).json"
        let r = try await contsec(["run", "testkit"] + flags + ["--format", "json", "--output", path, "--no-log"],
                                  env: ["CONTSEC_HOST_NAME": host], cwd: cwd ?? dir)
        #expect(r.code == 0 || flags.contains("--crash"), "\(r.stderr)")
        return path
    }

    /// node-a: tk-0…2 critical, tk-2 ignored there. node-b: tk-0…4 high. node-c: tk-0…1 medium (that report given
    /// twice), then a later run with tk-0…3 low (tk-0 and tk-1 repeat).
    private func threeHosts() async throws -> (dir: String, files: [String]) {
        let dir = try temporaryFolder("merge")
        let a = dir + "/node-a"
        try FileManager.default.createDirectory(atPath: a, withIntermediateDirectories: true)
        try "tk-2\n".write(toFile: a + "/.contsecignore", atomically: true, encoding: .utf8)
        let fa = try await report(dir, "a", host: "node-a", ["--findings", "3", "--severity", "critical"], cwd: a)
        let fb = try await report(dir, "b", host: "node-b", ["--findings", "5", "--severity", "high"])
        let fc1 = try await report(dir, "c1", host: "node-c", ["--findings", "2", "--severity", "medium"])
        let fc2 = try await report(dir, "c2", host: "node-c", ["--findings", "4", "--severity", "low"])
        return (dir, [fa, fb, fc1, fc1, fc2])
    }

    @Test("merge of three hosts: de-duplicated by fingerprint + host, the same fingerprint on two hosts kept twice, a summary per host")
    func threeHostsJSON() async throws {
        let (dir, files) = try await threeHosts()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await contsec(["report", "merge"] + files + ["--format", "json"], cwd: dir)
        #expect(r.code == 0, "\(r.stderr)")
        let doc = try #require(r.json)
        // node-a 2 + node-b 5 + node-c 4 (tk-0, tk-1 medium from c1; tk-2, tk-3 low from c2).
        #expect(doc["summary"]?["findings"] == 11)
        #expect(doc["summary"]?["ignored"] == 1)
        #expect(doc["summary"]?["bySeverity"]?["critical"] == 2)
        #expect(doc["summary"]?["bySeverity"]?["high"] == 5)
        #expect(doc["summary"]?["bySeverity"]?["medium"] == 2)
        #expect(doc["summary"]?["bySeverity"]?["low"] == 2)
        // 3 + 5 + 2 + 2 (c1 again) + 4 entries read; c1's copy (2) and c2's tk-0, tk-1 (2) dropped.
        #expect(doc["merged"]?["findingsRead"] == 16)
        #expect(doc["merged"]?["duplicatesDropped"] == 4)
        #expect(doc["merged"]?["hosts"] == 3)
        #expect(doc["host"] == nil, "a merged report names its hosts in 'hosts', not one 'host'")

        let hosts = try #require(doc["hosts"]?.arrayValue)
        #expect(hosts.map { $0["name"]?.stringValue } == ["node-a", "node-b", "node-c"])
        func host(_ n: String) -> JSONValue? { hosts.first { $0["name"]?.stringValue == n } }
        #expect(host("node-a")?["findings"] == 2 && host("node-a")?["ignored"] == 1 && host("node-a")?["runs"] == 1)
        #expect(host("node-a")?["bySeverity"]?["critical"] == 2)
        #expect(host("node-b")?["findings"] == 5 && host("node-b")?["duplicatesDropped"] == 0)
        #expect(host("node-c")?["findings"] == 4 && host("node-c")?["runs"] == 2 && host("node-c")?["duplicatesDropped"] == 4)
        #expect(host("node-c")?["bySeverity"]?["medium"] == 2 && host("node-c")?["bySeverity"]?["low"] == 2)

        // Every finding names its host; tk-0 is on all three, once each; node-c's tk-0 is the first one seen (medium).
        let entries = try #require(doc["findings"]?.arrayValue)
        #expect(entries.allSatisfy { $0["host"]?.stringValue != nil && $0["runId"]?.stringValue != nil })
        let tk0 = entries.filter { $0["finding"]?["fingerprint"] == "tk-0" }
        #expect(tk0.compactMap { $0["host"]?.stringValue }.sorted() == ["node-a", "node-b", "node-c"])
        #expect(tk0.first { $0["host"] == "node-c" }?["finding"]?["severity"] == "medium")
        let ignored = try #require(doc["ignored"]?.arrayValue)
        #expect(ignored.count == 1 && ignored.first?["host"] == "node-a" && ignored.first?["finding"]?["fingerprint"] == "tk-2")
        // Four runs: node-c's c1 given twice is one run.
        #expect(doc["plugins"]?.arrayValue?.count == 4)
        #expect(Set(doc["plugins"]?.arrayValue?.compactMap { $0["host"]?.stringValue } ?? []) == ["node-a", "node-b", "node-c"])
    }

    @Test("the merged report renders as table (a row per host), SARIF (host on each result, machine per run) and JSONL (host on each line)")
    func otherFormats() async throws {
        let (dir, files) = try await threeHosts()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await contsec(["report", "merge"] + files + ["--format", "table", "--format", "sarif", "--output", dir + "/m.sarif",
                                                                  "--format", "jsonl", "--output", dir + "/m.jsonl"], cwd: dir)
        #expect(r.code == 0, "\(r.stderr)")
        // The per-host table: header, then node-a with 1 run, 0 failed, 2 findings, 2 critical.
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let row = try #require(lines.first { $0.hasPrefix("node-a ") || $0.contains(" node-a ") && $0.contains("  1 ") })
        let cells = row.split(separator: " ", omittingEmptySubsequences: true)
        #expect(Array(cells.prefix(6)) == ["node-a", "1", "0", "2", "2", "0"], "row: \(row)")
        // Many runs: rows name the host and the plugin, as rows of a many-plugin table name the plugin.
        #expect(r.stdout.contains("  TK-4  fixture.txt:5  [node-b testkit] Test finding 4"), "rows of a many-host table name their host")
        #expect(r.stdout.contains("\nnode-c testkit: ok ("), "plugin lines name their host")
        #expect(r.stdout.contains("Total: 11 findings"))

        let sarif = try JSONParser.parse(try readText(dir + "/m.sarif"))
        let results = sarif["runs"]?.arrayValue?.flatMap { $0["results"]?.arrayValue ?? [] } ?? []
        #expect(results.count == 11)
        #expect(Dictionary(grouping: results, by: { $0["properties"]?["host"]?.stringValue ?? "" }).mapValues(\.count)
                == ["node-a": 2, "node-b": 5, "node-c": 4])
        let machines = sarif["runs"]?.arrayValue?.flatMap { $0["invocations"]?.arrayValue ?? [] }.compactMap { $0["machine"]?.stringValue }
        #expect(machines?.sorted() == ["node-a", "node-b", "node-c", "node-c"])

        let events = try readText(dir + "/m.jsonl").split(separator: "\n").map { try JSONParser.parse(String($0)) }
        #expect(events.allSatisfy { $0["host"]?.stringValue != nil && $0["schemaVersion"] == 1 })
        #expect(events.filter { $0["event"] == "finding" && $0["ignored"] == nil }.count == 11)
        #expect(events.filter { $0["event"] == "finding" && $0["ignored"] == true }.count == 1)
    }

    @Test("gates apply to the merged findings; a failed run on one host exits 3 and is counted for that host")
    func gatesAndFailures() async throws {
        let (dir, files) = try await threeHosts()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let gated = try await contsec(["report", "merge"] + files + ["--fail-on", "critical", "--format", "json"], cwd: dir)
        #expect(gated.code == 1)
        #expect(gated.stderr.contains("gate tripped: 2 findings at or above critical"), "\(gated.stderr)")
        #expect(gated.json?["gate"]?["tripped"] == true)

        let failed = try await report(dir, "d", host: "node-d", ["--findings", "1", "--crash", "exit"])
        let r = try await contsec(["report", "merge"] + files + [failed, "--format", "json"], cwd: dir)
        #expect(r.code == 3, "\(r.stderr)")
        #expect(r.stderr.contains("failed plugin runs on node-d"))
        let d = r.json?["hosts"]?.arrayValue?.first { $0["name"] == "node-d" }
        #expect(d?["pluginsFailed"] == 1 && d?["findings"] == 1)
    }

    @Test("bad input: a missing file, a file that is not a report, a report without a host unless named HOST=FILE")
    func badInput() async throws {
        let dir = try temporaryFolder("merge-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = try await contsec(["report", "merge", dir + "/nope.json"], cwd: dir)
        #expect(missing.code == 2 && missing.stderr.contains("cannot read report \(dir)/nope.json"))

        try "{\"hello\": 1}".write(toFile: dir + "/other.json", atomically: true, encoding: .utf8)
        let other = try await contsec(["report", "merge", dir + "/other.json"], cwd: dir)
        #expect(other.code == 2 && other.stderr.contains("not a contsec JSON report"), "\(other.stderr)")

        // A report from before hosts were stamped: no host anywhere.
        let path = try await report(dir, "old", host: "x", ["--findings", "2"])
        var doc = try #require(try JSONParser.parse(try readText(path)).objectValue)
        doc["host"] = nil
        func strip(_ key: String) {
            doc[key] = .array((doc[key]?.arrayValue ?? []).map { e in
                var o = e.objectValue ?? [:]
                o["host"] = nil
                return .object(o)
            })
        }
        strip("plugins"); strip("findings")
        try JSONWriter.string(.object(doc)).write(toFile: path, atomically: true, encoding: .utf8)
        let anonymous = try await contsec(["report", "merge", path], cwd: dir)
        #expect(anonymous.code == 2 && anonymous.stderr.contains("names no host") && anonymous.stderr.contains("HOST=\(path)"),
                "\(anonymous.stderr)")
        let named = try await contsec(["report", "merge", "legacy-1=" + path, "--format", "json"], cwd: dir)
        #expect(named.code == 0, "\(named.stderr)")
        #expect(named.json?["hosts"]?.arrayValue?.first?["name"] == "legacy-1")
        #expect(findings(named.json).count == 2)
    }
}
