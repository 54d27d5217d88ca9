#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A small HTTP/1.1 server for exporters and dashboards: loopback-first and bounded.
///
/// - Listens on loopback unless `allowRemote` is set; on loopback it also refuses requests whose `Host` header names
///   another host (a web page cannot reach it through DNS rebinding).
/// - One thread reads every connection with `poll`, so a slow client holds no thread; a request must arrive whole
///   within `readTimeout` of its first byte (slowloris), its head within `maxHeaderBytes`, its body within
///   `maxBodyBytes`. Past `maxConnections` new connections get 503 and are closed.
/// - Handlers run concurrently as tasks; the same thread writes their answers as the sockets take them, giving up on a
///   client that reads nothing for `writeTimeout`.
public final class HTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Bounds on what one client can make the server hold.
    public struct Limits: Sendable {
        public var maxHeaderBytes = 8 * 1024
        public var maxBodyBytes = 64 * 1024
        /// Seconds for a whole request to arrive, from its first byte (or from accept).
        public var readTimeout: Double = 10
        /// Seconds a kept-alive connection may sit idle between requests.
        public var idleTimeout: Double = 60
        /// Seconds to write an answer to a client that reads slowly.
        public var writeTimeout: Double = 10
        public var maxConnections = 512
        public init() {}
    }

    /// Counters for diagnostics and tests.
    public struct Counters: Sendable, Equatable {
        public var accepted = 0
        public var served = 0
        public var rejected = 0
        public var timedOut = 0
        public var overCapacity = 0
    }

    /// The address actually listened on (port resolved when 0 was asked for).
    public let address: ListenAddress
    public let limits: Limits
    private let handler: Handler
    private let listenFD: Int32
    private var wakePipe: [Int32] = [-1, -1]
    private let lock = NSLock()
    private var stopping = false
    private var counters = Counters()
    private let finished = DispatchSemaphore(value: 0)
    private var started = false

    /// Binds at once, so a port conflict is reported before anything else happens; call ``start()`` to serve.
    /// - Throws: `HTTPServerError.notLoopback` for a remote address without `allowRemote`, `.cannotListen` when the
    ///   address is taken or not local.
    public init(listen: ListenAddress, allowRemote: Bool = false, limits: Limits = Limits(), handler: @escaping Handler) throws {
        guard allowRemote || listen.isLoopback else { throw HTTPServerError.notLoopback(listen.description) }
        let (fd, port) = try SocketIO.listen(listen, backlog: 1024)
        listenFD = fd
        address = ListenAddress(host: listen.host, port: port)
        self.limits = limits
        self.handler = handler
        guard pipe(&wakePipe) == 0 else {
            close(fd)
            throw HTTPServerError.cannotListen(listen.description, "pipe(): \(SocketIO.errorText())")
        }
        SocketIO.setNonBlockingCloseOnExec(wakePipe[0])
        SocketIO.setNonBlockingCloseOnExec(wakePipe[1])
    }

    deinit {
        closeListener()
        close(wakePipe[0])
        close(wakePipe[1])
    }

    /// Starts serving on a thread of its own. Call once.
    public func start() {
        lock.lock()
        guard !started else { lock.unlock(); return }
        started = true
        lock.unlock()
        let thread = Thread { [self] in
            self.loop()
            self.finished.signal()
        }
        thread.name = "http-server \(address)"
        thread.start()
    }

    /// Stops accepting, closes idle and reading connections, and returns once the serving thread has ended.
    /// Answers already being written finish or time out on their own.
    public func stop() {
        lock.lock()
        let wasStarted = started
        stopping = true
        lock.unlock()
        wake()
        if wasStarted { finished.wait() }
        closeListener()
    }

    private var listenerClosed = false

    private func closeListener() {
        lock.lock(); defer { lock.unlock() }
        if !listenerClosed { close(listenFD); listenerClosed = true }
    }

    /// A snapshot of the counters.
    public func snapshot() -> Counters {
        lock.lock(); defer { lock.unlock() }
        return counters
    }

    private func count(_ update: (inout Counters) -> Void) {
        lock.lock(); update(&counters); lock.unlock()
    }

    private func wake() {
        var b: UInt8 = 1
        _ = write(wakePipe[1], &b, 1)
    }

    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    // MARK: - The I/O loop (one thread reads and writes every connection)

    final class Connection: @unchecked Sendable {
        enum State { case reading, handling, writing }
        let fd: Int32
        let remote: String
        var parser: RequestParser
        var deadline: Date
        /// Reading and nothing received yet (a fresh or kept-alive connection).
        var idle = true
        var state = State.reading
        var out: [UInt8] = []
        var written = 0
        var keepAfterWrite = false
        init(fd: Int32, remote: String, limits: Limits, deadline: Date) {
            self.fd = fd
            self.remote = remote
            parser = RequestParser(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes)
            self.deadline = deadline
        }
    }

    /// Answers computed by handlers, waiting for the loop to write them.
    private var completed: [(Connection, [UInt8], Bool)] = []

    private func loop() {
        var connections: [Int32: Connection] = [:]
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        defer {
            for c in connections.values { close(c.fd) }
        }
        while !isStopping {
            lock.lock()
            let answers = completed
            completed.removeAll()
            lock.unlock()
            for (c, bytes, keep) in answers {
                c.out = bytes
                c.written = 0
                c.keepAfterWrite = keep
                c.state = .writing
                c.deadline = Date().addingTimeInterval(limits.writeTimeout)
                flush(c, &connections)
            }

            var fds = [pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0),
                       pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0)]
            let polled = connections.values.filter { $0.state != .handling }
            for c in polled {
                fds.append(pollfd(fd: c.fd, events: Int16(c.state == .writing ? POLLOUT : POLLIN), revents: 0))
            }
            let now = Date()
            let nearest = polled.map(\.deadline).min() ?? now.addingTimeInterval(1)
            let waitMs = Int32(max(0, min(1, nearest.timeIntervalSince(now))) * 1000) + 1
            if poll(&fds, nfds_t(fds.count), waitMs) < 0 && errno != EINTR { break }
            if fds[0].revents != 0 {
                var sink = [UInt8](repeating: 0, count: 256)
                while read(wakePipe[0], &sink, sink.count) > 0 {}
            }
            if isStopping { break }
            if fds[1].revents != 0 {
                while let (fd, remote) = SocketIO.accept(listenFD) {
                    if connections.count >= limits.maxConnections {
                        count { $0.overCapacity += 1 }
                        let bytes = HTTPResponse.error(503, "too many connections; try again").serialized(keepAlive: false, headOnly: false)
                        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        close(fd)
                        continue
                    }
                    count { $0.accepted += 1 }
                    connections[fd] = Connection(fd: fd, remote: remote, limits: limits, deadline: Date().addingTimeInterval(limits.readTimeout))
                }
            }
            for (i, c) in polled.enumerated() where fds[i + 2].revents != 0 {
                if c.state == .writing { flush(c, &connections); continue }
                let n = chunk.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) {
                    drop(c, &connections)
                    continue
                }
                guard n > 0 else { continue }
                if c.idle {
                    c.idle = false
                    c.deadline = Date().addingTimeInterval(limits.readTimeout)
                }
                chunk.withUnsafeBytes { c.parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                process(c, &connections)
            }
            let after = Date()
            for c in connections.values where c.state != .handling && c.deadline < after {
                if c.state == .reading && !c.idle {
                    count { $0.timedOut += 1 }
                    let bytes = HTTPResponse.error(408, "the request did not arrive within \(Int(limits.readTimeout)) s").serialized(keepAlive: false, headOnly: false)
                    _ = bytes.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                }
                drop(c, &connections)
            }
        }
    }

    private func drop(_ c: Connection, _ connections: inout [Int32: Connection]) {
        connections[c.fd] = nil
        close(c.fd)
    }

    /// Writes what the socket takes now; when the answer is out, reads the next request or closes.
    private func flush(_ c: Connection, _ connections: inout [Int32: Connection]) {
        while c.written < c.out.count {
            let n = c.out.withUnsafeBytes { send(c.fd, $0.baseAddress! + c.written, c.out.count - c.written, Int32(MSG_NOSIGNAL)) }
            if n > 0 { c.written += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }  // poll for POLLOUT
            drop(c, &connections)
            return
        }
        count { $0.served += 1 }
        c.out = []
        guard c.keepAfterWrite else {
            drop(c, &connections)
            return
        }
        c.state = .reading
        c.idle = c.parser.isEmpty
        c.deadline = Date().addingTimeInterval(c.idle ? limits.idleTimeout : limits.readTimeout)
        if !c.idle { process(c, &connections) }  // a pipelined request is already buffered
    }

    /// Takes a complete request off `c`, if there is one, and hands it to the handler; rejects a bad one.
    private func process(_ c: Connection, _ connections: inout [Int32: Connection]) {
        switch c.parser.next(remote: c.remote) {
        case .needMore:
            return
        case .reject(let status, let reason):
            count { $0.rejected += 1 }
            let bytes = HTTPResponse.error(status, reason).serialized(keepAlive: false, headOnly: false)
            _ = bytes.withUnsafeBytes { send(c.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            shutdown(c.fd, Int32(SHUT_WR))
            drop(c, &connections)
        case .request:
            guard let request = c.parser.parsed else { return }
            c.state = .handling
            dispatch(request, on: c)
        }
    }

    private func dispatch(_ request: HTTPRequest, on c: Connection) {
        let handler = self.handler
        let keepAlive = request.wantsKeepAlive
        let headOnly = request.method == "HEAD"
        let misdirected = address.isLoopback && !Self.isLoopbackHost(request.headers["host"])
        Task.detached { [self] in
            var response: HTTPResponse
            if misdirected {
                response = .error(421, "this server answers only requests addressed to localhost / 127.0.0.1 / [::1]")
            } else {
                var r = request
                if headOnly { r.method = "GET" }
                response = await handler(r)
            }
            let bytes = response.serialized(keepAlive: keepAlive, headOnly: headOnly)
            self.deliver(c, bytes, keepAlive)
        }
    }

    private func deliver(_ c: Connection, _ bytes: [UInt8], _ keepAlive: Bool) {
        lock.lock()
        completed.append((c, bytes, keepAlive))
        lock.unlock()
        wake()
    }

    /// `Host` values a loopback server accepts: localhost, 127.x.y.z, [::1], with or without a port; absent (HTTP/1.0).
    static func isLoopbackHost(_ host: String?) -> Bool {
        guard let host, !host.isEmpty else { return true }
        var name = host.lowercased()
        if name.hasPrefix("[") {
            guard let close = name.firstIndex(of: "]") else { return false }
            name = String(name[name.index(after: name.startIndex)..<close])
        } else if let colon = name.lastIndex(of: ":") {
            name = String(name[..<colon])
        }
        if name == "localhost" { return true }
        return ListenAddress(host: name, port: 0).isLoopback
    }
}
