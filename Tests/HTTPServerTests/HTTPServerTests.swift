#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import HTTPServer

/// Runs blocking client code on a Dispatch thread: the handlers' tasks need the (small) concurrency pool free.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { cont in
        DispatchQueue.global().async { cont.resume(with: Result { try body() }) }
    }
}

/// Runs `body` on `count` threads of their own at once (Dispatch's pool grows too slowly for 200 blocked clients)
/// and returns the results in order.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let box = ResultBox<T>(count)
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let t = Thread {
            let r = body(i)
            box.lock.lock(); box.results[i] = r; box.lock.unlock()
            group.leave()
        }
        t.stackSize = 256 * 1024
        t.start()
    }
    group.wait()
    return box.results.map { $0! }
}

final class ResultBox<T>: @unchecked Sendable {
    var results: [T?]
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}

/// A server on a free loopback port that echoes the method, path and body; stopped by the caller.
func echoServer(_ limits: HTTPServer.Limits = HTTPServer.Limits()) throws -> HTTPServer {
    let server = try HTTPServer(listen: ListenAddress(host: "127.0.0.1", port: 0), limits: limits) { request in
        if request.path == "/slow" { try? await Task.sleep(nanoseconds: 200_000_000) }
        return .text("\(request.method) \(request.path) q=\(request.query["q"] ?? "-") body=\(String(decoding: request.body, as: UTF8.self))")
    }
    server.start()
    return server
}

@Suite("HTTP server basics", .serialized)
struct HTTPServerBasicsTests {
    @Test("GET, HEAD, query and body, keep-alive and pipelined requests on one connection")
    func basics() async throws {
        try await offPool {
        let server = try echoServer()
        defer { server.stop() }
        let port = server.address.port
        let r = try RawClient.get(port, "/a?q=x%20y")
        #expect(r.status == 200)
        #expect(r.body == "GET /a q=x y body=")

        let c = try RawClient(port: port)
        c.send("HEAD /h HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let head = try c.readResponse(headOnly: true)
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.head.contains("Content-Length: 16"))  // the length GET would have: "GET /h q=- body="

        c.send("POST /p HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello")
        let post = try c.readResponse()
        #expect(post.body == "POST /p q=- body=hello")
        // Two requests in one write: both answered, in order.
        c.send("GET /one HTTP/1.1\r\nHost: localhost\r\n\r\nGET /two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(try c.readResponse().body == "GET /one q=- body=")
        let last = try c.readResponse()
        #expect(last.body == "GET /two q=- body=")
        #expect(last.head.contains("Connection: close"))
        }
    }

    @Test("a remote address is refused unless allowed; a foreign Host header is refused on loopback")
    func loopbackFirst() async throws {
        try await offPool {
        #expect(throws: HTTPServerError.notLoopback("0.0.0.0:0")) {
            _ = try HTTPServer(listen: ListenAddress(host: "0.0.0.0", port: 0)) { _ in .text("x") }
        }
        let server = try echoServer()
        defer { server.stop() }
        #expect(try RawClient.get(server.address.port, "/", host: "evil.example").status == 421)
        #expect(try RawClient.get(server.address.port, "/", host: "localhost").status == 200)
        #expect(try RawClient.get(server.address.port, "/", host: "127.0.0.7").status == 200)
        }
    }

    @Test("listen addresses: accepted shapes and clear errors")
    func addresses() throws {
        do {
        #expect(try ListenAddress.parse("127.0.0.1:9323") == ListenAddress(host: "127.0.0.1", port: 9323))
        #expect(try ListenAddress.parse("[::1]:80") == ListenAddress(host: "::1", port: 80))
        #expect(try ListenAddress.parse("localhost:3000") == ListenAddress(host: "127.0.0.1", port: 3000))
        #expect(try ListenAddress.parse("3000") == ListenAddress(host: "127.0.0.1", port: 3000))
        #expect(try ListenAddress.parse("127.0.0.1", defaultPort: 9323).port == 9323)
        #expect(ListenAddress(host: "::1", port: 1).isLoopback && !ListenAddress(host: "10.0.0.1", port: 1).isLoopback)
        for bad in ["web:80", "127.0.0.1:99999", "127.0.0.1:", ":", "[::1"] {
            #expect(throws: HTTPServerError.self) { try ListenAddress.parse(bad) }
        }
        do { _ = try ListenAddress.parse("127.0.0.1:99999") } catch {
            #expect("\(error)".contains("127.0.0.1:99999"))
        }
        }
    }

    @Test("a port in use is a clear error naming the address")
    func portInUse() async throws {
        try await offPool {
        let server = try echoServer()
        defer { server.stop() }
        #expect {
            _ = try HTTPServer(listen: server.address) { _ in .text("x") }
        } throws: { "\($0)".contains("cannot listen on \(server.address)") }
        }
    }

    @Test("stop closes the port and returns")
    func stop() async throws {
        try await offPool {
        let server = try echoServer()
        let port = server.address.port
        #expect(try RawClient.get(port, "/").status == 200)
        server.stop()
        #expect(throws: ClientError.self) { _ = try RawClient(port: port) }
        }
    }
}

