/// A command-line value that cannot become part of a policy; `param` is the flag without dashes.
public struct ParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var param: String
    public var message: String
    public init(param: String, message: String) { self.param = param; self.message = message }
    public var description: String { "--\(param): \(message)" }
}

/// Builds a `ServicePolicy` from create-policy's flags, in the original script's terms:
/// `--service web-app --ingress frontend --egress api,db`.
///
/// A peer is `[service:|tier:|cidr:]NAME[:PORT[-END][/PROTO]]`. A bare name that is one of the known tiers is a
/// tier, anything else a service; `service:ns/name` names another namespace; `cidr:[2001:db8::/32]:443` brackets
/// an IPv6 block that has a port.
public struct PolicyBuilder: Sendable {
    public var service: String
    public var ingress: [String] = []
    public var egress: [String] = []
    public var ports: [String] = []
    public var tiers: [String] = []
    public var knownTiers: [String] = TierLayout.defaultTiers
    public var namespace: String = "default"
    public var labels: [String] = []
    public var allowDNS = true
    public var defaultDeny: [String] = ["ingress", "egress"]
    public var description: String?

    public init(service: String) { self.service = service }

    public func build() throws(ParameterError) -> ServicePolicy {
        guard PolicyDecoder.isName(service) else {
            throw ParameterError(param: "service", message: "'\(service)' is not a valid name: lower-case letters, digits and '-' (a DNS label)")
        }
        guard PolicyDecoder.isName(namespace) else { throw ParameterError(param: "namespace", message: "'\(namespace)' is not a valid namespace name") }
        for t in tiers + knownTiers where !PolicyDecoder.isName(t) {
            throw ParameterError(param: tiers.contains(t) ? "tier" : "tiers", message: "'\(t)' is not a valid tier name")
        }
        var policy = ServicePolicy(service: service, description: description, namespace: namespace)
        policy.ports = try ports.map(Self.servicePort)
        policy.ingress = try rules(ingress, param: "ingress")
        policy.egress = try rules(egress, param: "egress")
        var deny = Set<Direction>()
        for d in defaultDeny where d != "none" {
            guard let dir = Direction(rawValue: d) else { throw ParameterError(param: "default-deny", message: "'\(d)' is not ingress, egress or none") }
            deny.insert(dir)
        }
        policy.defaultDeny = deny
        policy.allowDNS = allowDNS
        if !labels.isEmpty {
            var map: [String: String] = [:]
            for l in labels {
                let kv = l.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard kv.count == 2, PolicyDecoder.isLabelKey(kv[0]), PolicyDecoder.isLabelValue(kv[1]) else {
                    throw ParameterError(param: "label", message: "'\(l)' is not KEY=VALUE with a Kubernetes label key and value")
                }
                map[kv[0]] = kv[1]
            }
            policy.labels = map
        }
        // The service sits where its clients are: a tier it accepts traffic from is a tier it joins.
        var joined = tiers
        for rule in policy.ingress { for case .tier(let t) in rule.peers where !joined.contains(t) { joined.append(t) } }
        policy.tiers = joined
        if self.service == "" { throw ParameterError(param: "service", message: "is empty") }
        for rule in policy.ingress + policy.egress {
            for case .service(let name, nil) in rule.peers where name == service {
                throw ParameterError(param: policy.ingress.contains(rule) ? "ingress" : "egress",
                                     message: "'\(name)' is the service itself; traffic inside one container is never filtered")
            }
        }
        // Round-trip through the decoder's checks (named ports, ranges): one set of rules for files and flags.
        do { return try PolicyDecoder.decode(policy.json, file: "--\(service)") } catch {
            throw ParameterError(param: "port", message: error.message)
        }
    }

    /// One rule per peer; the same peer named twice merges its ports (no port on any entry: all ports).
    func rules(_ entries: [String], param: String) throws(ParameterError) -> [PolicyRule] {
        var order: [Peer] = []
        var ports: [Peer: [RulePort]?] = [:]
        for entry in entries {
            let (peer, port) = try parsePeer(entry, param: param)
            if ports[peer] == nil { order.append(peer); ports[peer] = .some(port.map { [$0] } ?? nil) ; continue }
            switch (ports[peer]!, port) {
            case (nil, _): break
            case (_, nil): ports[peer] = .some(nil)
            case (let list?, let p?): if !list.contains(p) { ports[peer] = .some(list + [p]) }
            }
        }
        return order.map { PolicyRule(peers: [$0], ports: ports[$0]!) }
    }

