import Foundation
import ContainerKit
import ContsecProtocol

/// `test-connectivity`: proves the allow/deny matrix with real traffic. From each source service's container it
/// probes every other policy-managed service on its declared TCP ports, compares each result with what the
/// policies say (`PolicyMatrix`), and checks that each container is on exactly its networks and carries its
/// current rules. Denied-but-reachable is a zero-trust violation (high); allowed-but-blocked a breakage (medium).
public struct ConnectivityTester: Sendable {
    public let docker: DockerClient
    public let prefix: String
    public let policies: PolicySet
    public var firewall = NamespaceFirewall()
    /// Sources probed at the same time (each is one `docker exec` running its probes in parallel).
    public var parallelSources = 8

    public init(docker: DockerClient, prefix: String, policies: PolicySet) {
        self.docker = docker; self.prefix = prefix; self.policies = policies
    }

    public enum Verdict: String, Sendable {
        case ok, violation, breakage
        case notListening = "not-listening"
        case unfiltered, untested
    }

    public struct Cell: Sendable {
        public var source: String
        public var destination: String
        public var port: ServicePort
        public var expected: Bool
        public var reason: String
        public var observed: ProbeOutcome
        /// Each address probed and what it saw.
        public var probes: [String]
        public var verdict: Verdict
    }

    public struct Result: Sendable {
        public var cells: [Cell] = []
        public var probes = 0
        public var seconds = 0.0
        public var structuralFindings = 0
    }

    public func run(source: String?, report: Reporter) async throws -> Result {
        let locator = ServiceLocator(docker: docker, prefix: prefix)
        let state = try await ProjectState.read(locator: locator, policies: policies)
        let plan = NetworkPlan(policies: policies, currentTiers: state.currentTiers)
        let book = state.addressBook
        let matrix = PolicyMatrix(policies: policies, plan: plan, addresses: book.services)
        var result = Result()

        if let source, policies[source] == nil {
            throw NetPolicyError.invalidParameter(param: "service", message: "there is no policy for \(source) (services with policies: \(policies.services.joined(separator: ", ")))")
        }
        result.structuralFindings = try await structure(state: state, plan: plan, book: book, report: report)

        let running = policies.services.filter { state.containers[$0]?.contains(where: \.running) == true }
        let sources = source.map { [$0] } ?? running
        if let source, !running.contains(source) {
            let names = (state.containers[source] ?? []).map(\.name)
            throw NetPolicyError.precondition(names.isEmpty
                ? "service \(source) has no container in project \(prefix): start it (labelled \(TierLayout.serviceLabel)=\(source), \(TierLayout.projectLabel)=\(prefix))"
                : "the container of \(source) (\(names.joined(separator: ", "))) is not running: start it (docker start \(names[0])) and test again")
        }
        // Plan every source's probes, then run up to `parallelSources` sources at once (each is one exec).
        struct SourcePlan: Sendable {
            var container: String
            var targets: [ProbeTarget] = []
            var cells: [(Cell, [Int])] = []
        }
        var plans: [SourcePlan] = []
        for src in sources {
            guard let container = state.containers[src]?.first(where: \.running) else { continue }
            var plan = SourcePlan(container: container.id)
            for dst in running where dst != src {
                let addresses = (state.containers[dst] ?? []).filter(\.running).flatMap(\.addresses)
                for port in policies[dst]!.ports {
                    let (allowed, reason) = matrix.allows(from: src, to: dst, port: port)
                    var cell = Cell(source: src, destination: dst, port: port, expected: allowed, reason: reason,
                                    observed: .untested, probes: [], verdict: .untested)
                    guard port.proto == .tcp else {
                        cell.probes = ["\(port.proto.rawValue) is not probed (nc probes TCP only)"]
                        plan.cells.append((cell, []))
                        continue
                    }
                    var indices: [Int] = []
                    for a in addresses {
                        indices.append(plan.targets.count)
                        plan.targets.append(ProbeTarget(address: a, port: port.port))
                    }
                    plan.cells.append((cell, indices))
                }
            }
            plans.append(plan)
        }
        let prober = Prober(docker: docker)
        let started = Date()
        let parallel = max(1, parallelSources)
        var outcomes = Array(repeating: [(ProbeOutcome, String)](), count: plans.count)
        try await withThrowingTaskGroup(of: (Int, [(ProbeOutcome, String)]).self) { group in
            var next = 0, done = 0
            func launch() {
                let i = next, plan = plans[i]
                next += 1
                group.addTask { (i, try await prober.probe(from: plan.container, plan.targets)) }
            }
            while next < min(parallel, plans.count) { launch() }
            while let (i, o) = try await group.next() {
                outcomes[i] = o
                done += 1
                report.progress("probed from \(done) of \(plans.count) services", done, plans.count)
                if next < plans.count { launch() }
            }
        }
        for (p, plan) in plans.enumerated() {
            result.probes += plan.targets.count
            for (var cell, indices) in plan.cells {
                if !indices.isEmpty {
                    let seen = indices.map { outcomes[p][$0] }
                    cell.probes = zip(indices, seen).map { "\(plan.targets[$0.0].address):\(plan.targets[$0.0].port) \($0.1.0.rawValue)\($0.1.1.isEmpty ? "" : " (\($0.1.1))")" }
                    let kinds = Set(seen.map(\.0))
                    cell.observed = kinds.contains(.open) ? .open : kinds.contains(.closed) ? .closed : kinds.contains(.blocked) ? .blocked : .untested
                }
                cell.verdict = Self.verdict(expected: cell.expected, observed: cell.observed)
                if let finding = finding(for: cell) { report.finding(finding) }
                result.cells.append(cell)
            }
        }
        result.seconds = Date().timeIntervalSince(started)
        return result
    }

