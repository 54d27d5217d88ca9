/// Static reachability of Kubernetes workloads under NetworkPolicies, in the spirit of np-guard's netpol-analyzer:
/// for every ordered pair of endpoints (workloads, and the pieces of the address space ipBlocks distinguish), the
/// connections (protocol and ports) that both the source's egress policies and the destination's ingress
/// policies allow. A pod no policy selects for a direction is open in that direction; policies add up.
public struct ReachabilityEngine: Sendable {
    public let model: ClusterModel
    public let external: ExternalRanges

    /// Node i < workloads.count is a workload, the rest are external pieces.
    public var nodeCount: Int { model.workloads.count + external.pieces.count }
    public func isExternal(_ node: Int) -> Bool { node >= model.workloads.count }
    public func nodeName(_ node: Int) -> String {
        isExternal(node) ? external.pieces[node - model.workloads.count].description : model.workloads[node].id
    }

    /// A rule with its peers resolved to nodes.
    struct ResolvedRule {
        var policy: Int
        var rule: ClusterModel.Rule
        var peers: [Int]
        /// nil when the ports use names, which resolve per destination.
        var fixedPorts: ConnectionSet?
    }

    /// Per policy: selected workloads and resolved rules.
    private(set) var selected: [[Int]] = []
    private(set) var ingressRules: [[ResolvedRule]] = []
    private(set) var egressRules: [[ResolvedRule]] = []
    /// Per workload: isolated for ingress / egress (selected by a policy of that type, and not host-network).
    private(set) var isolatedIn: [Bool] = []
    private(set) var isolatedOut: [Bool] = []
    /// For isolated workloads: allowed connections by peer node.
    private(set) var allowedIn: [[Int: ConnectionSet]] = []
    private(set) var allowedOut: [[Int: ConnectionSet]] = []

    public init(model: ClusterModel) {
        self.model = model
        var blocks: [CIDR] = []
        for p in model.policies {
            for r in p.ingress + p.egress {
                for case .ipBlock(let c, let e) in r.peers ?? [] { blocks.append(c); blocks += e }
            }
        }
        external = ExternalRanges(blocks: blocks)
        resolve()
    }

    /// Workload indices by namespace, for selectors.
    private var byNamespace: [String: [Int]] = [:]

    /// The nodes one peer of a rule matches.
    public func nodes(matching spec: ClusterModel.PeerSpec, policyNamespace: String) -> [Int] {
        switch spec {
        case .pods(let podSel, let nsSel):
            let namespaces = nsSel.map { sel in model.namespaces.values.filter { sel.matches($0.labels) }.map(\.name) } ?? [policyNamespace]
            var out: [Int] = []
            for ns in namespaces {
                for i in byNamespace[ns] ?? [] where podSel?.matches(model.workloads[i].labels) ?? true { out.append(i) }
            }
            return out
        case .ipBlock(let cidr, let except):
            return external.covered(by: cidr, except: except).map { model.workloads.count + $0 }
        }
    }

    private mutating func resolve() {
        let w = model.workloads
        for (i, wl) in w.enumerated() { byNamespace[wl.namespace, default: []].append(i) }
        let everyNode = Array(0..<nodeCount)

        func peers(_ rule: ClusterModel.Rule, policyNamespace: String) -> [Int] {
            guard let specs = rule.peers else { return everyNode }
            if specs.count == 1 { return nodes(matching: specs[0], policyNamespace: policyNamespace).sorted() }
            var set = Set<Int>()
            for spec in specs { set.formUnion(nodes(matching: spec, policyNamespace: policyNamespace)) }
            return set.sorted()
        }

        isolatedIn = Array(repeating: false, count: w.count)
        isolatedOut = Array(repeating: false, count: w.count)
        allowedIn = Array(repeating: [:], count: w.count)
        allowedOut = Array(repeating: [:], count: w.count)
        for (pi, p) in model.policies.enumerated() {
            let sel = (byNamespace[p.namespace] ?? []).filter { p.podSelector.matches(w[$0].labels) && !w[$0].hostNetwork }
            selected.append(sel)
            ingressRules.append(p.ingress.map {
                ResolvedRule(policy: pi, rule: $0, peers: peers($0, policyNamespace: p.namespace), fixedPorts: Self.fixedPorts($0))
            })
            egressRules.append(p.egress.map {
                ResolvedRule(policy: pi, rule: $0, peers: peers($0, policyNamespace: p.namespace), fixedPorts: Self.fixedPorts($0))
            })
            if p.types.contains(.ingress) {
                for d in sel {
                    isolatedIn[d] = true
                    for r in ingressRules[pi] {
                        let conn = r.fixedPorts ?? connections(r.rule, toward: d)
                        if conn.isEmpty { continue }
                        for s in r.peers where s != d { allowedIn[d][s] = (allowedIn[d][s] ?? .none).union(conn) }
                    }
                }
            }
            if p.types.contains(.egress) {
                for s in sel {
                    isolatedOut[s] = true
                    for r in egressRules[pi] {
                        for d in r.peers where d != s {
                            let conn = r.fixedPorts ?? connections(r.rule, toward: d)
                            if !conn.isEmpty { allowedOut[s][d] = (allowedOut[s][d] ?? .none).union(conn) }
                        }
                    }
                }
            }
        }
    }

