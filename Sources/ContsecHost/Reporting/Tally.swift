import ContsecProtocol

/// Counts by severity, shared by the reporters and the gates.
public struct SeverityTally: Sendable {
    public private(set) var counts: [Severity: Int] = [:]
    public private(set) var total = 0

    public init() {}

    public mutating func add(_ s: Severity) {
        counts[s, default: 0] += 1
        total += 1
    }

    public subscript(_ s: Severity) -> Int { counts[s] ?? 0 }

    /// Highest first, as reports list them.
    public static let order: [Severity] = Severity.allCases.reversed()

    public var json: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: Self.order.map { ($0.rawValue, JSONValue.int(self[$0])) }))
    }

    /// "critical 1, high 3, medium 5"; severities with no findings are left out.
    public var text: String {
        Self.order.filter { self[$0] > 0 }.map { "\($0.rawValue) \(self[$0])" }.joined(separator: ", ")
    }
}