    static func verdict(expected: Bool, observed: ProbeOutcome) -> Verdict {
        switch (expected, observed) {
        case (_, .untested): return .untested
        case (true, .open), (false, .blocked): return .ok
        case (false, .open): return .violation
        case (true, .blocked): return .breakage
        case (true, .closed): return .notListening
        case (false, .closed): return .unfiltered
        }
    }

    func finding(for cell: Cell) -> Finding? {
        let what = "\(cell.source) → \(cell.destination):\(cell.port.port)/\(cell.port.proto.rawValue)"
        let target = Target(kind: "container", name: what)
        let props: [String: JSONValue] = ["source": .string(cell.source), "destination": .string(cell.destination),
                                          "port": .int(cell.port.port), "probes": .array(cell.probes.map(JSONValue.string))]
        let fp = SHA256.hex(Array("\(prefix)|\(what)|\(cell.verdict.rawValue)".utf8))
        switch cell.verdict {
        case .violation:
            return Finding(ruleId: "NP-CONN-001", title: "Denied by policy but reachable (zero-trust violation)", severity: .high,
                           category: .network, target: target,
                           message: "\(cell.source) opened a TCP connection to \(cell.destination) on port \(cell.port.port) although the policies deny it (\(cell.reason)). Probes: \(cell.probes.joined(separator: "; ")).",
                           remediation: "Run apply-policy for \(cell.destination) and \(cell.source) and check their networks; test-connectivity must then show the port blocked.",
                           fingerprint: fp, properties: props)
        case .breakage:
            return Finding(ruleId: "NP-CONN-002", title: "Allowed by policy but blocked", severity: .medium, category: .network,
                           target: target,
                           message: "\(cell.source) cannot reach \(cell.destination) on port \(cell.port.port) although the policies allow it. Probes: \(cell.probes.joined(separator: "; ")).",
                           remediation: "Apply the policies again (addresses change when containers are re-created or restarted) and check both containers share a network.",
                           fingerprint: fp, properties: props)
        case .notListening:
            return Finding(ruleId: "NP-CONN-003", title: "Allowed port has nothing listening", severity: .low, category: .network,
                           target: target,
                           message: "\(cell.destination) refused the connection on port \(cell.port.port): the network allows it, but no process listens there.",
                           remediation: "Start the service, or remove the port from the destination's policy.", fingerprint: fp, properties: props)
        case .unfiltered:
            return Finding(ruleId: "NP-CONN-004", title: "Denied traffic reaches the destination unfiltered", severity: .medium,
                           category: .network, target: target,
                           message: "A connection the policies deny (\(cell.reason)) reached \(cell.destination), which refused it only because port \(cell.port.port) is closed: no firewall rule stopped it.",
                           remediation: "Apply the policies of \(cell.source) and \(cell.destination).", fingerprint: fp, properties: props)
        case .ok, .untested:
            return nil
        }
    }