    /// The rule's ports as connections when they name no port (independent of the destination).
    static func fixedPorts(_ rule: ClusterModel.Rule) -> ConnectionSet? {
        let named = rule.ports?.contains { if case .named? = $0.value { return true }; return false } ?? false
        return named ? nil : ports(rule) { _, _ in [] }
    }

    /// The rule's ports toward one destination: named ports resolve against that workload's container ports
    /// (an external destination has none).
    func connections(_ rule: ClusterModel.Rule, toward node: Int) -> ConnectionSet {
        Self.ports(rule) { name, proto in
            isExternal(node) ? [] : model.workloads[node].ports.filter { $0.name == name && $0.proto == proto }.map(\.port)
        }
    }

    /// A rule's ports as connections; `resolve` gives the numbers a named port stands for.
    static func ports(_ rule: ClusterModel.Rule, resolve: (String, TransportProtocol) -> [Int]) -> ConnectionSet {
        guard let ports = rule.ports else { return .all }
        var out = ConnectionSet.none
        for p in ports {
            switch p.value {
            case nil: out = out.union(.allPorts(p.proto))
            case .number(let n)?: out = out.union(.port(p.proto, n...(p.endPort ?? n)))
            case .named(let name)?: for n in resolve(name, p.proto) { out = out.union(.port(p.proto, n...n)) }
            }
        }
        return out
    }

    /// What the source's egress side allows toward `dst` (ignoring the destination's ingress).
    public func egressAllows(_ src: Int, _ dst: Int) -> ConnectionSet {
        if isExternal(src) || !isolatedOut[src] { return .all }
        return allowedOut[src][dst] ?? .none
    }

    /// What the destination's ingress side allows from `src`.
    public func ingressAllows(_ src: Int, _ dst: Int) -> ConnectionSet {
        if isExternal(dst) || !isolatedIn[dst] { return .all }
        return allowedIn[dst][src] ?? .none
    }

    /// Allowed connections from `src` to `dst` (empty between two external pieces and from a node to itself).
    public func connections(from src: Int, to dst: Int) -> ConnectionSet {
        if src == dst || (isExternal(src) && isExternal(dst)) { return .none }
        let e = egressAllows(src, dst)
        if e.isEmpty { return .none }
        return e.intersection(ingressAllows(src, dst))
    }

    /// Every allowed connection, source-major, in node order.
    public func matrix() -> [(src: Int, dst: Int, conn: ConnectionSet)] {
        var out: [(Int, Int, ConnectionSet)] = []
        for s in 0..<nodeCount {
            for d in 0..<nodeCount {
                let c = connections(from: s, to: d)
                if !c.isEmpty { out.append((s, d, c)) }
            }
        }
        return out
    }

    /// Policies that select a workload for a direction (for messages).
    public func policies(selecting workload: Int, _ direction: Direction) -> [Int] {
        model.policies.indices.filter { model.policies[$0].types.contains(direction) && selected[$0].contains(workload) }
    }
    public func selection(of policy: Int) -> [Int] { selected[policy] }
    func rules(of policy: Int, _ direction: Direction) -> [ResolvedRule] {
        direction == .ingress ? ingressRules[policy] : egressRules[policy]
    }
}
