import ContsecProtocol

/// The rule ids analyze reports, with their severities.
public enum AnalysisRule: String, Sendable, CaseIterable {
    case unreadable = "NP-K8S-000"
    case noDefaultDenyIngress = "NP-K8S-001"
    case noDefaultDenyEgress = "NP-K8S-002"
    case reachableFromEverywhere = "NP-K8S-003"
    case unrestrictedEgress = "NP-K8S-004"
    case selectsNothing = "NP-K8S-005"
    case allowsEverything = "NP-K8S-006"
    case hostNetwork = "NP-K8S-007"
    case peerMatchesNothing = "NP-K8S-008"
    case namedPortUnresolved = "NP-K8S-009"
}

/// Turns a reachability result into findings: namespaces without default-deny, workloads reachable from everywhere,
/// unrestricted egress, policies and peers that select nothing, rules that allow everything, host-network pods.
public struct AnalysisFindings: Sendable {
    static let reference = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
    let engine: ReachabilityEngine

    public init(engine: ReachabilityEngine) { self.engine = engine }

    public func all() -> [Finding] {
        problems() + namespaces() + workloads() + policies()
    }

    func finding(_ rule: AnalysisRule, _ severity: Severity, _ title: String, target: Target, message: String,
                 remediation: String, properties: [String: JSONValue] = [:]) -> Finding {
        Finding(ruleId: rule.rawValue, title: title, severity: severity, category: .network, target: target,
                message: message, remediation: remediation, references: [Self.reference], properties: properties)
    }

    func target(_ w: ClusterModel.Workload) -> Target {
        Target(kind: "kubernetes-resource", name: w.id, file: w.file, line: w.line)
    }

    func target(_ p: ClusterModel.Policy, line: Int? = nil) -> Target {
        Target(kind: "kubernetes-resource", name: "\(p.id)[NetworkPolicy]", file: p.file, line: line ?? p.line)
    }

    func problems() -> [Finding] {
        engine.model.problems.map { p in
            finding(.unreadable, .low, "Manifest could not be analyzed", target: Target(kind: "file", name: p.file, file: p.file, line: p.line),
                    message: p.message, remediation: "Fix the manifest; analyze skipped it, so the matrix may allow more than the cluster would.")
        }
    }

    func namespaces() -> [Finding] {
        let m = engine.model
        var out: [Finding] = []
        for ns in Set(m.workloads.map(\.namespace)).sorted() {
            let members = m.workloads.indices.filter { m.workloads[$0].namespace == ns }
            for direction in Direction.allCases {
                let hasDefaultDeny = m.policies.contains {
                    $0.namespace == ns && $0.podSelector.isEmpty && $0.types.contains(direction)
                        && (direction == .ingress ? $0.ingress : $0.egress).isEmpty
                }
                if hasDefaultDeny { continue }
                let open = members.filter { direction == .ingress ? !engine.isolatedIn[$0] : !engine.isolatedOut[$0] }
                let dir = direction.rawValue
                let severity: Severity = direction == .ingress ? (open.isEmpty ? .low : .medium) : .low
                let openText = open.isEmpty
                    ? "every workload there is covered by its own \(dir) policy today, but one added later is open"
                    : "\(open.count) of \(members.count) workloads accept all \(dir) traffic: " + open.prefix(5).map { m.workloads[$0].id }.joined(separator: ", ") + (open.count > 5 ? ", …" : "")
                out.append(finding(direction == .ingress ? .noDefaultDenyIngress : .noDefaultDenyEgress, severity,
                                   "Namespace has no default-deny \(dir) policy",
                                   target: Target(kind: "kubernetes-resource", name: "\(ns)[Namespace]"),
                                   message: "Namespace \(ns) has no NetworkPolicy selecting all pods (podSelector: {}) with policyTypes \(direction == .ingress ? "Ingress" : "Egress") and no rules; \(openText).",
                                   remediation: "Add a default-deny: kind NetworkPolicy, spec.podSelector: {}, policyTypes: [\(direction == .ingress ? "Ingress" : "Egress")], then allow what is needed.",
                                   properties: ["namespace": .string(ns), "openWorkloads": .int(open.count)]))
            }
        }
        return out
    }

