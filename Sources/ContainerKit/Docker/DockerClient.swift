import Foundation

/// A Docker Engine API client speaking HTTP/1.1 over the daemon's unix socket, or over TCP with or without TLS
/// (`DOCKER_HOST=tcp://…` with `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`, read as the docker CLI reads them).
///
/// One client per process is enough: it keeps a few idle keep-alive connections for reuse and negotiates the
/// API version once, from `/version`, as `min(server's ApiVersion, maxSupportedAPIVersion)`.
/// Calls are `async`; the blocking socket work runs on Dispatch's global queue, and streams each own a thread,
/// so the Swift concurrency pool is never blocked.
public final class DockerClient: @unchecked Sendable {
    /// Where the engine is.
    public let endpoint: DockerEndpoint
    /// The unix socket this client talks to, or the engine's `tcp://` address (what error messages name).
    public var socketPath: String { endpoint.socketPath ?? endpoint.description }
    /// Per-read timeout for ordinary requests, in seconds (streams and `wait` have none).
    public let requestTimeout: Double
    /// Highest API version whose models this client knows; newer daemons are spoken to at this version.
    public static let maxSupportedAPIVersion = "1.43"
    /// The socket used when `DOCKER_HOST` is unset.
    public static let defaultSocketPath = DockerEndpoint.defaultSocketPath

    private let lock = NSLock()
    private var idle: [EngineConnection] = []
    private var negotiatedVersion: String?
    private static let maxIdleConnections = 4
    /// The OpenSSL context of a TLS endpoint, made once: certificate files are read when the client is created.
    private let tls: TLSContext?

    /// - Parameters:
    ///   - socketPath: explicit socket; when nil, the engine `environment` names (`DOCKER_HOST` and the TLS
    ///     variables, see ``DockerEndpoint/fromEnvironment(_:)``), else `/var/run/docker.sock`.
    ///   - environment: where `DOCKER_HOST` is read from (the process environment by default).
    ///   - requestTimeout: seconds to wait on each read of an ordinary request.
    /// - Throws: `DockerError.unsupportedDockerHost` for ssh://, npipe:// or a malformed `DOCKER_HOST`;
    ///   `DockerError.tlsSetup` when TLS files are missing or unreadable.
    public convenience init(socketPath: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            requestTimeout: Double = 120) throws {
        let endpoint: DockerEndpoint = try socketPath.map { .unix(path: $0) } ?? DockerEndpoint.fromEnvironment(environment)
        try self.init(endpoint: endpoint, requestTimeout: requestTimeout)
    }

    /// A client of the engine at `endpoint`. A TLS endpoint's certificate and key are loaded here.
    public init(endpoint: DockerEndpoint, requestTimeout: Double = 120) throws {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        if case .tcp(_, _, let settings?) = endpoint {
            tls = try TLSContext(settings)
        } else {
            tls = nil
        }
    }

    /// The socket path a `DOCKER_HOST` value names (nil or empty → the default socket).
    /// - Throws: `DockerError.unsupportedDockerHost` for anything but a unix socket.
    public static func socketPath(dockerHost: String?) throws -> String {
        guard let path = try DockerEndpoint.parse(dockerHost ?? "").socketPath else {
            throw DockerError.unsupportedDockerHost(dockerHost ?? "")
        }
        return path
    }

    /// A new connection to the engine: TCP connects and TLS handshakes are bounded by the request timeout (30 s at most).
    func connect() throws -> EngineConnection {
        switch endpoint {
        case .unix(let path):
            return try UnixSocket(connectingTo: path)
        case .tcp(let host, let port, _):
            let timeout = min(max(requestTimeout, 1), 30)
            let fd = try TCPConnector.connect(host: host, port: port, timeout: timeout, name: endpoint.description)
            guard let tls else { return EngineConnection(fd: fd, path: endpoint.description) }
            return try TLSConnection(fd: fd, path: endpoint.description, context: tls, serverName: host, handshakeTimeout: timeout)
        }
    }

    deinit {
        for socket in idle { socket.close() }
    }

    // MARK: - Public raw access