@Suite("HTTP server under abuse", .serialized)
struct HTTPServerAbuseTests {
    @Test("200 concurrent clients are all answered")
    func concurrent() async throws {
        let server = try echoServer()
        defer { server.stop() }
        let port = server.address.port
        let ok = try await offPool { onThreads(200) { i in
            let r = try? RawClient.get(port, "/slow?q=\(i)")
            return r?.status == 200 && r?.body == "GET /slow q=\(i) body="
        }.filter { $0 }.count }
        #expect(ok == 200)
        // A client can read its answer a moment before the poll thread counts it as served.
        let deadline = Date().addingTimeInterval(5)
        while server.snapshot().served < 200 && Date() < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.snapshot().served >= 200)
    }

    @Test("a slowloris client is cut off after the read timeout while others are served at once")
    func slowloris() async throws {
        try await offPool {
        var limits = HTTPServer.Limits()
        limits.readTimeout = 1
        let server = try echoServer(limits)
        defer { server.stop() }
        let port = server.address.port
        let slow = try RawClient(port: port, timeout: 5)
        let start = Date()
        slow.send("GET / HTTP/1.1\r\n")
        var cutOff = false
        for i in 0..<40 {  // one header byte every 100 ms: never completes
            if !slow.send("X") { cutOff = true; break }
            if i == 3 {
                let t = Date()
                #expect(try RawClient.get(port, "/meanwhile").status == 200)
                #expect(Date().timeIntervalSince(t) < 0.5)
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let answer = slow.readToEnd()
        let elapsed = Date().timeIntervalSince(start)
        #expect(answer.hasPrefix("HTTP/1.1 408") || cutOff)
        #expect(elapsed < 3, "the slow client was held \(elapsed) s")
        #expect(server.snapshot().timedOut == 1)
        #expect(try RawClient.get(port, "/after").status == 200)
        }
    }

    @Test("oversized head and body, garbage bytes and bad requests get 4xx/5xx and the server keeps answering")
    func badInput() async throws {
        try await offPool {
        var limits = HTTPServer.Limits()
        limits.maxHeaderBytes = 1024
        limits.maxBodyBytes = 100
        let server = try echoServer(limits)
        defer { server.stop() }
        let port = server.address.port
        func send(_ bytes: [UInt8]) throws -> String {
            let c = try RawClient(port: port)
            c.send(bytes)
            return c.readToEnd()
        }
        let bigHead = "GET / HTTP/1.1\r\nX-Pad: " + String(repeating: "a", count: 4000) + "\r\n\r\n"
        #expect(try send(Array(bigHead.utf8)).hasPrefix("HTTP/1.1 431"))
        // No end of head ever comes: refused as soon as the cap is passed, not buffered on.
        #expect(try send(Array(repeating: UInt8(ascii: "A"), count: 5000)).hasPrefix("HTTP/1.1 431"))
        #expect(try send(Array("POST / HTTP/1.1\r\nContent-Length: 1000000000\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 413"))
        var garbage = SystemRandomNumberGenerator()
        let noise = (0..<600).map { _ in UInt8.random(in: 0...255, using: &garbage) } + [13, 10, 13, 10]
        #expect(try send(noise).hasPrefix("HTTP/1.1 400"))
        #expect(try send(Array("\u{16}\u{03}\u{01}\u{02}\u{00}\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400"))  // a TLS hello
        #expect(try send(Array("GET / HTTP/2.0\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 505"))
        #expect(try send(Array("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 501"))
        #expect(try send(Array("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".utf8)).hasPrefix("HTTP/1.1 400"))
        #expect(try send(Array("GET http://x/ HTTP/1.1\r\n\r\n".utf8)).hasPrefix("HTTP/1.1 400"))
        #expect(try RawClient.get(port, "/still-here").body == "GET /still-here q=- body=")
        #expect(server.snapshot().rejected == 9)
        }
    }

    @Test("past the connection cap new clients get 503, and are served again once slots free up")
    func connectionCap() async throws {
        try await offPool {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 5
        limits.readTimeout = 1
        let server = try echoServer(limits)
        defer { server.stop() }
        let port = server.address.port
        var idle: [RawClient] = []
        for _ in 0..<5 { idle.append(try RawClient(port: port)) }
        Thread.sleep(forTimeInterval: 0.2)
        #expect(try RawClient(port: port).readToEnd().hasPrefix("HTTP/1.1 503"))
        idle.removeAll()  // closed by the client
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try RawClient.get(port, "/").status == 200)
        #expect(server.snapshot().overCapacity == 1)
        }
    }
}
