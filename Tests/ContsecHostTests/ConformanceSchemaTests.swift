import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// The kit's JSON Schema subset validator, against the protocol's real schemas.
@Suite struct ConformanceSchemaTests {
    static let folder = Paths.packageRoot + "/sdk-protocol/schema"

    func schemas() throws -> SchemaSet { try SchemaSet(folder: Self.folder) }

    @Test func validMessagesPass() throws {
        let s = try schemas()
        let finding: JSONValue = ["jsonrpc": "2.0", "method": "finding", "params": [
            "ruleId": "X-1", "title": "t", "severity": "high", "category": "secret",
            "target": ["kind": "file", "name": "a", "file": "ü漢字🙂/a", "line": 3]]]
        #expect(s.validate(finding, against: "finding.notification.schema.json").isEmpty)
        #expect(s.validate(finding, against: "plugin-to-host.schema.json").isEmpty)
        let error: JSONValue = ["jsonrpc": "2.0", "id": 1, "error": ["code": -32010, "message": "no", "data": ["supported": ["1.0"]]]]
        #expect(s.validate(error, against: "response-error.schema.json").isEmpty)
    }

    @Test func violationsNameThePathAndReason() throws {
        let s = try schemas()
        let bad: JSONValue = ["jsonrpc": "2.0", "method": "finding", "params": [
            "ruleId": "", "title": "t", "severity": "HIGH", "category": "secret", "target": ["kind": "file", "name": "a", "line": 0], "extra": 1]]
        let v = s.validate(bad, against: "finding.notification.schema.json").map(\.description)
        #expect(v.contains { $0.hasPrefix("$.params.ruleId") && $0.contains("shorter than 1") })
        #expect(v.contains { $0.hasPrefix("$.params.severity") && $0.contains("\"HIGH\" is not one of") })
        #expect(v.contains { $0.hasPrefix("$.params.target.line") && $0.contains("less than 1") })
        #expect(v.contains { $0.contains("unexpected member 'extra'") })
    }

    @Test func conditionalRulesAndRefsAcrossFiles() throws {
        let s = try schemas()
        // -32010 must carry data.supported (an if/then in error.schema.json, items from common.schema.json).
        let noData: JSONValue = ["jsonrpc": "2.0", "id": "a", "error": ["code": -32010, "message": "no"]]
        #expect(s.validate(noData, against: "response-error.schema.json").contains { $0.reason.contains("'data' is missing") })
        let badVersion: JSONValue = ["jsonrpc": "2.0", "id": "a", "error": ["code": -32010, "message": "no", "data": ["supported": ["v1"]]]]
        #expect(s.validate(badVersion, against: "response-error.schema.json").contains { $0.reason.contains("does not match") })
        // oneOf: a line that is none of the plugin's messages.
        let request: JSONValue = ["jsonrpc": "2.0", "id": 5, "method": "ask"]
        #expect(s.validate(request, against: "plugin-to-host.schema.json").contains { $0.reason.contains("matches none") })
        // 1 and 1.0 are the same integer.
        let progress: JSONValue = ["jsonrpc": "2.0", "method": "progress", "params": ["current": .double(1.0)]]
        #expect(s.validate(progress, against: "progress.notification.schema.json").isEmpty)
    }

    @Test func unsupportedKeywordIsRefusedAtLoad() throws {
        let dir = try temporaryFolder("schema-kw")
        try #"{"$id":"x.schema.json","type":"object","uniqueItems":true}"#.write(toFile: dir + "/x.schema.json", atomically: true, encoding: .utf8)
        #expect(throws: SchemaLoadError.self) { try SchemaSet(folder: dir) }
        #expect(throws: SchemaLoadError.self) { try SchemaSet(folder: dir + "/missing") }
    }

    @Test func manifestSchemaAgreesWithTheSwiftParser() throws {
        let s = try schemas()
        let good: JSONValue = ["name": "x", "version": "1", "protocolVersions": ["1.0"], "executable": "contsec-x",
                               "sha256": .string(String(repeating: "a", count: 64)), "permissions": ["network": true]]
        #expect(s.validate(good, against: "plugin-manifest.schema.json").isEmpty)
        #expect((try? PluginManifest.parse(good, origin: "t")) != nil)
        for bad: JSONValue in [["name": "x", "version": "1", "protocolVersions": ["1.0"], "executable": "../x"],
                               ["name": "X", "version": "1", "protocolVersions": ["1.0"], "executable": "x"],
                               ["name": "x", "version": "1", "protocolVersions": ["1.0"], "executable": "x", "permissions": ["sudo": true]],
                               ["name": "x", "version": "1", "protocolVersions": [], "executable": "x"]] {
            #expect(!s.validate(bad, against: "plugin-manifest.schema.json").isEmpty)
            #expect((try? PluginManifest.parse(bad, origin: "t")) == nil)
        }
    }
}