    /// Networks and rules of every managed container against its policy; returns how many findings it made.
    func structure(state: ProjectState, plan: NetworkPlan, book: AddressBook, report: Reporter) async throws -> Int {
        var count = 0
        let peerPorts = policies.policies.mapValues(\.ports)
        for service in policies.services {
            let containers = state.containers[service] ?? []
            if !containers.contains(where: \.running) {
                count += 1
                report.finding(Finding(ruleId: "NP-DOCKER-003", title: "Service with a policy has no running container", severity: .medium,
                                       category: .network, target: Target(kind: "container", name: service),
                                       message: containers.isEmpty ? "No container of \(service) in project \(prefix); its connectivity was not tested."
                                           : "The container of \(service) (\(containers.map(\.name).joined(separator: ", "))) is not running; its connectivity was not tested.",
                                       remediation: "Start it, apply its policy, and test again."))
                continue
            }
            let wanted = Set((plan[service]?.tiers ?? []).map { "\(prefix)_\($0)" })
            for c in containers where c.running {
                let have = Set(c.networks.keys)
                for extra in have.subtracting(wanted).sorted() {
                    count += 1
                    report.finding(Finding(ruleId: "NP-DOCKER-001", title: "Container is on a network its policy does not need", severity: .high,
                                           category: .network, target: Target(kind: "container", name: c.name),
                                           message: "\(c.name) (service \(service)) is attached to \(extra), which its policy does not call for (wanted: \(wanted.sorted().joined(separator: ", "))). Someone loosened it by hand, or the policy changed since apply.",
                                           remediation: "Run apply-policy --service \(service) (it disconnects it), or add the tier to the policy if it is needed.",
                                           properties: ["network": .string(extra)]))
                }
                for missing in wanted.subtracting(have).sorted() {
                    count += 1
                    report.finding(Finding(ruleId: "NP-DOCKER-004", title: "Container is missing a network its policy needs", severity: .medium,
                                           category: .network, target: Target(kind: "container", name: c.name),
                                           message: "\(c.name) (service \(service)) is not on \(missing); the peers it should reach there are unreachable.",
                                           remediation: "Run apply-policy --service \(service)."))
                }
                let current: NamespaceFirewall.State
                do { current = try await firewall.state(of: c) } catch {
                    report.log(.warning, "rules of \(c.name) not checked: \(error)")
                    continue
                }
                let expected = FirewallRenderer.render(policies[service]!, book: book, peerPorts: peerPorts)
                if current.digest == nil {
                    count += 1
                    report.finding(Finding(ruleId: "NP-DOCKER-002", title: "Policy is not enforced in the container", severity: .high,
                                           category: .network, target: Target(kind: "container", name: c.name),
                                           message: "\(c.name) (service \(service)) has no contsec rules in its network namespace: it was never applied, or the container restarted (rules live in the namespace and go with it).",
                                           remediation: "Run apply-policy --service \(service)."))
                } else if current.digest != expected.digest || current.ruleCount != expected.ruleCount {
                    count += 1
                    report.finding(Finding(ruleId: "NP-DOCKER-002", title: "Policy is not enforced in the container", severity: .high,
                                           category: .network, target: Target(kind: "container", name: c.name),
                                           message: "The rules in \(c.name) (\(current.digest ?? "?"), \(current.ruleCount) rules) differ from what its policy gives with today's addresses (\(expected.digest), \(expected.ruleCount) rules): they were edited, or peers moved since apply.",
                                           remediation: "Run apply-policy --service \(service)."))
                }
            }
        }
        return count
    }
}

extension ConnectivityTester.Result {
    /// The matrix as written to `security/network/connectivity-<service|all>.json`.
    public func json(prefix: String) -> JSONValue {
        .object([
            "prefix": .string(prefix),
            "probes": .int(probes),
            "seconds": .double((seconds * 1000).rounded() / 1000),
            "cells": .array(cells.map { c in
                .object(["source": .string(c.source), "destination": .string(c.destination), "port": .int(c.port.port),
                         "protocol": .string(c.port.proto.rawValue), "expected": .string(c.expected ? "allow" : "deny"),
                         "observed": .string(c.observed.rawValue), "verdict": .string(c.verdict.rawValue),
                         "reason": .string(c.reason), "probes": .array(c.probes.map(JSONValue.string))])
            }),
        ])
    }

    public var table: ResultTable {
        ResultTable(title: "connectivity matrix (expected by policy vs observed with real traffic)",
                    columns: [.init("source", "SOURCE"), .init("destination", "DESTINATION"), .init("port", "PORT"),
                              .init("expected", "POLICY"), .init("observed", "OBSERVED"), .init("verdict", "VERDICT")],
                    rows: cells.map { c in
                        ["source": .string(c.source), "destination": .string(c.destination),
                         "port": .string("\(c.port.port)/\(c.port.proto.rawValue)"), "expected": .string(c.expected ? "allow" : "deny"),
                         "observed": .string(c.observed.rawValue), "verdict": .string(c.verdict.rawValue)]
                    })
    }
}
