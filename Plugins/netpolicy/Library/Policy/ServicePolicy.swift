import ContsecProtocol

/// Transport protocols a port can use (the three Kubernetes NetworkPolicy knows).
public enum TransportProtocol: String, Sendable, CaseIterable, Hashable, Comparable {
    case tcp = "TCP", udp = "UDP", sctp = "SCTP"

    /// nft's name: `tcp`, `udp`, `sctp`.
    public var lowercased: String { rawValue.lowercased() }

    public static func < (a: TransportProtocol, b: TransportProtocol) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Reads any letter case.
    public init?(parsing text: String) { self.init(rawValue: text.uppercased()) }
}

/// A port the service listens on.
public struct ServicePort: Sendable, Hashable {
    public var port: Int
    public var proto: TransportProtocol
    /// A name rules may refer to (`"port": "http"`), as a Kubernetes container port's name.
    public var name: String?

    public init(port: Int, proto: TransportProtocol = .tcp, name: String? = nil) {
        self.port = port; self.proto = proto; self.name = name
    }
}

/// The port part of a rule: one port, a range, a named port of the service, or (no port) every port of a protocol.
public struct RulePort: Sendable, Hashable {
    public enum Ref: Sendable, Hashable {
        case number(Int, endPort: Int?)
        case named(String)
    }
    /// nil: every port of `proto`.
    public var ref: Ref?
    public var proto: TransportProtocol

    public init(_ ref: Ref?, proto: TransportProtocol = .tcp) { self.ref = ref; self.proto = proto }
    public static func number(_ port: Int, _ proto: TransportProtocol = .tcp) -> RulePort { RulePort(.number(port, endPort: nil), proto: proto) }
}

/// Who a rule lets in (ingress) or out to (egress).
public enum Peer: Sendable, Hashable {
    /// Another service by name; `namespace` only matters for Kubernetes (default: the policy's own).
    case service(String, namespace: String?)
    /// Every service on a tier (a Docker network `<prefix>_<tier>`; in Kubernetes pods labelled `tier: <name>`).
    case tier(String)
    /// Addresses outside the managed services (an ingress controller, an external API).
    case cidr(String, except: [String])

    public var label: String {
        switch self {
        case .service(let name, let ns): return ns.map { "service:\($0)/\(name)" } ?? "service:\(name)"
        case .tier(let name): return "tier:\(name)"
        case .cidr(let cidr, let except): return except.isEmpty ? "cidr:\(cidr)" : "cidr:\(cidr) except \(except.joined(separator: ","))"
        }
    }
}

/// One allow rule: traffic from/to any of `peers` on any of `ports`.
public struct PolicyRule: Sendable, Hashable {
    public var peers: [Peer]
    /// nil: for ingress, the ports the service declares (all ports if it declares none); for egress, all ports.
    public var ports: [RulePort]?

    public init(peers: [Peer], ports: [RulePort]? = nil) { self.peers = peers; self.ports = ports }
}

/// Traffic directions.
public enum Direction: String, Sendable, CaseIterable, Hashable {
    case ingress, egress
}

/// contsec's own policy document for one service (`policies/<service>-policy.json`), format `contsec.dev/v1`
/// `ServicePolicy`; the JSON Schema is `Plugins/netpolicy/schema/service-policy.schema.json`.
///
/// What is allowed is written down; with `defaultDeny` (both directions by default) everything else is blocked.
/// The same document is enforced on Docker (networks + nftables in the container's namespace) and rendered as
/// Kubernetes NetworkPolicies.
public struct ServicePolicy: Sendable, Hashable {
    public static let apiVersion = "contsec.dev/v1"
    public static let kind = "ServicePolicy"

    public var service: String
    public var description: String?
    /// Kubernetes namespace of the service's pods.
    public var namespace: String
    /// Tiers (Docker networks `<prefix>_<tier>`) the service joins; more are added at apply time when a peer it
    /// talks to lives elsewhere.
    public var tiers: [String]
    /// Labels of the service's pods in Kubernetes (its podSelector); default `app: <service>`.
    public var labels: [String: String]
    public var ports: [ServicePort]
    public var ingress: [PolicyRule]
    public var egress: [PolicyRule]
    public var defaultDeny: Set<Direction>
    /// Let the service resolve names: Docker's embedded DNS, or kube-dns in Kubernetes.
    public var allowDNS: Bool

    public init(service: String, description: String? = nil, namespace: String = "default", tiers: [String] = [],
                labels: [String: String]? = nil, ports: [ServicePort] = [], ingress: [PolicyRule] = [],
                egress: [PolicyRule] = [], defaultDeny: Set<Direction> = [.ingress, .egress], allowDNS: Bool = true) {
        self.service = service; self.description = description; self.namespace = namespace; self.tiers = tiers
        self.labels = labels ?? ["app": service]; self.ports = ports; self.ingress = ingress; self.egress = egress
        self.defaultDeny = defaultDeny; self.allowDNS = allowDNS
    }

    public func rules(_ direction: Direction) -> [PolicyRule] { direction == .ingress ? ingress : egress }

    /// Every service this policy names as a peer.
    public var peerServices: Set<String> {
        var out = Set<String>()
        for rule in ingress + egress { for case .service(let name, _) in rule.peers { out.insert(name) } }
        return out
    }
}
