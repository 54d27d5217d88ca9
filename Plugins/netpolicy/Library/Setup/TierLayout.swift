/// How an application's networks are named: one Docker network per tier, `<prefix>_<tier>`, as the original
/// guide's `--setup --prefix myapp` made them.
public struct TierLayout: Sendable, Equatable {
    public static let defaultTiers = ["frontend", "backend", "data"]

    /// Labels contsec puts on what it manages (and looks for before touching anything).
    public static let managedLabel = "contsec.netpolicy.managed"
    public static let projectLabel = "contsec.netpolicy.project"
    public static let tierLabel = "contsec.netpolicy.tier"
    /// On containers: which service they run (else the compose service label or the container's name).
    public static let serviceLabel = "contsec.netpolicy.service"

    public var prefix: String
    public var tiers: [String]

    public init(prefix: String, tiers: [String] = defaultTiers) {
        self.prefix = prefix; self.tiers = tiers
    }

    public func networkName(_ tier: String) -> String { "\(prefix)_\(tier)" }

    /// The tier a network name belongs to, if it is one of this layout's.
    public func tier(ofNetwork name: String) -> String? {
        guard name.hasPrefix(prefix + "_") else { return nil }
        let t = String(name.dropFirst(prefix.count + 1))
        return tiers.contains(t) ? t : nil
    }

    /// A prefix must make valid Docker network names and compose project names.
    public static func isPrefix(_ s: String) -> Bool {
        guard (1...64).contains(s.utf8.count), let first = s.utf8.first else { return false }
        let alnum: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
        return alnum(first) && s.utf8.allSatisfy { alnum($0) || $0 == 0x2D || $0 == 0x5F }
    }
}