    func workloads() -> [Finding] {
        let m = engine.model
        var out: [Finding] = []
        let n = engine.nodeCount
        for (i, w) in m.workloads.enumerated() {
            if w.hostNetwork {
                out.append(finding(.hostNetwork, .medium, "Workload uses the host network; NetworkPolicies do not apply",
                                   target: target(w), message: "\(w.id) sets hostNetwork: true: its pods use the node's network namespace and no NetworkPolicy filters them.",
                                   remediation: "Drop hostNetwork unless the workload truly needs the node's interfaces."))
            }
            // Reachable from everywhere: every other workload and every external address can open some connection.
            var common = ConnectionSet.all
            var everyone = true
            for s in 0..<n where s != i {
                let c = engine.connections(from: s, to: i)
                if c.isEmpty { everyone = false; break }
                common = common.intersection(c)
            }
            if everyone && n > 1 {
                let why = engine.isolatedIn[i] ? "its ingress policies admit every source" : "no NetworkPolicy selects it for ingress"
                out.append(finding(.reachableFromEverywhere, .high, "Workload is reachable from everywhere", target: target(w),
                                   message: "\(w.id) accepts connections from every workload and every external address (\(why)); open to all: \(common).",
                                   remediation: "Select it with a default-deny ingress policy and allow only its real clients and ports.",
                                   properties: ["connections": .string(common.description)]))
            }
            if !w.hostNetwork {
                let unrestricted = (0..<n).allSatisfy { d in d == i || engine.egressAllows(i, d).isAll }
                if unrestricted {
                    let why = engine.isolatedOut[i] ? "its egress rules allow every destination and port" : "no NetworkPolicy selects it for egress"
                    out.append(finding(.unrestrictedEgress, .medium, "Workload has unrestricted egress", target: target(w),
                                       message: "\(w.id) may connect anywhere, any port, inside and outside the cluster (\(why)).",
                                       remediation: "Add an egress policy for it: allow its dependencies and DNS (kube-dns, UDP and TCP 53) only."))
                }
            }
        }
        return out
    }

    func policies() -> [Finding] {
        let m = engine.model
        var out: [Finding] = []
        for (pi, p) in m.policies.enumerated() {
            if engine.selection(of: pi).isEmpty {
                out.append(finding(.selectsNothing, .low, "NetworkPolicy selects no workload", target: target(p),
                                   message: "The podSelector of \(p.id) matches no workload in namespace \(p.namespace): the policy protects nothing.",
                                   remediation: "Fix spec.podSelector to match the intended pods' labels, or remove the policy."))
            }
            for direction in Direction.allCases where p.types.contains(direction) {
                for r in engine.rules(of: pi, direction) {
                    out += ruleFindings(p, r, direction)
                }
            }
        }
        return out
    }

    func ruleFindings(_ p: ClusterModel.Policy, _ r: ReachabilityEngine.ResolvedRule, _ direction: Direction) -> [Finding] {
        var out: [Finding] = []
        let side = direction == .ingress ? "from" : "to"
        let portsText = r.rule.ports == nil ? "on every port" : "on \(ReachabilityEngine.fixedPorts(r.rule)?.description ?? "named ports")"
        var everything: String?
        if r.rule.peers == nil {
            everything = "it has no \(side) list, so it matches every pod and every address"
        } else {
            for spec in r.rule.peers! {
                switch spec {
                case .ipBlock(let c, let except) where c.prefix == 0 && except.isEmpty:
                    everything = "its ipBlock \(c) matches every address"
                case .pods(let pod, let ns?) where ns.isEmpty && (pod?.isEmpty ?? true):
                    everything = "namespaceSelector: {} matches every pod in every namespace"
                default: break
                }
            }
        }
        if let everything {
            out.append(finding(.allowsEverything, r.rule.ports == nil ? .medium : .low,
                               "NetworkPolicy rule allows everything \(side == "from" ? "in" : "out")",
                               target: target(p, line: r.rule.line),
                               message: "An \(direction.rawValue) rule of \(p.id) allows traffic \(portsText): \(everything).",
                               remediation: "Name the peers (podSelector / namespaceSelector / a narrow ipBlock) and the ports the workload needs."))
        }
        for (k, spec) in (r.rule.peers ?? []).enumerated() {
            guard case .pods = spec else { continue }
            if engine.nodes(matching: spec, policyNamespace: p.namespace).isEmpty {
                out.append(finding(.peerMatchesNothing, .low, "NetworkPolicy peer matches no workload", target: target(p, line: r.rule.line),
                                   message: "Peer \(k + 1) of an \(direction.rawValue) rule of \(p.id) selects no workload in these manifests; the rule allows nothing through it.",
                                   remediation: "Check the peer's labels and namespace labels (kubernetes.io/metadata.name names a namespace)."))
            }
        }
        for port in r.rule.ports ?? [] {
            guard case .named(let name)? = port.value else { continue }
            let candidates = direction == .ingress ? engine.selection(of: r.policy) : r.peers.filter { !engine.isExternal($0) }
            let found = candidates.contains { engine.model.workloads[$0].ports.contains { $0.name == name && $0.proto == port.proto } }
            if !found {
                out.append(finding(.namedPortUnresolved, .low, "Named port matches no container port", target: target(p, line: r.rule.line),
                                   message: "Port '\(name)' (\(port.proto.rawValue)) in an \(direction.rawValue) rule of \(p.id) is not the name of a container port of any \(direction == .ingress ? "selected" : "destination") workload, so it allows nothing.",
                                   remediation: "Use the container port's name exactly as declared (spec.containers[].ports[].name) or a port number."))
            }
        }
        return out
    }
}
