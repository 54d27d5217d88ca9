import Foundation
import Testing
import YAMLReader
@testable import NetPolicy

/// analyze on hand-built manifests; every expected line was worked out from the manifests and the NetworkPolicy
/// rules (isolation per direction, policies add up, named ports resolve on the destination, ipBlocks are external).
@Suite struct AnalyzeTests {
    static let fixtures = RepoPaths.root + "/Tests/NetPolicyTests/Fixtures/analyze"

    func analyze(_ folder: String) throws -> (ReachabilityEngine, [String], [(String, String)]) {
        let files = try ManifestLoader.yamlFiles(in: Self.fixtures + "/" + folder)
        let model = ManifestLoader.load(files: files) { String($0.dropFirst(Self.fixtures.count + 1)) }
        let engine = ReachabilityEngine(model: model)
        let findings = AnalysisFindings(engine: engine).all().map { ($0.ruleId, $0.target.name) }
        return (engine, ConnectivityReport(engine: engine).lines, findings)
    }

    @Test func defaultDenyNamespaceSelectorIPBlockAndNamedPorts() throws {
        let (engine, lines, findings) = try analyze("shop")
        #expect(engine.model.workloads.count == 5 && engine.model.policies.count == 5)
        let rest = "0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255"
        let ten = "10.0.0.0-10.255.255.255"
        #expect(Set(lines) == [
            "\(rest) => shop/frontend[Deployment] : TCP 8080",
            "\(rest) => monitoring/prometheus[Deployment] : All Connections",
            "\(rest) => payments/charge[Deployment] : All Connections",
            "\(ten) => monitoring/prometheus[Deployment] : All Connections",
            "\(ten) => payments/charge[Deployment] : All Connections",
            "shop/frontend[Deployment] => shop/api[Deployment] : TCP 9000",
            "shop/api[Deployment] => shop/db[StatefulSet] : TCP 5432",
            "shop/api[Deployment] => payments/charge[Deployment] : TCP 443",
            "monitoring/prometheus[Deployment] => shop/api[Deployment] : TCP 9100",
            "monitoring/prometheus[Deployment] => payments/charge[Deployment] : All Connections",
            "monitoring/prometheus[Deployment] => \(rest) : All Connections",
            "monitoring/prometheus[Deployment] => \(ten) : All Connections",
            "payments/charge[Deployment] => monitoring/prometheus[Deployment] : All Connections",
            "payments/charge[Deployment] => \(rest) : All Connections",
            "payments/charge[Deployment] => \(ten) : All Connections",
        ])
        #expect(lines.count == 15)
        #expect(Set(findings.map { "\($0.0) \($0.1)" }) == [
            "NP-K8S-001 monitoring[Namespace]", "NP-K8S-002 monitoring[Namespace]",
            "NP-K8S-001 payments[Namespace]", "NP-K8S-002 payments[Namespace]",
            "NP-K8S-004 monitoring/prometheus[Deployment]", "NP-K8S-004 payments/charge[Deployment]",
            "NP-K8S-005 shop/cart-allow[NetworkPolicy]",
        ])
    }

    @Test func allowAllRulesHostNetworkAndTypos() throws {
        let (engine, lines, findings) = try analyze("open")
        #expect(engine.model.problems.count == 1 && engine.model.problems[0].file == "open/broken.yaml")
        let ext = "0.0.0.0-255.255.255.255"
        #expect(Set(lines) == [
            "open/a[Deployment] => open/c[Pod] : All Connections", "open/a[Deployment] => \(ext) : All Connections",
            "open/b[Deployment] => open/a[Deployment] : All Connections", "open/b[Deployment] => open/c[Pod] : All Connections",
            "open/b[Deployment] => \(ext) : All Connections",
            "open/c[Pod] => open/a[Deployment] : All Connections", "open/c[Pod] => \(ext) : All Connections",
            "\(ext) => open/a[Deployment] : All Connections", "\(ext) => open/c[Pod] : All Connections",
        ])
        #expect(Set(findings.map { "\($0.0) \($0.1)" }) == [
            "NP-K8S-000 open/broken.yaml",
            "NP-K8S-001 open[Namespace]", "NP-K8S-002 open[Namespace]",
            "NP-K8S-003 open/a[Deployment]", "NP-K8S-003 open/c[Pod]",
            "NP-K8S-004 open/a[Deployment]", "NP-K8S-004 open/b[Deployment]",
            "NP-K8S-006 open/allow-all-in[NetworkPolicy]",
            "NP-K8S-007 open/c[Pod]",
            "NP-K8S-008 open/typo-port[NetworkPolicy]",
            "NP-K8S-009 open/typo-port[NetworkPolicy]",
        ])
    }

    /// The policies create-policy renders, read back by analyze next to matching Deployments: the matrix is
    /// exactly what the ServicePolicies say, DNS egress to kube-dns included.
    @Test func renderedPoliciesReadBack() throws {
        var fe = PolicyBuilder(service: "frontend"); fe.egress = ["api:8080"]; fe.tiers = ["frontend"]
        var api = PolicyBuilder(service: "api"); api.ports = ["8080"]; api.ingress = ["frontend"]; api.egress = ["db:5432"]
        api.knownTiers = []
        var db = PolicyBuilder(service: "db"); db.ports = ["5432"]; db.ingress = ["api"]
        let set = PolicySet(try [fe.build(), api.build(), db.build()])
        let renderer = NetworkPolicyRenderer(peers: set)
        var docs = set.services.flatMap { renderer.documents(set[$0]!) }
        for name in ["frontend", "api", "db"] {
            docs.append(.object([("apiVersion", .string("apps/v1")), ("kind", .string("Deployment")),
                                 ("metadata", .object([("name", .string(name)), ("namespace", .string("default"))])),
                                 ("spec", .object([("template", .object([("metadata", .object([("labels", .object([("app", .string(name))]))]))]))]))]))
        }
        docs.append(.object([("apiVersion", .string("v1")), ("kind", .string("Pod")),
                             ("metadata", .object([("name", .string("coredns")), ("namespace", .string("kube-system")),
                                                   ("labels", .object([("k8s-app", .string("kube-dns"))]))]))]))
        var model = ClusterModel()
        for node in try YAMLReader.parse(YAMLWriter.documents(docs)) { ManifestLoader.add(node, file: "rendered", to: &model) }
        let lines = Set(ConnectivityReport(engine: ReachabilityEngine(model: model)).lines)
        let dns = "kube-system/coredns[Pod]"
        let ext = "0.0.0.0-255.255.255.255"
        #expect(lines == [
            "default/frontend[Deployment] => default/api[Deployment] : TCP 8080",
            "default/api[Deployment] => default/db[Deployment] : TCP 5432",
            "default/frontend[Deployment] => \(dns) : TCP 53;UDP 53",
            "default/api[Deployment] => \(dns) : TCP 53;UDP 53",
            "default/db[Deployment] => \(dns) : TCP 53;UDP 53",
            "\(dns) => \(ext) : All Connections", "\(ext) => \(dns) : All Connections",
        ])
    }

    @Test func connectionSetAlgebra() {
        let a = ConnectionSet(ports: [.tcp: [80...80, 8000...8080, 81...90], .udp: [53...53]])
        #expect(a.description == "TCP 80-90,8000-8080;UDP 53")
        #expect(a.intersection(.port(.tcp, 85...8001)).description == "TCP 85-90,8000-8001")
        #expect(a.intersection(.allPorts(.sctp)).isEmpty)
        #expect(a.union(.allPorts(.tcp)).description == "TCP;UDP 53")
        #expect(ConnectionSet.all.union(.none).isAll && ConnectionSet.none.description == "No Connections")
        #expect(ExternalRanges(blocks: [CIDR("10.0.0.0/8")!, CIDR("10.1.0.0/16")!]).pieces.map(\.description)
                == ["0.0.0.0-9.255.255.255", "10.0.0.0-10.0.255.255", "10.1.0.0-10.1.255.255", "10.2.0.0-10.255.255.255", "11.0.0.0-255.255.255.255"])
    }
}
