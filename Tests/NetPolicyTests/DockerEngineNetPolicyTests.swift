import Foundation
import Testing
import ContainerKit
import ContsecProtocol
@testable import NetPolicy

/// netpolicy against the real engine: tier networks, enforcement with nftables inside each container's own network
/// namespace, and proof with real traffic between the test's own containers on internal networks.
@Suite(.serialized, .enabled(if: NetPolicyDocker.shouldRun, NetPolicyDocker.skipReason))
struct DockerEngineNetPolicyTests {
    @Test func setupCreatesExactlyTheNetworksAndComposeFileOnce() async throws {
        let project = try TestProject()
        try await project.use { p in
            let ws = TestWorkspace()
            let first = Collected()
            let r1 = try await p.setup.run(docker: p.docker, writer: ws.writer(), dryRun: false, report: first.reporter)
            #expect(r1.created == p.tiers.map { "\(p.prefix)_\($0)" })
            let networks = try await p.docker.listNetworks(filters: ["label": ["\(TierLayout.projectLabel)=\(p.prefix)"]])
            #expect(Set(networks.map(\.name)) == Set(p.tiers.map { "\(p.prefix)_\($0)" }))
            for n in networks {
                #expect(n.internal == true && n.driver == "bridge")
                #expect(n.labels?[TierLayout.managedLabel] == "true" && n.labels?[TierLayout.tierLabel] == String(n.name.dropFirst(p.prefix.count + 1)))
            }
            let compose = try String(contentsOfFile: ws.path + "/" + NetworkSetup.composePath, encoding: .utf8)
            #expect(compose.hasSuffix("""
                networks:
                  frontend:
                    name: \(p.prefix)_frontend
                    external: true
                  backend:
                    name: \(p.prefix)_backend
                    external: true
                  data:
                    name: \(p.prefix)_data
                    external: true

                """))

            let second = Collected()
            let r2 = try await p.setup.run(docker: p.docker, writer: ws.writer(), dryRun: false, report: second.reporter)
            #expect(r2.created.isEmpty && r2.unchanged.count == 3 && !r2.composeChanged)
            #expect(second.actions(.applied).isEmpty && second.findings.isEmpty)

            // A network of another project's name with another configuration is reported, never reused or changed.
            let otherPrefix = p.prefix + "-b"
            _ = try await p.docker.createNetwork(NetworkCreateOptions(name: "\(otherPrefix)_backend", internal: false,
                                                                     labels: ["contsec-test": "1"]))
            let conflict = Collected()
            let setupB = NetworkSetup(layout: TierLayout(prefix: otherPrefix, tiers: p.tiers), internalTiers: Set(p.tiers),
                                      extraLabels: ["contsec-test": "1"])
            let r3 = try await setupB.run(docker: p.docker, writer: ws.writer(), dryRun: false, report: conflict.reporter)
            #expect(r3.conflicting == ["\(otherPrefix)_backend"] && r3.created.count == 2)
            #expect(conflict.ruleIds == ["NP-SETUP-001"])
            #expect(conflict.findings.first?.message?.contains("not internal") == true)
            let kept = try await p.docker.inspectNetwork("\(otherPrefix)_backend")
            #expect(kept.internal == false && kept.labels?[TierLayout.managedLabel] == nil)
        }
    }

    /// frontend → api → db, and a worker on db's network that db does not admit.
    static func policies() throws -> PolicySet {
        var frontend = PolicyBuilder(service: "frontend"); frontend.tiers = ["frontend"]; frontend.egress = ["api:8080"]
        var api = PolicyBuilder(service: "api"); api.tiers = ["backend"]; api.ports = ["8080"]
        api.ingress = ["service:frontend"]; api.egress = ["db:5432"]
        var db = PolicyBuilder(service: "db"); db.tiers = ["data"]; db.ports = ["5432"]; db.ingress = ["api"]
        var worker = PolicyBuilder(service: "worker"); worker.tiers = ["data"]; worker.ports = ["9000"]; worker.egress = ["db:5432"]
        return PolicySet(try [frontend.build(), api.build(), db.build(), worker.build()])
    }

    @Test func enforcedMatrixEqualsThePolicyMatrixAndLooseningIsCaught() async throws {
        let project = try TestProject()
        try await project.use { p in
            let ws = TestWorkspace()
            _ = try await p.setup.run(docker: p.docker, writer: ws.writer(), dryRun: false, report: Collected().reporter)
            let scratch = try await p.scratchNetwork()
            // frontend starts without a network (re-created by apply); the others on a network no policy wants.
            try await p.run("frontend", ports: [], network: "none")
            try await p.run("api", ports: [8080], network: scratch)
            try await p.run("db", ports: [5432], network: scratch)
            try await p.run("worker", ports: [9000], network: scratch)
            let set = try Self.policies()
            let applier = PolicyApplier(docker: p.docker, prefix: p.prefix, policies: set)

            // Dry run: everything planned, nothing changed.
            let dry = Collected()
            _ = try await applier.apply(services: set.services, dryRun: true, report: dry.reporter)
            #expect(dry.actions(.applied).isEmpty && !dry.actions(.planned).isEmpty)
            #expect(dry.actions(.planned).contains { $0.kind == "container-recreated" && $0.target == "\(p.prefix)-frontend" })
            #expect(try await p.docker.inspectContainer("\(p.prefix)-api").networkSettings?.networks?.keys.sorted() == [scratch])

            let first = Collected()
            _ = try await applier.apply(services: set.services, dryRun: false, report: first.reporter)
            #expect(first.actions(.failed).isEmpty)
            func networks(_ service: String) async throws -> [String] {
                try await p.docker.inspectContainer("\(p.prefix)-\(service)").networkSettings?.networks?.keys.sorted() ?? []
            }
            #expect(try await networks("frontend") == ["\(p.prefix)_backend", "\(p.prefix)_frontend"])
            #expect(try await networks("api") == ["\(p.prefix)_backend", "\(p.prefix)_data"])
            #expect(try await networks("db") == ["\(p.prefix)_data"])
            #expect(try await networks("worker") == ["\(p.prefix)_data"])
            #expect(first.actions(.applied).filter { $0.kind == "firewall-applied" }.count == 4)

            // A second apply changes nothing.
            let second = Collected()
            _ = try await applier.apply(services: set.services, dryRun: false, report: second.reporter)
            #expect(second.actions(.applied).isEmpty && second.actions(.planned).isEmpty, "\(second.actions(.applied))")

            // Real traffic: the observed matrix is the policy matrix, worked out by hand from the four policies.
            let tester = ConnectivityTester(docker: p.docker, prefix: p.prefix, policies: set)
            let probe = Collected()
            let result = try await tester.run(source: nil, report: probe.reporter)
            let observed = Dictionary(uniqueKeysWithValues: result.cells.map { ("\($0.source)->\($0.destination):\($0.port.port)", $0) })
            let expected: [String: (Bool, ProbeOutcome)] = [
                "frontend->api:8080": (true, .open), "frontend->db:5432": (false, .blocked), "frontend->worker:9000": (false, .blocked),
                "api->db:5432": (true, .open), "api->worker:9000": (false, .blocked),
                "db->api:8080": (false, .blocked), "db->worker:9000": (false, .blocked),
                // worker shares db's network with api, yet db's own rules refuse it.
                "worker->db:5432": (false, .blocked), "worker->api:8080": (false, .blocked),
            ]
            #expect(Set(observed.keys) == Set(expected.keys))
            for (key, (allowed, outcome)) in expected {
                #expect(observed[key]?.expected == allowed, "\(key)")
                #expect(observed[key]?.observed == outcome, "\(key): \(observed[key]?.probes ?? [])")
                #expect(observed[key]?.verdict == .ok, "\(key)")
            }
            #expect(probe.findings.isEmpty, "\(probe.findings.map(\.title))")

            // Loosen db by hand: an extra network is a high finding even though its rules still hold.
            try await p.docker.connect(container: "\(p.prefix)-db", toNetwork: "\(p.prefix)_frontend")
            let loose = Collected()
            _ = try await tester.run(source: "frontend", report: loose.reporter)
            let extra = loose.findings.filter { $0.ruleId == "NP-DOCKER-001" }
            #expect(extra.count == 1 && extra.first?.severity == .high && extra.first?.target.name == "\(p.prefix)-db")
            // Dry run plans the disconnect and touches nothing; apply undoes it.
            let plan = Collected()
            _ = try await applier.apply(services: ["db"], dryRun: true, report: plan.reporter)
            #expect(plan.actions(.planned).contains { $0.kind == "network-disconnected" && $0.target.hasSuffix("\(p.prefix)_frontend") })
            #expect(try await networks("db").contains("\(p.prefix)_frontend"))
            let fix = Collected()
            _ = try await applier.apply(services: ["db"], dryRun: false, report: fix.reporter)
            #expect(try await networks("db") == ["\(p.prefix)_data"])

            // Remove db's rules by hand: worker (whose own egress allows db) now gets through — a violation.
            let db = try await ServiceLocator(docker: p.docker, prefix: p.prefix).containers(for: "db")[0]
            try await NamespaceFirewall().remove(from: db)
            let open = Collected()
            _ = try await tester.run(source: "worker", report: open.reporter)
            let violation = open.findings.first { $0.ruleId == "NP-CONN-001" }
            #expect(violation?.severity == .high && violation?.target.name == "worker → db:5432/TCP")
            #expect(open.findings.contains { $0.ruleId == "NP-DOCKER-002" && $0.target.name == "\(p.prefix)-db" })
            _ = try await applier.apply(services: ["db"], dryRun: false, report: Collected().reporter)
            let again = Collected()
            _ = try await tester.run(source: "worker", report: again.reporter)
            #expect(again.findings.isEmpty)
        }
    }

    @Test func badInputStopsBeforeAnythingChanges() async throws {
        let project = try TestProject()
        try await project.use { p in
            let ws = TestWorkspace()
            _ = try await p.setup.run(docker: p.docker, writer: ws.writer(), dryRun: false, report: Collected().reporter)
            let scratch = try await p.scratchNetwork()
            try await p.run("api", ports: [8080], network: scratch)
            let set = try Self.policies()
            let applier = PolicyApplier(docker: p.docker, prefix: p.prefix, policies: set)
            let collected = Collected()
            do {
                _ = try await applier.apply(services: ["api", "ghost"], dryRun: false, report: collected.reporter)
                Issue.record("applied with a missing service")
            } catch let error as NetPolicyError {
                #expect(error.description.contains("there is no policy for service ghost"))
            }
            do {
                _ = try await applier.apply(services: ["api", "db"], dryRun: false, report: collected.reporter)
                Issue.record("applied with a service without container")
            } catch let error as NetPolicyError {
                #expect(error.description.contains("service db has no container in project \(p.prefix)"))
            }
            try await p.docker.stopContainer("\(p.prefix)-api", timeout: 1)
            do {
                _ = try await applier.apply(services: ["api"], dryRun: false, report: collected.reporter)
                Issue.record("applied to a stopped container")
            } catch let error as NetPolicyError {
                #expect(error.description.contains("container \(p.prefix)-api (service api) is not running"))
                #expect(error.description.contains("docker start \(p.prefix)-api"))
            }
            #expect(collected.actions.isEmpty)
            #expect(try await p.docker.inspectContainer("\(p.prefix)-api").networkSettings?.networks?.keys.sorted() == [scratch])
        }
    }
}