    /// A complete response: status, lower-cased headers and body.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
    }

    /// Sends a request to an endpoint this client has no typed method for.
    /// - Parameters:
    ///   - path: endpoint path without the `/v1.xx` prefix, e.g. `/containers/json`.
    ///   - versioned: prefix the negotiated API version (false only for `/version` and `/_ping`).
    ///   - notFound: what a 404 means, so it becomes `DockerError.notFound` with a readable name.
    /// - Throws: `DockerError` for transport failures and for any status of 400 or above.
    public func send(_ method: String, _ path: String, query: [(String, String?)] = [], headers: [(String, String)] = [],
                     body: DockerRequestBody? = nil, versioned: Bool = true, notFound: (DockerResourceKind, String)? = nil,
                     timeout: Double? = nil) async throws -> Response {
        let query = QueryItems(query)
        return try await onDispatch { [self] in
            try self.performBlocking(method, path, query: query, headers: headers, body: body, versioned: versioned,
                                     notFound: notFound, timeout: timeout ?? self.requestTimeout)
        }
    }

    /// The API version used as the `/v1.xx` prefix, negotiated on first use.
    public func apiVersion() async throws -> String {
        try await onDispatch { [self] in try self.negotiatedVersionBlocking() }
    }

    // MARK: - Internals shared by the endpoint files

    /// Runs blocking work off the Swift concurrency pool.
    func onDispatch<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try work() })
            }
        }
    }

    func negotiatedVersionBlocking() throws -> String {
        lock.lock()
        if let version = negotiatedVersion { lock.unlock(); return version }
        lock.unlock()
        let response = try performBlocking("GET", "/version", query: QueryItems([]), body: nil, versioned: false,
                                           notFound: nil, timeout: requestTimeout)
        let info = try Self.decode(VersionInfo.self, from: response.body)
        let chosen = APIVersion.min(info.apiVersion, Self.maxSupportedAPIVersion)
        lock.lock()
        negotiatedVersion = chosen
        lock.unlock()
        return chosen
    }

    func target(_ path: String, query: QueryItems, versioned: Bool) throws -> String {
        let prefix = versioned ? "/v" + (try negotiatedVersionBlocking()) : ""
        return prefix + path + query.encoded
    }

    /// Idle keep-alive connections waiting for reuse (for tests and diagnostics).
    var idleConnectionCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return idle.count
    }

    private func takeIdle() -> EngineConnection? {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast()
    }

    private func giveBack(_ socket: EngineConnection) {
        lock.lock()
        if idle.count < Self.maxIdleConnections {
            idle.append(socket)
            lock.unlock()
        } else {
            lock.unlock()
            socket.close()
        }
    }

    /// Sends one request and reads the whole answer, reusing an idle connection when there is one.
    func performBlocking(_ method: String, _ path: String, query: QueryItems, headers: [(String, String)] = [],
                         body: DockerRequestBody?, versioned: Bool,
                         notFound: (DockerResourceKind, String)?, timeout: Double) throws -> Response {
        let target = try target(path, query: query, versioned: versioned)
        // A file body cannot be replayed, so it never rides on a connection that might turn out stale.
        var canReuse = true
        if case .file = body { canReuse = false }
        for _ in 0..<2 {
            let pooled = canReuse ? takeIdle() : nil
            let socket = try pooled ?? connect()
            socket.setReadTimeout(timeout)
            let reader: HTTPResponseReader?
            do {
                try HTTPRequestWriter.write(method: method, target: target, headers: headers, body: body, to: socket)
                reader = try HTTPResponseReader.start(on: socket, method: method)
            } catch let error as DockerError {
                socket.close()
                // A reset on an idle connection means the daemon dropped it: the request never ran, so retry once
                // on a fresh connection. A timeout is not retried: the daemon may be acting on the request.
                if pooled != nil, case .connectionFailed = error { canReuse = false; continue }
                throw mapTimeout(error, timeout)
            }
            guard let reader else {
                socket.close()
                // End of stream before a single byte: same stale-connection case.
                if pooled != nil { canReuse = false; continue }
                throw DockerError.badResponse("the daemon closed the connection without answering")
            }
            let data: Data
            do { data = try reader.readAll() } catch let error as DockerError {
                socket.close()
                throw mapTimeout(error, timeout)
            }
            if reader.reusable { giveBack(socket) } else { socket.close() }
            try Self.check(status: reader.head.status, body: data, notFound: notFound)
            return Response(status: reader.head.status, headers: reader.head.headers, body: data)
        }
        throw DockerError.badResponse("the daemon closed the connection twice without answering")
    }

    private func mapTimeout(_ error: DockerError, _ timeout: Double) -> DockerError {
        if case .timedOut(let path, _) = error { return .timedOut(path: path, seconds: timeout) }
        return error
    }

    /// Opens a dedicated connection for a streaming response and returns it after checking the status.
    func openStream(_ method: String, _ path: String, query: QueryItems, headers: [(String, String)] = [],
                    body: DockerRequestBody?, notFound: (DockerResourceKind, String)?) throws -> (EngineConnection, HTTPResponseReader) {
        let target = try target(path, query: query, versioned: true)
        let socket = try connect()
        socket.setReadTimeout(0)
        do {
            try HTTPRequestWriter.write(method: method, target: target, headers: headers, body: body, to: socket)
            guard let reader = try HTTPResponseReader.start(on: socket, method: method) else {
                throw DockerError.badResponse("the daemon closed the connection without answering")
            }
            if reader.head.status >= 400 {
                let data = try reader.readAll()
                try Self.check(status: reader.head.status, body: data, notFound: notFound)
            }
            return (socket, reader)
        } catch {
            socket.close()
            throw error
        }
    }

    /// Turns an error status into a `DockerError` carrying the daemon's own message.
    static func check(status: Int, body: Data, notFound: (DockerResourceKind, String)?) throws {
        guard status >= 400 else { return }
        let message = daemonMessage(body)
        if status == 404, let kind = notFoundKind(message) {
            // Prefer the name the caller asked about; else the one the daemon names ("No such image: nginx:1.27").
            if let (hintKind, name) = notFound, hintKind == kind { throw DockerError.notFound(kind: kind, name: name) }
            throw DockerError.notFound(kind: kind, name: nameAfterColon(message) ?? message)
        }
        if status == 400 && message.contains("HTTP request to an HTTPS server") {
            throw DockerError.daemon(status: status, message: message + " The daemon wants TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem")
        }
        throw DockerError.daemon(status: status, message: message)
    }

    /// Which kind of object a 404 message says is missing; nil for other 404s (a missing file in a container...),
    /// which keep the daemon's own words.
    static func notFoundKind(_ message: String) -> DockerResourceKind? {
        let lower = message.lowercased()
        for kind in [DockerResourceKind.container, .image, .network, .volume, .exec] where lower.contains("no such \(kind.rawValue)") {
            return kind
        }
        if lower.hasPrefix("network ") && lower.contains("not found") { return .network }
        return nil
    }

    /// "No such container: abc" → "abc".
    static func nameAfterColon(_ message: String) -> String? {
        guard let range = message.range(of: ": ", options: .backwards) else { return nil }
        let name = message[range.upperBound...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? nil : name
    }

    static func daemonMessage(_ body: Data) -> String {
        struct ErrorBody: Decodable { var message: String }
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: body) { return decoded.message }
        let text = String(decoding: body.prefix(2000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no message)" : text
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do { return try JSONDecoder().decode(type, from: data) } catch {
            throw DockerError.badResponse("could not read \(T.self): \(error) in \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> DockerRequestBody {
        .json(try JSONEncoder().encode(value))
    }
}

/// Query parameters, percent-encoded; nil values are left out.
struct QueryItems: Sendable {
    var items: [(String, String)]
    init(_ items: [(String, String?)]) {
        self.items = items.compactMap { key, value in value.map { (key, $0) } }
    }
    var encoded: String {
        if items.isEmpty { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?" + items.map { key, value in
            "\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    /// Docker's `filters` parameter: a JSON object of string lists.
    static func filters(_ filters: [String: [String]]) -> String? {
        if filters.isEmpty { return nil }
        guard let data = try? JSONEncoder().encode(filters) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Dotted API versions compared numerically ("1.9" < "1.41").
enum APIVersion {
    static func components(_ version: String) -> [Int] { version.split(separator: ".").map { Int($0) ?? 0 } }
    static func min(_ a: String, _ b: String) -> String {
        components(a).lexicographicallyPrecedes(components(b)) ? a : b
    }
}
