#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A blocking TCP client that sends raw bytes, for exercising the server with what real clients would never send.
final class RawClient {
    let fd: Int32

    init(port: UInt16, host: String = "127.0.0.1", timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &sa.sin_addr)
        let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw ClientError(message: "connect: \(String(cString: strerror(e)))")
        }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends bytes; false if the server has closed.
    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    /// Reads until the peer closes or the read times out.
    func readToEnd() -> String {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads one response (head + Content-Length body) and returns (status, headers text, body).
    func readResponse(headOnly: Bool = false) throws -> (status: Int, head: String, body: String) {
        var data: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = findHeadEnd(data) {
                let head = String(decoding: data[0..<end], as: UTF8.self)
                let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }.map { headOnly ? 0 : $0 } ?? 0
                while data.count < end + 4 + length {
                    let n = recv(fd, &buf, buf.count, 0)
                    if n <= 0 { throw ClientError(message: "connection ended inside a body") }
                    data.append(contentsOf: buf[0..<n])
                }
                let status = Int(head.split(separator: " ")[1]) ?? 0
                let body = String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                pending = Array(data[(end + 4 + length)...])
                return (status, head, body)
            }
            if !pending.isEmpty { data = pending; pending = []; continue }
            let n = recv(fd, &buf, buf.count, 0)
            if n <= 0 { throw ClientError(message: "connection ended before a response (\(data.count) bytes read)") }
            data.append(contentsOf: buf[0..<n])
        }
    }

    private var pending: [UInt8] = []

    private func findHeadEnd(_ d: [UInt8]) -> Int? {
        guard d.count >= 4 else { return nil }
        for i in 0...(d.count - 4) where d[i] == 13 && d[i + 1] == 10 && d[i + 2] == 13 && d[i + 3] == 10 { return i }
        return nil
    }

    /// One GET on a fresh connection.
    static func get(_ port: UInt16, _ path: String, host: String = "127.0.0.1") throws -> (status: Int, head: String, body: String) {
        let c = try RawClient(port: port)
        c.send("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n")
        return try c.readResponse()
    }
}

struct ClientError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
