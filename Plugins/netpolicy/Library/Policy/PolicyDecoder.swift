import ContsecProtocol

/// Reads a `ServicePolicy` document strictly: unknown keys, wrong types and bad names are errors that name the JSON
/// path and say what is expected, so a typo (`"ingres"`) never silently weakens a policy.
public enum PolicyDecoder {
    public static func decode(_ bytes: [UInt8], file: String) throws(PolicyError) -> ServicePolicy {
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            throw PolicyError(file: file, path: "$", message: "not valid JSON (\(error)); fix the syntax or re-create the policy with create-policy")
        }
        return try decode(json, file: file)
    }

    public static func decode(_ json: JSONValue, file: String) throws(PolicyError) -> ServicePolicy {
        let r = try Reader(json, path: "$", file: file)
        try r.allowOnly(["apiVersion", "kind", "service", "description", "namespace", "tiers", "labels", "ports",
                         "ingress", "egress", "defaultDeny", "allowDNS"])
        let apiVersion = try r.string("apiVersion", required: true)!
        guard apiVersion == ServicePolicy.apiVersion else {
            throw r.error("apiVersion", "is '\(apiVersion)'; this version of netpolicy reads '\(ServicePolicy.apiVersion)'")
        }
        let kind = try r.string("kind", required: true)!
        guard kind == ServicePolicy.kind else { throw r.error("kind", "is '\(kind)'; expected '\(ServicePolicy.kind)'") }
        let service = try r.name("service", required: true)!
        var policy = ServicePolicy(service: service)
        policy.description = try r.string("description")
        policy.namespace = try r.name("namespace") ?? "default"
        policy.tiers = try r.names("tiers")
        if let labels = try r.labels("labels") {
            guard !labels.isEmpty else { throw r.error("labels", "is empty: it would select every pod in the namespace; name the service's labels or leave the key out") }
            policy.labels = labels
        }
        policy.ports = try r.array("ports").enumerated().map { i, v throws(PolicyError) in
            try servicePort(Reader(v, path: r.path + ".ports[\(i)]", file: file))
        }
        policy.ingress = try rules(r, "ingress", peerKey: "from")
        policy.egress = try rules(r, "egress", peerKey: "to")
        if r.has("defaultDeny") {
            var set = Set<Direction>()
            for (i, v) in try r.array("defaultDeny").enumerated() {
                guard let s = v.stringValue, let d = Direction(rawValue: s) else {
                    throw PolicyError(file: file, path: r.path + ".defaultDeny[\(i)]", message: "must be \"ingress\" or \"egress\", got \(v)")
                }
                set.insert(d)
            }
            policy.defaultDeny = set
        }
        policy.allowDNS = try r.bool("allowDNS") ?? true
        try checkNamedPorts(policy, file: file)
        return policy
    }

    static func servicePort(_ r: Reader) throws(PolicyError) -> ServicePort {
        try r.allowOnly(["port", "protocol", "name"])
        let port = try r.int("port", in: 1...65535, required: true)!
        return ServicePort(port: port, proto: try r.proto("protocol"), name: try r.portName("name"))
    }

    static func rules(_ r: Reader, _ key: String, peerKey: String) throws(PolicyError) -> [PolicyRule] {
        try r.array(key).enumerated().map { i, v throws(PolicyError) in
            let rr = try Reader(v, path: r.path + ".\(key)[\(i)]", file: r.file)
            try rr.allowOnly([peerKey, "ports"])
            let peersJSON = try rr.array(peerKey)
            guard !peersJSON.isEmpty else {
                throw rr.error(peerKey, "is missing or empty: name at least one service, tier or cidr (for any address use {\"cidr\": \"0.0.0.0/0\"})")
            }
            let peers = try peersJSON.enumerated().map { j, p throws(PolicyError) in
                try peer(Reader(p, path: rr.path + ".\(peerKey)[\(j)]", file: r.file))
            }
            var ports: [RulePort]? = nil
            if rr.has("ports") {
                ports = try rr.array("ports").enumerated().map { j, p throws(PolicyError) in
                    try rulePort(Reader(p, path: rr.path + ".ports[\(j)]", file: r.file))
                }
            }
            return PolicyRule(peers: peers, ports: ports)
        }
    }

    static func peer(_ r: Reader) throws(PolicyError) -> Peer {
        try r.allowOnly(["service", "namespace", "tier", "cidr", "except"])
        let kinds = ["service", "tier", "cidr"].filter(r.has)
        guard kinds.count == 1 else {
            throw PolicyError(file: r.file, path: r.path, message: kinds.isEmpty
                ? "a peer needs one of service, tier or cidr"
                : "a peer is one of service, tier or cidr, not \(kinds.joined(separator: " and "))")
        }
        switch kinds[0] {
        case "service":
            if r.has("except") { throw r.error("except", "belongs to a cidr peer") }
            return .service(try r.name("service")!, namespace: try r.name("namespace"))
        case "tier":
            if r.has("namespace") || r.has("except") { throw r.error(r.has("except") ? "except" : "namespace", "belongs to a service or cidr peer") }
            return .tier(try r.name("tier")!)
        default:
            if r.has("namespace") { throw r.error("namespace", "belongs to a service peer") }
            let text = try r.string("cidr")!
            guard let block = CIDR(text) else {
                throw r.error("cidr", "'\(text)' is not a CIDR block with its host bits zero (e.g. 10.0.0.0/8, 2001:db8::/32)")
            }
            var except: [String] = []
            for (i, v) in try r.array("except").enumerated() {
                guard let s = v.stringValue, let e = CIDR(s) else {
                    throw PolicyError(file: r.file, path: r.path + ".except[\(i)]", message: "must be a CIDR block, got \(v)")
                }
                guard block.contains(e), e != block else {
                    throw PolicyError(file: r.file, path: r.path + ".except[\(i)]", message: "\(s) must lie strictly inside \(text) (Kubernetes rejects it otherwise)")
                }
                except.append(e.description)
            }
            return .cidr(block.description, except: except)
        }
    }

    static func rulePort(_ r: Reader) throws(PolicyError) -> RulePort {
        try r.allowOnly(["port", "endPort", "protocol"])
        let proto = try r.proto("protocol")
        guard let value = r.value("port") else {
            if r.has("endPort") { throw r.error("endPort", "needs a numeric port") }
            return RulePort(nil, proto: proto)
        }
        if let name = value.stringValue {
            guard isPortName(name) else { throw r.error("port", "'\(name)' is not a port name (1-15 lower-case letters, digits, '-', with a letter)") }
            if r.has("endPort") { throw r.error("endPort", "cannot follow a named port") }
            return RulePort(.named(name), proto: proto)
        }
        let port = try r.int("port", in: 1...65535, required: true)!
        let end = try r.int("endPort", in: 1...65535)
        if let end, end < port { throw r.error("endPort", "\(end) is below port \(port)") }
        return RulePort(.number(port, endPort: end), proto: proto)
    }

    /// A rule naming a port by name must find it among the service's own ports (ingress) — egress names refer to
    /// the peer's ports, which only apply time knows.
    static func checkNamedPorts(_ policy: ServicePolicy, file: String) throws(PolicyError) {
        let names = Set(policy.ports.compactMap(\.name))
        for (i, rule) in policy.ingress.enumerated() {
            for (j, p) in (rule.ports ?? []).enumerated() {
                if case .named(let n) = p.ref, !names.contains(n) {
                    throw PolicyError(file: file, path: "$.ingress[\(i)].ports[\(j)].port",
                                      message: "names port '\(n)', which the service does not declare in ports (declared: \(names.sorted().joined(separator: ", ")))")
                }
            }
        }
    }

    /// DNS-1123 label: what Kubernetes allows for names and what Docker accepts in network names.
    public static func isName(_ s: String) -> Bool {
        guard (1...63).contains(s.utf8.count), s.first != "-", s.last != "-" else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    /// IANA service name as Kubernetes checks container port names.
    public static func isPortName(_ s: String) -> Bool {
        isName(s) && s.utf8.count <= 15 && s.utf8.contains { $0 >= 0x61 && $0 <= 0x7A } && !s.contains("--")
    }

    /// A Kubernetes label key: optional DNS-subdomain prefix and '/', then a name of 1-63 characters.
    public static func isLabelKey(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, isLabelValue(String(name)), !name.isEmpty else { return false }
        if parts.count == 2 {
            let prefix = parts[0]
            guard (1...253).contains(prefix.utf8.count) else { return false }
            return prefix.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isName(String($0)) }
        }
        return true
    }

    /// A Kubernetes label value: empty, or up to 63 alphanumerics with '-', '_', '.' inside.
    public static func isLabelValue(_ s: String) -> Bool {
        if s.isEmpty { return true }
        guard s.utf8.count <= 63 else { return false }
        func alnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) }
        let u = Array(s.utf8)
        return alnum(u.first!) && alnum(u.last!) && u.allSatisfy { alnum($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }
}

