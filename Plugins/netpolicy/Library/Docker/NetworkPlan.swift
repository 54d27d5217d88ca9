/// Which tiers (networks) each service's container must join: the tiers its policy names, the tiers it accepts
/// traffic from, and the home tier (first tier) of every service it sends to when they share none yet — the
/// client joins the server's network. A peer without a policy is placed where its container is.
public struct NetworkPlan: Sendable {
    public struct Placement: Sendable, Equatable {
        public var tiers: [String]
        /// Why each derived tier was added ("joins backend to reach api").
        public var reasons: [String]
    }

    public private(set) var placements: [String: Placement] = [:]
    /// Services whose policy gives nothing to place them by.
    public private(set) var unplaced: [String] = []

    /// - Parameter currentTiers: tiers the containers of services *without* a policy are on now.
    public init(policies: PolicySet, currentTiers: [String: [String]]) {
        func homeTiers(_ service: String) -> [String] {
            if let p = policies[service] {
                if !p.tiers.isEmpty { return p.tiers }
                // A policy that names no tier of its own lives where its ingress tiers are.
                var t: [String] = []
                for rule in p.ingress { for case .tier(let x) in rule.peers where !t.contains(x) { t.append(x) } }
                return t
            }
            return currentTiers[service] ?? []
        }
        for service in policies.services {
            let policy = policies[service]!
            var tiers = homeTiers(service)
            var reasons: [String] = []
            func add(_ tier: String, _ why: String) {
                if !tiers.contains(tier) { tiers.append(tier); reasons.append("joins \(tier) \(why)") }
            }
            for rule in policy.egress {
                for peer in rule.peers {
                    switch peer {
                    case .tier(let t): add(t, "to reach tier \(t)")
                    case .service(let name, _):
                        let theirs = homeTiers(name)
                        if let home = theirs.first, Set(theirs).isDisjoint(with: tiers) { add(home, "to reach \(name)") }
                    case .cidr: break
                    }
                }
            }
            for rule in policy.ingress {
                for peer in rule.peers {
                    switch peer {
                    case .tier(let t): add(t, "to be reached from tier \(t)")
                    case .service(let name, _) where policies[name] == nil:
                        let theirs = currentTiers[name] ?? []
                        if let home = theirs.first, Set(theirs).isDisjoint(with: tiers) { add(home, "to be reached from \(name)") }
                    default: break
                    }
                }
            }
            if tiers.isEmpty { unplaced.append(service) }
            placements[service] = Placement(tiers: tiers, reasons: reasons)
        }
    }

    public subscript(service: String) -> Placement? { placements[service] }

    /// Whether `service` sits on `tier` (for tier peers in the expected matrix).
    public func isOn(_ service: String, tier: String) -> Bool { placements[service]?.tiers.contains(tier) ?? false }
}
