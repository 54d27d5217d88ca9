import ContsecProtocol

extension ServicePolicy {
    /// The document as JSON, in the shape `PolicyDecoder` reads (defaults written out, so the file says everything).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "apiVersion": .string(Self.apiVersion), "kind": .string(Self.kind), "service": .string(service),
            "namespace": .string(namespace), "tiers": .array(tiers.map(JSONValue.string)),
            "labels": .object(labels.mapValues(JSONValue.string)),
            "ports": .array(ports.map(\.json)),
            "ingress": .array(ingress.map { $0.json(peerKey: "from") }),
            "egress": .array(egress.map { $0.json(peerKey: "to") }),
            "defaultDeny": .array(Direction.allCases.filter(defaultDeny.contains).map { .string($0.rawValue) }),
            "allowDNS": .bool(allowDNS),
        ]
        if let description { o["description"] = .string(description) }
        return .object(o)
    }

    /// Pretty JSON with the keys in reading order, as written to `policies/<service>-policy.json`.
    public var fileText: String {
        JSONWriter.pretty(json, keyOrder: ["apiVersion", "kind", "service", "description", "namespace", "tiers", "labels",
                                           "ports", "ingress", "egress", "from", "to", "defaultDeny", "allowDNS",
                                           "port", "endPort", "protocol", "name", "tier", "cidr", "except"])
    }
}

extension ServicePort {
    var json: JSONValue {
        var o: [String: JSONValue] = ["port": .int(port), "protocol": .string(proto.rawValue)]
        if let name { o["name"] = .string(name) }
        return .object(o)
    }
}

extension PolicyRule {
    func json(peerKey: String) -> JSONValue {
        var o: [String: JSONValue] = [peerKey: .array(peers.map(\.json))]
        if let ports { o["ports"] = .array(ports.map(\.json)) }
        return .object(o)
    }
}

extension Peer {
    var json: JSONValue {
        switch self {
        case .service(let name, let ns):
            var o: [String: JSONValue] = ["service": .string(name)]
            if let ns { o["namespace"] = .string(ns) }
            return .object(o)
        case .tier(let name): return ["tier": .string(name)]
        case .cidr(let cidr, let except):
            var o: [String: JSONValue] = ["cidr": .string(cidr)]
            if !except.isEmpty { o["except"] = .array(except.map(JSONValue.string)) }
            return .object(o)
        }
    }
}

extension RulePort {
    var json: JSONValue {
        var o: [String: JSONValue] = ["protocol": .string(proto.rawValue)]
        switch ref {
        case .number(let p, let end)?:
            o["port"] = .int(p)
            if let end { o["endPort"] = .int(end) }
        case .named(let n)?: o["port"] = .string(n)
        case nil: break
        }
        return .object(o)
    }
}