/// Typed access to one JSON object with its path, for errors that say where.
struct Reader {
    let object: [String: JSONValue]
    let path: String
    let file: String

    init(_ value: JSONValue, path: String, file: String) throws(PolicyError) {
        guard let o = value.objectValue else {
            throw PolicyError(file: file, path: path, message: "must be an object, got \(value.typeName)")
        }
        object = o; self.path = path; self.file = file
    }

    func error(_ key: String, _ message: String) -> PolicyError {
        PolicyError(file: file, path: path + "." + key, message: message)
    }

    func has(_ key: String) -> Bool { object[key].map { !$0.isNull } ?? false }
    func value(_ key: String) -> JSONValue? { object[key].flatMap { $0.isNull ? nil : $0 } }

    func allowOnly(_ keys: [String]) throws(PolicyError) {
        for key in object.keys.sorted() where !keys.contains(key) {
            throw PolicyError(file: file, path: path + "." + key, message: "unknown key (allowed here: \(keys.joined(separator: ", ")))")
        }
    }

    func string(_ key: String, required: Bool = false) throws(PolicyError) -> String? {
        guard let v = value(key) else {
            if required { throw error(key, "is required") }
            return nil
        }
        guard let s = v.stringValue else { throw error(key, "must be a string, got \(v.typeName)") }
        return s
    }

