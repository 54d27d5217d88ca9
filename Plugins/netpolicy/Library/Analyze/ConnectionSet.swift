/// The connections allowed between two endpoints: per protocol a set of port ranges, or everything.
/// Kept as sorted, disjoint, non-adjacent ranges so equal sets compare equal.
public struct ConnectionSet: Sendable, Hashable, CustomStringConvertible {
    /// Per protocol; a protocol absent from the map allows nothing.
    public private(set) var ports: [TransportProtocol: [ClosedRange<Int>]]

    public static let none = ConnectionSet(ports: [:])
    public static let all = ConnectionSet(ports: Dictionary(uniqueKeysWithValues: TransportProtocol.allCases.map { ($0, [1...65535]) }))
    public static let portRange = 1...65535

    public init(ports: [TransportProtocol: [ClosedRange<Int>]]) {
        var normal: [TransportProtocol: [ClosedRange<Int>]] = [:]
        for (p, ranges) in ports {
            let n = Self.normalise(ranges)
            if !n.isEmpty { normal[p] = n }
        }
        self.ports = normal
    }

    /// One protocol, every port of it.
    public static func allPorts(_ proto: TransportProtocol) -> ConnectionSet { ConnectionSet(ports: [proto: [portRange]]) }
    public static func port(_ proto: TransportProtocol, _ range: ClosedRange<Int>) -> ConnectionSet { ConnectionSet(ports: [proto: [range]]) }

    public var isEmpty: Bool { ports.isEmpty }
    public var isAll: Bool { self == .all }

    public func union(_ other: ConnectionSet) -> ConnectionSet {
        if other.isEmpty || isAll { return self }
        if isEmpty || other.isAll { return other }
        var merged = ports
        for (p, r) in other.ports { merged[p, default: []] += r }
        return ConnectionSet(ports: merged)
    }

    public func intersection(_ other: ConnectionSet) -> ConnectionSet {
        if isAll { return other }
        if other.isAll { return self }
        if isEmpty || other.isEmpty { return .none }
        var out: [TransportProtocol: [ClosedRange<Int>]] = [:]
        for (p, a) in ports {
            guard let b = other.ports[p] else { continue }
            var i = 0, j = 0
            var r: [ClosedRange<Int>] = []
            while i < a.count && j < b.count {
                let lo = max(a[i].lowerBound, b[j].lowerBound), hi = min(a[i].upperBound, b[j].upperBound)
                if lo <= hi { r.append(lo...hi) }
                if a[i].upperBound < b[j].upperBound { i += 1 } else { j += 1 }
            }
            if !r.isEmpty { out[p] = r }
        }
        return ConnectionSet(ports: out)
    }

    public func contains(_ proto: TransportProtocol, _ port: Int) -> Bool {
        ports[proto]?.contains { $0.contains(port) } ?? false
    }

    /// np-guard's wording: "All Connections", "No Connections", or "TCP 80,8000-8080;UDP 53".
    public var description: String {
        if isAll { return "All Connections" }
        if isEmpty { return "No Connections" }
        return TransportProtocol.allCases.compactMap { p in
            guard let r = ports[p] else { return nil }
            if r == [Self.portRange] { return p.rawValue }
            return p.rawValue + " " + r.map { $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                .joined(separator: ",")
        }.joined(separator: ";")
    }

    static func normalise(_ ranges: [ClosedRange<Int>]) -> [ClosedRange<Int>] {
        if ranges.count <= 1 { return ranges }
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<Int>] = [sorted[0]]
        for r in sorted.dropFirst() {
            let last = out[out.count - 1]
            if r.lowerBound <= last.upperBound + 1 {
                out[out.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}
