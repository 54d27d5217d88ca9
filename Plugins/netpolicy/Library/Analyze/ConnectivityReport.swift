import ContsecProtocol

/// The allowed connections of an analysis, ready to print: np-guard style lines (`src => dst : conn`), JSON,
/// CSV or Markdown. External address pieces that behave the same toward every workload are shown as one node
/// (`0.0.0.0-9.255.255.255,11.0.0.0-255.255.255.255`).
public struct ConnectivityReport: Sendable {
    public struct Connection: Sendable, Hashable {
        public var src: String
        public var dst: String
        public var conn: ConnectionSet
        public var line: String { "\(src) => \(dst) : \(conn)" }
    }

    public let workloads: [String]
    public let externalGroups: [String]
    /// Sorted by source, then destination.
    public let connections: [Connection]

    public init(engine: ReachabilityEngine) {
        let w = engine.model.workloads.count
        let pieces = engine.external.pieces.count
        // Group external pieces by how every workload sees them.
        var groupOf: [Int] = []
        var signatures: [[ConnectionSet]] = []
        var names: [[String]] = []
        for p in 0..<pieces {
            let node = w + p
            var signature: [ConnectionSet] = []
            signature.reserveCapacity(2 * w)
            for i in 0..<w {
                signature.append(engine.connections(from: node, to: i))
                signature.append(engine.connections(from: i, to: node))
            }
            if let g = signatures.firstIndex(of: signature) {
                groupOf.append(g)
                names[g].append(engine.external.pieces[p].description)
            } else {
                groupOf.append(signatures.count)
                signatures.append(signature)
                names.append([engine.external.pieces[p].description])
            }
        }
        let groupNames = names.map { $0.joined(separator: ",") }
        // One representative piece per group.
        var representative: [Int] = Array(repeating: -1, count: groupNames.count)
        for (p, g) in groupOf.enumerated() where representative[g] < 0 { representative[g] = w + p }
        let nodes = Array(0..<w) + representative
        func name(_ node: Int) -> String { node < w ? engine.model.workloads[node].id : groupNames[groupOf[node - w]] }

        var out: [Connection] = []
        for s in nodes {
            for d in nodes {
                let c = engine.connections(from: s, to: d)
                if !c.isEmpty { out.append(Connection(src: name(s), dst: name(d), conn: c)) }
            }
        }
        connections = out.sorted { ($0.src, $0.dst) < ($1.src, $1.dst) }
        workloads = engine.model.workloads.map(\.id)
        externalGroups = groupNames
    }

    public var lines: [String] { connections.map(\.line) }

    public var json: JSONValue {
        .object([
            "workloads": .array(workloads.map(JSONValue.string)),
            "external": .array(externalGroups.map(JSONValue.string)),
            "connections": .array(connections.map { c in
                .object(["src": .string(c.src), "dst": .string(c.dst), "conn": .string(c.conn.description),
                         "ports": .object(c.conn.ports.reduce(into: [String: JSONValue]()) { o, kv in
                             o[kv.key.rawValue] = .array(kv.value.map { .string($0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)") })
                         })])
            }),
        ])
    }

    /// The whole file for `--matrix-format`: `txt` (np-guard lines), `json`, `csv` or `md`.
    public func text(format: String) -> String {
        switch format {
        case "json": return JSONWriter.pretty(json, keyOrder: ["workloads", "external", "connections", "src", "dst", "conn"])
        case "csv": return "src,dst,conn\n" + connections.map { "\(csv($0.src)),\(csv($0.dst)),\(csv($0.conn.description))" }.joined(separator: "\n") + "\n"
        case "md": return "| src | dst | conn |\n|---|---|---|\n" + connections.map { "| \($0.src) | \($0.dst) | \($0.conn) |" }.joined(separator: "\n") + "\n"
        default: return lines.joined(separator: "\n") + "\n"
        }
    }

    private func csv(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
