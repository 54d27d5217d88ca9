import ContsecProtocol

/// Addresses the rules of one apply are written with.
public struct AddressBook: Sendable {
    /// Service → IPv4 addresses of all its containers on all networks.
    public var services: [String: [String]] = [:]
    /// Tier → its network's subnet and gateway (the host side of the bridge, never a peer).
    public var tiers: [String: (subnet: String, gateway: String?)] = [:]
    public init() {}
}

/// An nftables ruleset for one container's own network namespace, and what identifies it.
public struct FirewallRuleset: Sendable, Equatable {
    public static let table = "contsec_netpolicy"
    /// The `nft -f` script: creates the table if needed, deletes it and loads the new one, in one transaction.
    public var script: String
    /// `sha256:<16 hex>` of the rules; carried in the table's comment so a later apply can tell it is current.
    public var digest: String
    /// Rules per chain (for a quick check that nobody edited the table).
    public var ruleCount: Int
    /// Peers that get no rule: no address (a service without a running container), or named ports nobody declares.
    public var unresolved: [String]
}

/// Renders a ServicePolicy as nftables rules for the service's own container: default-deny chains on input and
/// output, conntrack for replies, loopback (and Docker's embedded DNS, 127.0.0.11, when allowDNS), one accept per
/// allowed peer and port, and a final counted reject (ICMP admin-prohibited) so a blocked connection fails within
/// about a second and is told apart from a closed port.
public enum FirewallRenderer {
    public static func render(_ policy: ServicePolicy, book: AddressBook, peerPorts: [String: [ServicePort]]) -> FirewallRuleset {
        var unresolved: [String] = []
        var chains: [String] = []
        var count = 0
        for direction in Direction.allCases where policy.defaultDeny.contains(direction) {
            let ingress = direction == .ingress
            var lines = ["ct state established,related accept", "ct state invalid drop"]
            if ingress {
                lines.append("iifname \"lo\" accept")
            } else {
                lines.append(policy.allowDNS ? "ip daddr 127.0.0.11 accept" : "ip daddr 127.0.0.11 counter reject with icmpx type admin-prohibited")
                lines.append("oifname \"lo\" accept")
            }
            for rule in policy.rules(direction) {
                for peer in rule.peers {
                    let matches = addressMatches(peer, book: book, source: ingress)
                    if matches.isEmpty { unresolved.append(peer.label); continue }
                    let ports = portMatches(rule, policy: policy, peer: peer, ingress: ingress, peerPorts: peerPorts)
                    if ports.isEmpty { unresolved.append("\(peer.label) (its named ports are declared by no policy)") }
                    for a in matches {
                        for p in ports { lines.append([a, p, "accept"].filter { !$0.isEmpty }.joined(separator: " ")) }
                    }
                }
            }
            // Reject rather than drop, both ways: the connecting side gets "no route to host" (ICMP
            // admin-prohibited) within about a second instead of waiting for its timeout, and it is told apart
            // from a closed port ("connection refused"). A dropped SYN would only time out.
            lines.append("counter reject with icmpx type admin-prohibited")
            count += lines.count
            let hook = ingress ? "input" : "output"
            chains.append("\tchain \(direction.rawValue) {\n\t\ttype filter hook \(hook) priority filter; policy drop;\n"
                          + lines.map { "\t\t\($0)\n" }.joined() + "\t}\n")
        }
        let body = chains.joined(separator: "\n")
        let digest = "sha256:" + String(SHA256.hex(Array(body.utf8)).prefix(16))
        let script = "table inet \(FirewallRuleset.table)\ndelete table inet \(FirewallRuleset.table)\n"
            + "table inet \(FirewallRuleset.table) {\n\tcomment \"contsec netpolicy service=\(policy.service) \(digest)\"\n" + body + "}\n"
        return FirewallRuleset(script: script, digest: digest, ruleCount: count, unresolved: unresolved)
    }

    /// `ip saddr …` / `ip daddr …` expressions for a peer; empty when it has no address.
    static func addressMatches(_ peer: Peer, book: AddressBook, source: Bool) -> [String] {
        let dir = source ? "saddr" : "daddr"
        switch peer {
        case .service(let name, _):
            let addrs = book.services[name] ?? []
            if addrs.isEmpty { return [] }
            return ["ip \(dir) " + (addrs.count == 1 ? addrs[0] : "{ " + addrs.joined(separator: ", ") + " }")]
        case .tier(let tier):
            guard let net = book.tiers[tier] else { return [] }
            return ["ip \(dir) \(net.subnet)" + (net.gateway.map { " ip \(dir) != \($0)" } ?? "")]
        case .cidr(let text, let except):
            guard let cidr = CIDR(text) else { return [] }
            let fam = cidr.family == .v4 ? "ip" : "ip6"
            var expr = "\(fam) \(dir) \(cidr)"
            if !except.isEmpty { expr += " \(fam) \(dir) != { " + except.joined(separator: ", ") + " }" }
            return [expr]
        }
    }

    /// Port expressions; `[""]` means every port of every protocol.
    static func portMatches(_ rule: PolicyRule, policy: ServicePolicy, peer: Peer, ingress: Bool,
                            peerPorts: [String: [ServicePort]]) -> [String] {
        let own = policy.ports
        let theirs: [ServicePort] = { if case .service(let n, _) = peer { return peerPorts[n] ?? [] }; return [] }()
        let ports: [RulePort]
        if let explicit = rule.ports {
            ports = explicit
        } else if ingress, !own.isEmpty {
            ports = own.map { RulePort(.number($0.port, endPort: nil), proto: $0.proto) }
        } else {
            return [""]
        }
        var out: [String] = []
        for p in ports {
            let proto = p.proto.lowercased
            switch p.ref {
            case nil: out.append("meta l4proto \(proto)")
            case .number(let n, let end)?: out.append("\(proto) dport \(end.map { $0 != n ? "\(n)-\($0)" : "\(n)" } ?? "\(n)")")
            case .named(let name)?:
                // Ingress names the service's own port; egress the peer's.
                for sp in (ingress ? own : theirs) where sp.name == name && sp.proto == p.proto {
                    out.append("\(proto) dport \(sp.port)")
                }
            }
        }
        return out
    }
}
