#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 block (`10.0.0.0/8`, `2001:db8::/32`), held as an address range so blocks can be compared,
/// split and intersected (static reachability works on ranges).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }
    public let family: Family
    /// First and last address of the block, as integers (IPv4 in the low 32 bits).
    public let first: UInt128
    public let last: UInt128
    public let prefix: Int
    /// As written, normalised (host bits cleared).
    public let description: String

    /// Parses `a.b.c.d/n`, `x::/n`, or a bare address (a /32 or /128). Host bits must be zero unless `lenient`.
    public init?(_ text: String, lenient: Bool = false) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let (family, value) = Self.parseAddress(String(parts[0])) else { return nil }
        let bits = family == .v4 ? 32 : 128
        var prefix = bits
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...bits).contains(p), !parts[1].hasPrefix("+") else { return nil }
            prefix = p
        }
        let hostBits = bits - prefix
        let hostMask: UInt128 = hostBits == 128 ? .max : (hostBits == 0 ? 0 : (UInt128(1) << hostBits) - 1)
        if value & hostMask != 0 && !lenient { return nil }
        self.family = family
        self.prefix = prefix
        first = value & ~hostMask
        last = first | hostMask
        description = Self.format(first, family) + "/\(prefix)"
    }

    public func contains(_ other: CIDR) -> Bool {
        family == other.family && first <= other.first && other.last <= last
    }

    public func overlaps(_ other: CIDR) -> Bool {
        family == other.family && first <= other.last && other.first <= last
    }

    /// The whole address space of a family.
    public static let allV4 = CIDR("0.0.0.0/0")!
    public static let allV6 = CIDR("::/0")!

    static func parseAddress(_ text: String) -> (Family, UInt128)? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return (.v4, UInt128(UInt32(bigEndian: v4.s_addr)))
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            return (.v6, bytes.reduce(UInt128(0)) { ($0 << 8) | UInt128($1) })
        }
        return nil
    }

    /// An address in its usual text form.
    public static func format(_ value: UInt128, _ family: Family) -> String {
        if family == .v4 {
            let v = UInt32(truncatingIfNeeded: value)
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        }
        var addr = in6_addr()
        withUnsafeMutableBytes(of: &addr) { raw in
            for i in 0..<16 { raw[i] = UInt8(truncatingIfNeeded: value >> (8 * (15 - i))) }
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
