import Foundation

/// The kind of Docker object a "not found" error is about.
public enum DockerResourceKind: String, Sendable, Equatable {
    case container, image, network, volume, exec
}

/// Everything that can go wrong talking to the Docker daemon, each with a message a user can act on.
public enum DockerError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// `DOCKER_HOST` names something other than a unix socket.
    case unsupportedDockerHost(String)
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
            return "DOCKER_HOST=\(value) is not supported: contsec talks to Docker over a unix socket; set DOCKER_HOST=unix:///path/to/docker.sock or unset it"
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
}
