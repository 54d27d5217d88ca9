import Testing
@testable import ContsecProtocol

@Suite struct MessageTests {
    @Test func requestNotificationAndResponsesRoundTrip() throws {
        let msgs: [RPCMessage] = [
            .request(id: .int(1), method: "run", params: ["command": "scan"]),
            .request(id: .string("a"), method: "shutdown", params: nil),
            .notification(method: "progress", params: ["current": 1]),
            .response(id: .int(1), result: .success(.null)),
            .response(id: .int(2), result: .failure(RPCError(.cancelled, "cancelled"))),
        ]
        for m in msgs {
            let frame = m.frame()
            #expect(frame.last == 0x0A)
            #expect(!frame.dropLast().contains(0x0A))
            let back = try RPCMessage(json: JSONParser.parse(Array(frame.dropLast())))
            #expect(back.json == m.json)
        }
    }

    @Test func rejectsBatchesNullIdsAndMissingVersion() {
        #expect(throws: InvalidMessage.self) { try RPCMessage(json: [["jsonrpc": "2.0", "method": "x"]]) }
        #expect(throws: InvalidMessage.self) { try RPCMessage(json: ["jsonrpc": "2.0", "id": nil, "method": "x"]) }
        #expect(throws: InvalidMessage.self) { try RPCMessage(json: ["id": 1, "method": "x"]) }
    }

    @Test func findingValidationNamesTheField() throws {
        var raw: [String: JSONValue] = [
            "ruleId": "R1", "title": "t", "severity": "HIGH", "category": "secret",
            "target": ["kind": "file", "name": "a", "line": 3],
        ]
        let f = try Finding(json: .object(raw))
        #expect(f.severity == .high)
        #expect(f.target.line == 3)
        #expect(try Finding(json: f.json) == f)

        raw["severity"] = "urgent"
        #expect { try Finding(json: .object(raw)) } throws: { ($0 as? ValidationError)?.field == "finding.severity" }
        raw["severity"] = "low"
        raw["target"] = ["kind": "file", "name": "a", "line": "3"]
        #expect { try Finding(json: .object(raw)) } throws: { ($0 as? ValidationError)?.field == "finding.target.line" }
        raw["target"] = ["kind": "file", "name": "a"]
        raw["message"] = .string(String(repeating: "x", count: FieldLimits.longText + 1))
        #expect { try Finding(json: .object(raw)) } throws: { ($0 as? ValidationError)?.field == "finding.message" }
    }

    @Test func versionNegotiationPicksNewestCommon() {
        #expect(ProtocolInfo.negotiate(offered: ["1.0", "2.0"], supported: ["1.0", "1.10", "2.0"]) == "2.0")
        #expect(ProtocolInfo.negotiate(offered: ["1.2", "1.10"], supported: ["1.2", "1.10"]) == "1.10")
        #expect(ProtocolInfo.negotiate(offered: ["2.0"]) == nil)
    }

    @Test func splitterHandlesCRLFPartialFramesAndOversize() {
        var s = FrameSplitter(maxFrameBytes: 10)
        var frames: [String] = []
        var oversized: [Int] = []
        func feed(_ text: String) {
            let bytes = Array(text.utf8)
            bytes.withUnsafeBufferPointer { buf in
                s.feed(buf) { ev in
                    switch ev {
                    case .frame(let f): frames.append(String(decoding: f, as: UTF8.self))
                    case .oversized(let n): oversized.append(n)
                    }
                }
            }
        }
        feed("ab\r\ncd")
        feed("e\n\n")
        feed("0123456789ABCDEF")
        #expect(s.bufferedBytes == 0)  // over the cap: counted, not kept
        feed("GH\nok\n")
        #expect(frames == ["ab", "cde", "ok"])
        #expect(oversized == [18])
    }

    @Test func versionMismatchAdviceUpgradesTheOlderSide() {
        #expect(ProtocolInfo.mismatchAdvice(plugin: ["0.9"], host: ["1.1", "1.0"]) == "Upgrade the plugin, or use a contsec release that speaks 0.9.")
        #expect(ProtocolInfo.mismatchAdvice(plugin: ["2.0", "1.2"], host: ["1.1", "1.0"])
                == "Upgrade contsec to a release that speaks 2.0 or 1.2, or use an older release of the plugin.")
    }

    @Test func tableResultRulesNameTheMember() throws {
        let good: JSONValue = ["status": "ok", "table": ["columns": [["key": "a", "title": "A"]], "rows": [["a": 1], [:]]]]
        #expect(try good.decode(RunResult.self, what: "r").table?.rows.count == 2)
        let cases: [(JSONValue, String)] = [
            (["columns": [], "rows": []], "table.columns: must have 1 to 32 columns"),
            (["columns": [["key": "a", "title": "A"], ["key": "a", "title": "B"]], "rows": []], "table.columns[1].key: 'a' is declared twice"),
            (["columns": [["key": "a b", "title": "A"]], "rows": []], "table.columns[0].key: 'a b' must match"),
            (["columns": [["key": "a", "title": ""]], "rows": []], "table.columns[0].title: must be 1 to 256 bytes"),
            (["columns": [["key": "a", "title": "A"]], "rows": [["a": ["x"]]]], "table.rows[0].a: a cell is a string, number, boolean or null"),
            (["columns": [["key": "a", "title": "A"]], "rows": [["b": 1]]], "table.rows[0].b: not a declared column"),
        ]
        for (table, reason) in cases {
            let bad: JSONValue = ["status": "ok", "table": table]
            #expect(throws: ValidationError.self) { try bad.decode(RunResult.self, what: "r") }
            do { _ = try bad.decode(RunResult.self, what: "r") } catch {
                #expect(error.description.contains(reason), "\(error)")
            }
        }
    }
}
