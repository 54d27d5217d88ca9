import Foundation
import Testing
import ContsecProtocol

/// Table results (protocol 1.1, PROTOCOL.md §8): every report format shows the rows a plugin returns.
@Suite struct TableResultTests {
    /// The rows testkit returns for `--table-rows 3`, as PROTOCOL.md's table shape (testkit's parameter help says what they are).
    static let expectedRows: [JSONValue] = [
        ["id": "row-0", "n": 0, "even": true],
        ["id": "row-1", "n": 1, "even": false, "note": "two\nlines \u{1B}[31mred"],
        ["id": "row-2", "n": 2, "even": true],
    ]

    @Test func everyFormatCarriesTheTable() async throws {
        let dir = try temporaryFolder("table-formats")
        let r = try await contsec(["run", "testkit", "--table-rows", "3",
                                   "--format", "table", "--output", dir + "/out.txt",
                                   "--format", "json", "--output", dir + "/out.json",
                                   "--format", "jsonl", "--output", dir + "/out.jsonl",
                                   "--format", "sarif", "--output", dir + "/out.sarif",
                                   "--log-dir", dir + "/logs"])
        #expect(r.code == 0, "\(r.stderr)")

        let text = try readText(dir + "/out.txt")
        #expect(text.contains("testkit: testkit rows (3 rows)\n  ID     N  EVEN  NOTE\n  row-0  0  yes\n  row-1  1  no    two\\nlines \\x1b[31mred\n  row-2  2  yes\n"),
                "\(text)")
        #expect(!text.contains("\u{1B}"), "a cell must not reach the terminal with its escape sequence")

        let json = try JSONParser.parse(try readText(dir + "/out.json"))
        let table = pluginEntry(json, "testkit")?["table"]
        #expect(table?["title"] == "testkit rows")
        #expect(table?["columns"]?.arrayValue?.compactMap { $0["key"]?.stringValue } == ["id", "n", "even", "note"])
        #expect(table?["rows"]?.arrayValue == Self.expectedRows)

        let finished = try readText(dir + "/out.jsonl").split(separator: "\n")
            .compactMap { try? JSONParser.parse(String($0)) }.first { $0["event"] == "plugin-finished" }
        #expect(finished?["table"]?["rows"]?.arrayValue == Self.expectedRows)

        let sarif = try JSONParser.parse(try readText(dir + "/out.sarif"))
        let invocation = sarif["runs"]?[0]?["invocations"]?[0]
        #expect(invocation?["properties"]?["table"]?["rows"]?.arrayValue == Self.expectedRows)
        #expect(sarif["runs"]?[0]?["results"]?.arrayValue?.isEmpty == true, "rows are data, not results")
        #expect(sarifProblems(sarif) == [])

        let logs = try FileManager.default.contentsOfDirectory(atPath: dir + "/logs")
        let log = try readText(dir + "/logs/" + #require(logs.first))
        #expect(log.contains("plugin-finished status=ok") && log.contains("table=3x4 \"testkit rows\""), "\(log)")
    }

    @Test func tableRowsBeyondTheTerminalCapAreCountedNotDropped() async throws {
        let r = try await contsec(["run", "testkit", "--table-rows", "5002", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("testkit: testkit rows (5002 rows)"))
        #expect(r.stdout.contains("  row-4999  4999"))
        #expect(!r.stdout.contains("row-5000"))
        #expect(r.stdout.contains("… and 2 more rows (use --format json or jsonl for all of them)"))
    }

    @Test func iacScanRulesListEveryRuleInTheTerminalTable() async throws {
        let table = try await contsec(["run", "iac-scan", "rules", "--no-log"])
        let json = try await contsec(["run", "iac-scan", "rules", "--format", "json", "--no-log"])
        #expect(table.code == 0 && json.code == 0, "\(table.stderr)\(json.stderr)")
        let entry = pluginEntry(json.json, "iac-scan")
        let rows = entry?["table"]?["rows"]?.arrayValue ?? []
        #expect(rows.count == entry?["summary"]?["count"]?.intValue)
        #expect(rows.count > 50)
        #expect(table.stdout.contains("iac-scan: rules (\(rows.count) rows)"))
        let header = table.stdout.split(separator: "\n").first { $0.hasPrefix("  ID ") }.map(String.init) ?? ""
        #expect(header.split(separator: " ", omittingEmptySubsequences: true)
                == ["ID", "KIND", "SEVERITY", "CATEGORY", "TITLE", "HADOLINT", "CHECKOV", "TRIVY", "REMEDIATION"])
        for row in rows {
            let id = row["id"]?.stringValue ?? "?"
            #expect(table.stdout.contains("\n  \(id) "), "rule \(id) missing from the table")
            #expect(row["remediation"]?.stringValue?.isEmpty == false, "JSON keeps the whole rule: \(id)")
        }
    }

    @Test func cisBenchListShowsEveryCheckInTheTerminalTable() async throws {
        let table = try await contsec(["run", "cis-bench", "list", "--no-log"])
        let json = try await contsec(["run", "cis-bench", "list", "--format", "json", "--no-log"])
        #expect(table.code == 0 && json.code == 0, "\(table.stderr)\(json.stderr)")
        let entry = pluginEntry(json.json, "cis-bench")
        let rows = entry?["table"]?["rows"]?.arrayValue ?? []
        #expect(rows.count == entry?["summary"]?["count"]?.intValue)
        // CIS Docker Benchmark v1.6.0 numbers its checks 1.1.1 … 7.9; 5.5 is "privileged containers".
        let five5 = rows.first { $0["id"] == "5.5" }
        #expect(five5?["severity"] == "critical" && five5?["automated"] == true && five5?["section"] == 5)
        #expect(table.stdout.contains("cis-bench: CIS Docker Benchmark v1.6.0 checks (\(rows.count) rows)"))
        #expect(table.stdout.contains("\n  5.5 "))
        #expect(table.stdout.contains("\n  7.9 "))
    }

    @Test func pythonSDKTableReachesTheTableReportWithTheGate() async throws {
        let fixture = Paths.packageRoot + "/sdk-protocol/tests/fixtures/contsec-sdk-fixture"
        let r = try await contsec(["run", "sdk-fixture", "table", "--plugin-path", fixture, "--no-log"])
        #expect(r.code == 1, "gate-tripped exits 1: \(r.stderr)")
        #expect(r.stdout.contains("sdk-fixture: volumes (2 rows)\n  NAME   SIZE (MiB)  ENCRYPTED\n  db     512         yes\n  cache              no\n"),
                "\(r.stdout)")
    }

    @Test func aTableThatBreaksTheRulesFailsTheRunNamingTheCell() async throws {
        let r = try await contsec(["run", "badtable", "--plugin-path", Paths.fixture("contsec-badtable"), "--no-log"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("table.rows[1].size: not a declared column"), "\(r.stderr)")
    }
}
