import Foundation
import Testing
import ContsecProtocol
import ContsecHost
@testable import NetPolicy

enum RepoPaths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let schemaFolder = root + "/Plugins/netpolicy/schema"
}

/// The api service of the three-tier example, written by hand the way a user would.
let apiPolicyText = """
{
  "apiVersion": "contsec.dev/v1",
  "kind": "ServicePolicy",
  "service": "api",
  "description": "REST API: called by the frontend, talks to the database",
  "namespace": "shop",
  "tiers": ["backend"],
  "labels": {"app": "api", "app.kubernetes.io/part-of": "shop"},
  "ports": [{"port": 8080, "name": "http"}, {"port": 9090, "protocol": "TCP", "name": "metrics"}],
  "ingress": [
    {"from": [{"service": "frontend"}], "ports": [{"port": "http"}]},
    {"from": [{"service": "prometheus", "namespace": "monitoring"}, {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}],
     "ports": [{"port": 9090}]}
  ],
  "egress": [{"to": [{"service": "db"}], "ports": [{"port": 5432}]}, {"to": [{"tier": "cache"}]}],
  "defaultDeny": ["ingress", "egress"],
  "allowDNS": true
}
"""

@Suite struct PolicyDocumentTests {
    let schema = try! SchemaSet(folder: RepoPaths.schemaFolder)

    @Test func readsEveryFieldOfAHandWrittenPolicy() throws {
        let p = try PolicyDecoder.decode(Array(apiPolicyText.utf8), file: "api-policy.json")
        #expect(p.service == "api" && p.namespace == "shop" && p.tiers == ["backend"])
        #expect(p.labels == ["app": "api", "app.kubernetes.io/part-of": "shop"])
        #expect(p.ports == [ServicePort(port: 8080, name: "http"), ServicePort(port: 9090, name: "metrics")])
        #expect(p.ingress == [
            PolicyRule(peers: [.service("frontend", namespace: nil)], ports: [RulePort(.named("http"))]),
            PolicyRule(peers: [.service("prometheus", namespace: "monitoring"), .cidr("10.0.0.0/8", except: ["10.1.0.0/16"])],
                       ports: [.number(9090)]),
        ])
        #expect(p.egress == [PolicyRule(peers: [.service("db", namespace: nil)], ports: [.number(5432)]),
                             PolicyRule(peers: [.tier("cache")], ports: nil)])
        #expect(p.defaultDeny == [.ingress, .egress] && p.allowDNS)
        #expect(schema.validate(try JSONParser.parse(apiPolicyText), against: "service-policy.schema.json").isEmpty)
    }

    @Test func writtenFileReadsBackAndSatisfiesTheSchema() throws {
        let p = try PolicyDecoder.decode(Array(apiPolicyText.utf8), file: "api-policy.json")
        let text = p.fileText
        #expect(try PolicyDecoder.decode(Array(text.utf8), file: "x") == p)
        #expect(schema.validate(try JSONParser.parse(text), against: "service-policy.schema.json").isEmpty)
        #expect(text.hasPrefix("{\n  \"apiVersion\": \"contsec.dev/v1\",\n  \"kind\": \"ServicePolicy\",\n  \"service\": \"api\","))
    }

    /// Each broken document: where the decoder points, what it says, and whether the JSON Schema alone can tell.
    @Test(arguments: [
        ("{\"apiVersion\": \"contsec.dev/v1\", \"kind\": \"ServicePolicy\", \"service\": \"api\",", "$", "not valid JSON", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","ingres":[]}"#, "$.ingres", "unknown key", true),
        (#"{"apiVersion":"contsec.dev/v2","kind":"ServicePolicy","service":"api"}"#, "$.apiVersion", "reads 'contsec.dev/v1'", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy"}"#, "$.service", "is required", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"Web_App"}"#, "$.service", "not a valid name", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","ports":[{"port":70000}]}"#, "$.ports[0].port", "1...65535", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","ingress":[{"from":[{"service":"a"},{"service":"b","tier":"c"}]}]}"#,
         "$.ingress[0].from[1]", "not service and tier", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","ingress":[{"from":[]}]}"#, "$.ingress[0].from", "at least one", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","egress":[{"to":[{"tier":"x"}],"ports":[{"port":90,"endPort":80}]}]}"#,
         "$.egress[0].ports[0].endPort", "below port 90", false),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","ingress":[{"from":[{"tier":"x"}],"ports":[{"port":"web"}]}]}"#,
         "$.ingress[0].ports[0].port", "does not declare", false),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","egress":[{"to":[{"cidr":"10.0.0.1/8"}]}]}"#,
         "$.egress[0].to[0].cidr", "host bits zero", false),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","egress":[{"to":[{"cidr":"10.0.0.0/16","except":["192.168.0.0/24"]}]}]}"#,
         "$.egress[0].to[0].except[0]", "strictly inside", false),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","defaultDeny":["inbound"]}"#, "$.defaultDeny[0]", "\"ingress\" or \"egress\"", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","allowDNS":"yes"}"#, "$.allowDNS", "true or false", true),
        (#"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","labels":{}}"#, "$.labels", "every pod", true),
    ])
    func brokenDocumentsAreRefusedWithTheirJSONPath(_ text: String, _ path: String, _ message: String, _ schemaCatches: Bool) throws {
        do {
            _ = try PolicyDecoder.decode(Array(text.utf8), file: "policies/api-policy.json")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains(message), "\(error)")
            #expect(error.description.hasPrefix("policies/api-policy.json: \(path): "))
        }
        if let json = try? JSONParser.parse(text) {
            #expect(schema.validate(json, against: "service-policy.schema.json").isEmpty == !schemaCatches)
        }
    }

    @Test func policyFolderRefusesTwoFilesForOneService() throws {
        let dir = NSTemporaryDirectory() + "contsec-np-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try apiPolicyText.write(toFile: dir + "/api-policy.json", atomically: true, encoding: .utf8)
        try apiPolicyText.write(toFile: dir + "/api2-policy.json", atomically: true, encoding: .utf8)
        #expect(throws: PolicyError.self) { try PolicySet.load(folder: dir) }
        try FileManager.default.removeItem(atPath: dir + "/api2-policy.json")
        #expect(try PolicySet.load(folder: dir).services == ["api"])
        #expect(try PolicySet.load(folder: dir + "/missing").isEmpty)
    }
}
