/// The address space outside the cluster, cut into the pieces NetworkPolicy ipBlocks can tell apart: every cidr and
/// except boundary starts a new piece, so each piece is either wholly inside an ipBlock or wholly outside it.
/// (As np-guard's netpol-analyzer does, ipBlocks are taken to name addresses outside the cluster, never pods.)
public struct ExternalRanges: Sendable {
    public struct Piece: Sendable, Hashable {
        public var family: CIDR.Family
        public var first: UInt128
        public var last: UInt128

        public var description: String {
            let a = CIDR.format(first, family), b = CIDR.format(last, family)
            return first == last ? a : "\(a)-\(b)"
        }
    }

    public private(set) var pieces: [Piece]

    /// - Parameter blocks: every CIDR that appears in an ipBlock (cidr and except). IPv4 is always present (a
    ///   rule without peers admits the whole internet); IPv6 only when some block is IPv6.
    public init(blocks: [CIDR]) {
        var out: [Piece] = []
        for family in [CIDR.Family.v4, .v6] {
            let mine = blocks.filter { $0.family == family }
            if family == .v6 && mine.isEmpty { continue }
            let top: UInt128 = family == .v4 ? UInt128(UInt32.max) : .max
            var cuts = Set<UInt128>([0])
            for b in mine {
                cuts.insert(b.first)
                if b.last < top { cuts.insert(b.last + 1) }
            }
            let sorted = cuts.sorted()
            for (i, start) in sorted.enumerated() {
                let end = i + 1 < sorted.count ? sorted[i + 1] - 1 : top
                out.append(Piece(family: family, first: start, last: end))
            }
        }
        pieces = out
    }

    /// Indices of the pieces an ipBlock covers (inside cidr, outside every except).
    public func covered(by cidr: CIDR, except: [CIDR]) -> [Int] {
        pieces.indices.filter { i in
            let p = pieces[i]
            guard p.family == cidr.family, cidr.first <= p.first, p.last <= cidr.last else { return false }
            return !except.contains { $0.first <= p.first && p.last <= $0.last }
        }
    }
}
