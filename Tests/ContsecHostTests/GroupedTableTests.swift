import Foundation
import Testing
import ContsecProtocol
@testable import ContsecHost

/// Table results with `group` and `footer` (PROTOCOL.md "Table results"): sections as headings, a closing line.
@Suite struct GroupedTableTests {
    static let table = ResultTable(
        title: "checks",
        columns: [.init("section", "SECTION"), .init("status", "STATUS"), .init("id", "ID"), .init("check", "CHECK")],
        rows: [
            ["section": "1 Host", "status": "WARN", "id": "1.1", "check": "first"],
            ["section": "1 Host", "check": "  * offender one"],
            ["section": "2 Daemon", "status": "PASS", "id": "2.10", "check": "second"],
            ["section": "1 Host", "status": "NOTE", "id": "1.9", "check": "back to one"],
        ],
        group: "section", footer: "Checks: 3\tScore: 0")

    @Test func groupValuesBecomeHeadingsAndTheFooterComesLast() throws {
        try Self.table.validate()
        let text = ResultTableText.render(Self.table, heading: "plugin: checks", maxRows: 100)
        #expect(text == """

            plugin: checks (4 rows)
              STATUS  ID    CHECK

              1 Host
              WARN    1.1   first
                              * offender one

              2 Daemon
              PASS    2.10  second

              1 Host
              NOTE    1.9   back to one

              Checks: 3\\tScore: 0

            """, "\(text)")
    }

    @Test func groupMustBeADeclaredColumnAndTheFooterNonEmpty() {
        var bad = Self.table
        bad.group = "nosuch"
        #expect(throws: ValidationError.self) { try bad.validate() }
        bad.group = nil
        bad.footer = ""
        #expect(throws: ValidationError.self) { try bad.validate() }
        // The wire form carries both, and decoding checks them.
        let json = String(decoding: JSONWriter.bytes(Self.table.json), as: UTF8.self)
        #expect(json.contains("\"group\":\"section\"") && json.contains("\"footer\":\"Checks: 3\\tScore: 0\""))
        let decoded = try? JSONDecoder().decode(ResultTable.self, from: Data(json.utf8))
        #expect(decoded == Self.table)
        let broken = json.replacingOccurrences(of: "\"group\":\"section\"", with: "\"group\":\"nosuch\"")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ResultTable.self, from: Data(broken.utf8)) }
        // HostRules (real runs and `contsec plugin test`) reject the run result that carries it, naming the member.
        let result = try? JSONParser.parse(Array("{\"status\":\"ok\",\"table\":\(broken)}".utf8))
        #expect(throws: ValidationError.self) { try HostRules.runResult(result ?? .null) }
        do { _ = try HostRules.runResult(result ?? .null) } catch { #expect("\(error)".contains("table.group")) }
    }

    @Test func aGroupThatIsTheOnlyColumnStaysAColumn() throws {
        let table = ResultTable(columns: [.init("ns", "NAMESPACE")], rows: [["ns": "a"], ["ns": "b"]], group: "ns")
        try table.validate()
        #expect(ResultTableText.render(table, heading: "p: t", maxRows: 10) == "\np: t (2 rows)\n  NAMESPACE\n  a\n  b\n")
    }
}
