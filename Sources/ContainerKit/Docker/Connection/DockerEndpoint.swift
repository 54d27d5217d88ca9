import Foundation

/// TLS settings for a TCP engine, as the docker CLI derives them from its environment.
public struct DockerTLSSettings: Sendable, Equatable {
    /// Check the daemon's certificate against `caFile` and the host in DOCKER_HOST.
    public var verify: Bool
    public var caFile: String?
    /// The client certificate and key presented to a daemon run with `--tlsverify`; both or neither.
    public var certFile: String?
    public var keyFile: String?

    public init(verify: Bool, caFile: String?, certFile: String?, keyFile: String?) {
        self.verify = verify; self.caFile = caFile; self.certFile = certFile; self.keyFile = keyFile
    }
}

/// Where the engine is: a unix socket, or TCP with or without TLS. Read from the environment the way the docker CLI
/// reads it (`DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_TLS`, `DOCKER_CERT_PATH`, `DOCKER_CONFIG`), so a user's
/// working docker setup works here unchanged.
public enum DockerEndpoint: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int, tls: DockerTLSSettings?)

    /// The socket used when `DOCKER_HOST` is unset.
    public static let defaultSocketPath = "/var/run/docker.sock"

    /// `unix:///var/run/docker.sock`, `tcp://10.0.0.5:2376`.
    public var description: String {
        switch self {
        case .unix(let path): return "unix://" + path
        case .tcp(let host, let port, _): return "tcp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        }
    }

    /// The socket path of a unix endpoint; nil for TCP.
    public var socketPath: String? {
        if case .unix(let path) = self { return path }
        return nil
    }

    /// Whether the engine is reached over the network (its host files and processes are not this machine's).
    public var isRemote: Bool {
        if case .tcp(let host, _, _) = self { return !["127.0.0.1", "::1", "localhost"].contains(host.lowercased()) }
        return false
    }

    /// The endpoint the docker CLI would use with this environment.
    /// - Throws: `DockerError.unsupportedDockerHost` for ssh://, npipe://, fd:// and malformed values;
    ///   `DockerError.tlsSetup` when TLS is asked for but its files are missing.
    public static func fromEnvironment(_ environment: [String: String]) throws -> DockerEndpoint {
        let host = environment["DOCKER_HOST"] ?? ""
        let verify = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty  // any non-empty value, "0" too, as the CLI
        let tls = verify || !(environment["DOCKER_TLS"] ?? "").isEmpty
        let endpoint = try parse(host, tls: tls)
        guard case .tcp(let name, let port, _) = endpoint, tls else { return endpoint }
        return .tcp(host: name, port: port, tls: try tlsSettings(environment, verify: verify))
    }

    /// Parses a `DOCKER_HOST` value (empty → the default socket). `tls` only picks the default TCP port (2376, else 2375).
    public static func parse(_ value: String, tls: Bool = false) throws -> DockerEndpoint {
        let value = value.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return .unix(path: defaultSocketPath) }
        let scheme: String, rest: Substring
        if let range = value.range(of: "://") {
            scheme = value[..<range.lowerBound].lowercased()
            rest = value[range.upperBound...]
        } else if value.hasPrefix("/") {
            throw DockerError.unsupportedDockerHost(value)  // a bare path: the advice says unix://
        } else {
            scheme = "tcp"  // the CLI reads "host:port" as tcp://host:port
            rest = Substring(value)
        }
        switch scheme {
        case "unix":
            // "unix://" alone is the default socket, as for the docker CLI.
            if rest.isEmpty { return .unix(path: defaultSocketPath) }
            guard rest.hasPrefix("/") else { throw DockerError.unsupportedDockerHost(value) }
            return .unix(path: String(rest))
        case "tcp":
            let authority = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let (name, port) = try hostAndPort(authority, original: value)
            return .tcp(host: name.isEmpty ? "localhost" : name, port: port ?? (tls ? 2376 : 2375), tls: nil)
        default:
            throw DockerError.unsupportedDockerHost(value)
        }
    }

    /// "10.0.0.5:2376", "[::1]:2376", "example.com" → name and optional port.
    static func hostAndPort(_ authority: String, original: String) throws -> (String, Int?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw DockerError.unsupportedDockerHost(original) }
            let name = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.isEmpty { return (name, nil) }
            guard after.hasPrefix(":"), let port = Int(after.dropFirst()), (1...65535).contains(port) else {
                throw DockerError.unsupportedDockerHost(original)
            }
            return (name, port)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (authority, nil)
        case 2:
            guard let port = Int(parts[1]), (1...65535).contains(port) else { throw DockerError.unsupportedDockerHost(original) }
            return (String(parts[0]), port)
        default: throw DockerError.unsupportedDockerHost(original)  // a bare IPv6 address needs brackets
        }
    }

    /// ca.pem, cert.pem and key.pem in DOCKER_CERT_PATH (default: DOCKER_CONFIG, else ~/.docker), as the CLI: the CA
    /// is required to verify; the client pair is used when both files exist.
    static func tlsSettings(_ environment: [String: String], verify: Bool) throws -> DockerTLSSettings {
        let directory: String
        if let path = environment["DOCKER_CERT_PATH"], !path.isEmpty {
            directory = path
        } else if let config = environment["DOCKER_CONFIG"], !config.isEmpty {
            directory = config
        } else {
            directory = (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.docker"
        }
        let fm = FileManager.default
        let ca = directory + "/ca.pem", cert = directory + "/cert.pem", key = directory + "/key.pem"
        let source = environment["DOCKER_CERT_PATH"].map { $0.isEmpty ? "" : " (DOCKER_CERT_PATH)" } ?? " (DOCKER_CERT_PATH is unset)"
        if verify && !fm.fileExists(atPath: ca) {
            throw DockerError.tlsSetup("DOCKER_TLS_VERIFY is set but \(ca) does not exist\(source): put the CA certificate, your cert.pem and key.pem in one folder and set DOCKER_CERT_PATH to it")
        }
        let hasCert = fm.fileExists(atPath: cert), hasKey = fm.fileExists(atPath: key)
        if hasCert != hasKey {
            throw DockerError.tlsSetup("\(hasCert ? key : cert) is missing beside \(hasCert ? cert : key)\(source): a client certificate needs its key (and the key its certificate)")
        }
        return DockerTLSSettings(verify: verify, caFile: fm.fileExists(atPath: ca) ? ca : nil,
                                 certFile: hasCert ? cert : nil, keyFile: hasKey ? key : nil)
    }
}
