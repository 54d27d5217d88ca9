#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where a server listens: a numeric IPv4 or IPv6 address (or `localhost`) and a port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Reads `127.0.0.1:9323`, `[::1]:9323`, `localhost:9323`, or a bare port `9323` (loopback).
    /// - Throws: `HTTPServerError.badAddress` naming the input and the expected shape.
    public static func parse(_ text: String, defaultPort: UInt16? = nil) throws -> ListenAddress {
        let shape = "expected HOST:PORT such as 127.0.0.1:9323 or [::1]:9323"
        let t = text.trimmingCharacters(in: .whitespaces)
        if let port = UInt16(t) { return ListenAddress(host: "127.0.0.1", port: port) }
        var host: String, portText: String
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]") else { throw HTTPServerError.badAddress(text, shape) }
            host = String(t[t.index(after: t.startIndex)..<close])
            let rest = t[t.index(after: close)...]
            portText = rest.hasPrefix(":") ? String(rest.dropFirst()) : ""
        } else if let colon = t.lastIndex(of: ":"), t.firstIndex(of: ":") == colon {
            host = String(t[..<colon])
            portText = String(t[t.index(after: colon)...])
        } else {
            host = t
            portText = ""
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard !host.isEmpty, Self.family(host) != nil else { throw HTTPServerError.badAddress(text, shape + " (a numeric address)") }
        let port: UInt16
        if portText.isEmpty, let d = defaultPort { port = d } else {
            guard let p = UInt16(portText) else { throw HTTPServerError.badAddress(text, shape + " (port 0-65535)") }
            port = p
        }
        return ListenAddress(host: host, port: port)
    }

    /// AF_INET or AF_INET6 for a numeric address, nil otherwise.
    static func family(_ host: String) -> Int32? {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return AF_INET }
        if inet_pton(AF_INET6, host, &v6) == 1 { return AF_INET6 }
        return nil
    }

    /// 127.0.0.0/8 or ::1.
    public var isLoopback: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return (UInt32(bigEndian: v4.s_addr) >> 24) == 127 }
        if inet_pton(AF_INET6, host, &v6) == 1 { return host == "::1" || withUnsafeBytes(of: &v6) { Array($0) } == Array(repeating: 0, count: 15) + [1] }
        return false
    }

    /// `127.0.0.1:9323` or `[::1]:9323`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a server could not start or a value was refused.
public enum HTTPServerError: Error, Sendable, CustomStringConvertible, Equatable {
    case badAddress(String, String)
    case notLoopback(String)
    case cannotListen(String, String)

    public var description: String {
        switch self {
        case .badAddress(let input, let expected): return "listen address '\(input)': \(expected)"
        case .notLoopback(let address):
            return "\(address) is not a loopback address: the server only listens on 127.0.0.1 or ::1 unless told to "
                + "accept remote connections (--allow-remote); put it behind a TLS proxy if you do"
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason). Choose another port, or stop what is using it"
        }
    }
}