    func parsePeer(_ raw: String, param: String) throws(ParameterError) -> (Peer, RulePort?) {
        let text = raw.trimmingCharacters(in: .whitespaces)
        func fail(_ m: String) -> ParameterError { ParameterError(param: param, message: "'\(raw)': \(m)") }
        if text.hasPrefix("cidr:") {
            var rest = Substring(text.dropFirst(5))
            var block: Substring
            var portText: Substring?
            if rest.hasPrefix("[") {
                guard let close = rest.firstIndex(of: "]") else { throw fail("an opening '[' needs its ']'") }
                block = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                if rest.hasPrefix(":") { portText = rest.dropFirst() } else if !rest.isEmpty { throw fail("expected ':PORT' after ']'") }
            } else if rest.contains(":") && rest.filter({ $0 == ":" }).count == 1 {
                let parts = rest.split(separator: ":", maxSplits: 1)
                block = parts[0]; portText = parts.count > 1 ? parts[1] : nil
            } else {
                block = rest
            }
            guard let cidr = CIDR(String(block)) else { throw fail("'\(block)' is not a CIDR block with its host bits zero (10.0.0.0/8)") }
            return (.cidr(cidr.description, except: []), try portText.map { p throws(ParameterError) in try Self.rulePort(String(p), param: param, raw: raw) })
        }
        var kind: String?
        var rest = Substring(text)
        for k in ["service:", "tier:"] where rest.hasPrefix(k) { kind = String(k.dropLast()); rest = rest.dropFirst(k.count) }
        let parts = rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        var name = String(parts[0])
        var namespace: String?
        if name.contains("/") {
            guard kind != "tier" else { throw fail("a tier has no namespace") }
            let nn = name.split(separator: "/", maxSplits: 1).map(String.init)
            guard nn.count == 2 else { throw fail("expected NAMESPACE/NAME") }
            namespace = nn[0]; name = nn[1]
            guard PolicyDecoder.isName(namespace!) else { throw fail("'\(namespace!)' is not a valid namespace name") }
            kind = "service"
        }
        guard PolicyDecoder.isName(name) else { throw fail("'\(name)' is not a valid name (lower-case letters, digits, '-')") }
        let port = try parts.count > 1 ? Self.rulePort(String(parts[1]), param: param, raw: raw) : nil
        let isTier = kind == "tier" || (kind == nil && knownTiers.contains(name))
        return (isTier ? .tier(name) : .service(name, namespace: namespace), port)
    }

    /// `8080`, `8000-8080`, `53/udp`, `http` (a named port), `/udp` (every UDP port).
    static func rulePort(_ text: String, param: String, raw: String) throws(ParameterError) -> RulePort {
        func fail(_ m: String) -> ParameterError { ParameterError(param: param, message: "'\(raw)': \(m)") }
        let pp = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        var proto = TransportProtocol.tcp
        if pp.count == 2 {
            guard let p = TransportProtocol(parsing: String(pp[1])) else { throw fail("'\(pp[1])' is not tcp, udp or sctp") }
            proto = p
        }
        let spec = pp[0]
        if spec.isEmpty { return RulePort(nil, proto: proto) }
        if let dash = spec.firstIndex(of: "-"), let a = Int(spec[..<dash]), let b = Int(spec[spec.index(after: dash)...]) {
            guard (1...65535).contains(a), (a...65535).contains(b) else { throw fail("port range \(spec) must be within 1-65535, low to high") }
            return RulePort(.number(a, endPort: b), proto: proto)
        }
        if let n = Int(spec) {
            guard (1...65535).contains(n) else { throw fail("port \(n) is outside 1-65535") }
            return RulePort(.number(n, endPort: nil), proto: proto)
        }
        guard PolicyDecoder.isPortName(String(spec)) else { throw fail("'\(spec)' is neither a port number nor a port name") }
        return RulePort(.named(String(spec)), proto: proto)
    }

    /// `8080`, `8080/tcp`, `53/udp`, `http=8080`, `metrics=9090/tcp`.
    static func servicePort(_ text: String) throws(ParameterError) -> ServicePort {
        func fail(_ m: String) -> ParameterError { ParameterError(param: "port", message: "'\(text)': \(m)") }
        var name: String?
        var rest = Substring(text)
        if let eq = rest.firstIndex(of: "=") {
            name = String(rest[..<eq])
            rest = rest[rest.index(after: eq)...]
            guard PolicyDecoder.isPortName(name!) else { throw fail("'\(name!)' is not a port name (1-15 lower-case letters, digits, '-')") }
        }
        let pp = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let port = Int(pp[0]), (1...65535).contains(port) else { throw fail("expected [NAME=]PORT[/PROTO] with PORT in 1-65535") }
        var proto = TransportProtocol.tcp
        if pp.count == 2 {
            guard let p = TransportProtocol(parsing: String(pp[1])) else { throw fail("'\(pp[1])' is not tcp, udp or sctp") }
            proto = p
        }
        return ServicePort(port: port, proto: proto, name: name)
    }
}
