/// What the policies say about one connection: allowed only if the source's egress and the destination's
/// ingress both allow it (a direction that is not default-deny allows everything).
public struct PolicyMatrix: Sendable {
    public let policies: PolicySet
    public let plan: NetworkPlan
    /// Addresses of each service, for cidr peers.
    public let addresses: [String: [String]]

    public init(policies: PolicySet, plan: NetworkPlan, addresses: [String: [String]] = [:]) {
        self.policies = policies; self.plan = plan; self.addresses = addresses
    }

    /// Whether `src` may open a connection to `dst` on `port`, and which side decides if not.
    public func allows(from src: String, to dst: String, port: ServicePort) -> (allowed: Bool, reason: String) {
        let egress = side(policies[src], peer: src == dst ? nil : dst, port: port, ownPorts: policies[src]?.ports ?? [],
                          peerPorts: policies[dst]?.ports ?? [], direction: .egress)
        if !egress.0 { return (false, "\(src)'s egress does not allow \(dst):\(port.port)") }
        let ingress = side(policies[dst], peer: src, port: port, ownPorts: policies[dst]?.ports ?? [], peerPorts: [], direction: .ingress)
        if !ingress.0 { return (false, "\(dst)'s ingress does not allow \(src)") }
        return (true, [egress.1, ingress.1].filter { !$0.isEmpty }.joined(separator: "; "))
    }

    private func side(_ policy: ServicePolicy?, peer: String?, port: ServicePort, ownPorts: [ServicePort],
                      peerPorts: [ServicePort], direction: Direction) -> (Bool, String) {
        guard let policy, policy.defaultDeny.contains(direction), let peer else { return (true, "") }
        for rule in policy.rules(direction) where rule.peers.contains(where: { matches($0, peer) }) {
            if portMatches(rule, port: port, ingress: direction == .ingress, ownPorts: ownPorts) {
                return (true, "\(direction.rawValue) rule of \(policy.service)")
            }
        }
        return (false, "")
    }

    func matches(_ peer: Peer, _ service: String) -> Bool {
        switch peer {
        case .service(let name, _): return name == service
        case .tier(let tier): return plan.isOn(service, tier: tier)
        case .cidr(let text, let except):
            guard let block = CIDR(text) else { return false }
            return (addresses[service] ?? []).contains { a in
                guard let ip = CIDR(a) else { return false }
                return block.contains(ip) && !except.compactMap { CIDR($0) }.contains { $0.contains(ip) }
            }
        }
    }

    /// `port` is a port the destination declares (with its name, if any).
    func portMatches(_ rule: PolicyRule, port: ServicePort, ingress: Bool, ownPorts: [ServicePort]) -> Bool {
        guard let ports = rule.ports else {
            return !ingress || ownPorts.isEmpty || ownPorts.contains { $0.port == port.port && $0.proto == port.proto }
        }
        return ports.contains { p in
            guard p.proto == port.proto else { return false }
            switch p.ref {
            case nil: return true
            case .number(let n, let end)?: return (n...(end ?? n)).contains(port.port)
            case .named(let name)?: return port.name == name
            }
        }
    }
}
