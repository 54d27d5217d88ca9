import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Opens TCP connections to a remote engine: every address the name resolves to is tried in turn, each with a
/// connect timeout (an unreachable host must not hang an audit for the kernel's two minutes).
enum TCPConnector {
    /// A connected, blocking socket descriptor.
    /// - Parameter name: how errors name the engine (`tcp://host:port`).
    static func connect(host: String, port: Int, timeout: Double, name: String) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw DockerError.connectionFailed(path: name, reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if let failure = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen, timeout: timeout) {
                Glibc.close(fd)
                lastError = failure
                continue
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return fd
        }
        if lastError == String(cString: strerror(ECONNREFUSED)) {
            throw DockerError.connectionFailed(path: name, reason: "connection refused: nothing listens on \(host):\(port). Is dockerd running with -H tcp://\(host):\(port)?")
        }
        throw DockerError.connectionFailed(path: name, reason: lastError)
    }

    /// Non-blocking connect bounded by `timeout`, then back to blocking mode. Returns why it failed, or nil.
    private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>, _ length: socklen_t,
                                timeout: Double) -> String? {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return nil }
        guard errno == EINPROGRESS else { return String(cString: strerror(errno)) }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = max(0, Int32(deadline.timeIntervalSinceNow * 1000))
            let ready = poll(&poller, 1, left)
            if ready > 0 { break }
            if ready == 0 { return "no answer within \(Int(timeout)) s (is the host up and the port open?)" }
            if errno != EINTR { return String(cString: strerror(errno)) }
        }
        var soError: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &size)
        return soError == 0 ? nil : String(cString: strerror(soError))
    }
}