    func name(_ key: String, required: Bool = false) throws(PolicyError) -> String? {
        guard let s = try string(key, required: required) else { return nil }
        guard PolicyDecoder.isName(s) else {
            throw error(key, "'\(s)' is not a valid name: 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit")
        }
        return s
    }

    func names(_ key: String) throws(PolicyError) -> [String] {
        var out: [String] = []
        for (i, v) in try array(key).enumerated() {
            guard let s = v.stringValue, PolicyDecoder.isName(s) else {
                throw PolicyError(file: file, path: path + ".\(key)[\(i)]", message: "must be a name (lower-case letters, digits, '-'), got \(v)")
            }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }

    func int(_ key: String, in range: ClosedRange<Int>, required: Bool = false) throws(PolicyError) -> Int? {
        guard let v = value(key) else {
            if required { throw error(key, "is required") }
            return nil
        }
        guard let i = v.intValue, range.contains(i) else {
            throw error(key, "must be an integer in \(range.lowerBound)...\(range.upperBound), got \(v)")
        }
        return i
    }

    func bool(_ key: String) throws(PolicyError) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else { throw error(key, "must be true or false, got \(v)") }
        return b
    }

    func array(_ key: String) throws(PolicyError) -> [JSONValue] {
        guard let v = value(key) else { return [] }
        guard let a = v.arrayValue else { throw error(key, "must be an array, got \(v.typeName)") }
        return a
    }

    func proto(_ key: String) throws(PolicyError) -> TransportProtocol {
        guard let s = try string(key) else { return .tcp }
        guard let p = TransportProtocol(parsing: s) else { throw error(key, "'\(s)' is not TCP, UDP or SCTP") }
        return p
    }

    func portName(_ key: String) throws(PolicyError) -> String? {
        guard let s = try string(key) else { return nil }
        guard PolicyDecoder.isPortName(s) else { throw error(key, "'\(s)' is not a port name (1-15 lower-case letters, digits, '-', with a letter)") }
        return s
    }

    func labels(_ key: String) throws(PolicyError) -> [String: String]? {
        guard let v = value(key) else { return nil }
        guard let o = v.objectValue else { throw error(key, "must be an object of label: value, got \(v.typeName)") }
        var out: [String: String] = [:]
        for (k, lv) in o {
            guard PolicyDecoder.isLabelKey(k) else { throw error(key, "'\(k)' is not a Kubernetes label key") }
            guard let s = lv.stringValue, PolicyDecoder.isLabelValue(s) else {
                throw PolicyError(file: file, path: path + ".\(key).\(k)", message: "must be a label value (up to 63 letters, digits, '-', '_', '.'), got \(lv)")
            }
            out[k] = s
        }
        return out
    }
}
