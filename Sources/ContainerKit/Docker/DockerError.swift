import Foundation

/// The kind of Docker object a "not found" error is about.
public enum DockerResourceKind: String, Sendable, Equatable {
    case container, image, network, volume, exec
}

/// Everything that can go wrong talking to the Docker daemon, each with a message a user can act on.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// `DOCKER_HOST` uses a scheme contsec does not speak (ssh://, npipe://, fd://) or cannot be read.
    case unsupportedDockerHost(String)
    /// The engine's path exists but is not a socket (`DOCKER_HOST=unix:///etc/passwd`); `kind` says what it is.
    case notASocket(path: String, kind: String)
    /// TLS cannot be set up: a certificate or key file is missing or unreadable, or OpenSSL is not installed.
    case tlsSetup(String)
    /// The TLS handshake with the engine failed; `reason` says why and what to change.
    case tlsHandshake(endpoint: String, reason: String)
    /// The socket file does not exist: the daemon is not running or lives elsewhere.
    case socketMissing(path: String)
    /// The socket exists but this user may not open it.
    case permissionDenied(path: String)
    /// The socket file exists but nothing accepts connections on it (a stopped daemon leaves this behind).
    case daemonNotListening(path: String)
    /// Any other failure to connect, read or write, with the system's reason.
    case connectionFailed(path: String, reason: String)
    /// The daemon answered 404 for a named object.
    case notFound(kind: DockerResourceKind, name: String)
    /// The daemon refused the request; `message` is the daemon's own words.
    case daemon(status: Int, message: String)
    /// The daemon's answer was not valid HTTP or not the JSON we expected.
    case badResponse(String)
    /// The caller asked for something that cannot be sent (e.g. a header value with a line break).
    case invalidRequest(String)
    /// No answer arrived within the allowed time.
    case timedOut(path: String, seconds: Double)

    public var description: String {
        switch self {
        case .unsupportedDockerHost(let value):
            return Self.unsupportedHostAdvice(value)
        case .notASocket(let path, let kind):
            return "cannot reach the Docker daemon at \(path): it is \(kind), not a socket. Set DOCKER_HOST to the daemon's socket (unix:///var/run/docker.sock, or what dockerd's -H says) or unset it"
        case .tlsSetup(let detail):
            return "cannot set up TLS to the Docker daemon: \(detail)"
        case .tlsHandshake(let endpoint, let reason):
            return "TLS handshake with the Docker daemon at \(endpoint) failed: \(reason)"
        case .socketMissing(let path):
            return "cannot reach the Docker daemon at \(path): no such socket. Is dockerd running? Start it or set DOCKER_HOST"
        case .permissionDenied(let path):
            return "cannot reach the Docker daemon at \(path): permission denied. Add your user to the docker group or run as root"
        case .daemonNotListening(let path):
            return "cannot reach the Docker daemon at \(path): connection refused (the socket exists but nothing listens). Is dockerd running? Start it or set DOCKER_HOST"
        case .connectionFailed(let path, let reason):
            return "cannot talk to the Docker daemon at \(path): \(reason)"
        case .notFound(let kind, let name):
            return "no such \(kind.rawValue): \(name)"
        case .daemon(let status, let message):
            return "the Docker daemon refused the request (HTTP \(status)): \(message)"
        case .badResponse(let detail):
            return "unexpected answer from the Docker daemon: \(detail)"
        case .invalidRequest(let detail):
            return "invalid Docker request: \(detail)"
        case .timedOut(let path, let seconds):
            return "the Docker daemon at \(path) did not answer within \(seconds) s"
        }
    }

    public var errorDescription: String? { description }

    /// What to do about a DOCKER_HOST value contsec cannot use, by scheme.
    static func unsupportedHostAdvice(_ value: String) -> String {
        let scheme = value.range(of: "://").map { value[..<$0.lowerBound].lowercased() } ?? ""
        switch scheme {
        case "ssh":
            return "DOCKER_HOST=\(value): ssh:// is not supported (contsec does not run ssh for you). Forward the remote socket and point DOCKER_HOST at it: `ssh -nNT -L /tmp/remote-docker.sock:/var/run/docker.sock USER@HOST &` then DOCKER_HOST=unix:///tmp/remote-docker.sock; or expose the daemon on TCP with --tlsverify and use tcp:// with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"
        case "npipe":
            return "DOCKER_HOST=\(value): npipe:// is a Windows named pipe; on Linux use unix:///var/run/docker.sock or tcp://HOST:2376 with DOCKER_TLS_VERIFY=1"
        case "fd":
            return "DOCKER_HOST=\(value): fd:// is dockerd's systemd socket activation, not a client address; use unix:///var/run/docker.sock"
        case "unix":
            return "DOCKER_HOST=\(value): a unix:// address needs an absolute path, e.g. unix:///var/run/docker.sock (unix:// alone means that default)"
        case "tcp", "":
            if value.hasPrefix("/") { return "DOCKER_HOST=\(value) is a path without a scheme: write unix://\(value)" }
            return "DOCKER_HOST=\(value) is not a valid tcp:// address: write tcp://HOST:PORT, with [brackets] around an IPv6 address"
        default:
            return "DOCKER_HOST=\(value): the scheme \(scheme):// is not supported; use unix:///path/to/docker.sock or tcp://HOST:PORT (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH for TLS)"
        }
    }
}
