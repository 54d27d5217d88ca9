import Foundation
import Testing
@testable import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// Byte-level HTTP and stream framing cases the real daemon rarely produces on demand (odd chunk splits,
/// frames cut across reads). A tiny unix-socket server on this machine sends exact bytes.
@Suite("HTTP and stream framing")
struct HTTPFramingTests {
    /// Serves each accepted connection by reading one request head and writing `responses[i]` in small pieces.
    final class OneShotServer: @unchecked Sendable {
        let path: String
        let fd: Int32
        let responses: [[UInt8]]
        /// Close the connection after each answer, like a daemon dropping idle keep-alive connections.
        let closeAfterEach: Bool
        let lock = NSLock()
        var accepted = 0

        init(responses: [String], closeAfterEach: Bool = false) throws {
            self.closeAfterEach = closeAfterEach
            path = NSTemporaryDirectory() + "contsec-test-http-\(UUID().uuidString.prefix(8)).sock"
            self.responses = responses.map { Array($0.utf8) }
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else { throw DockerError.connectionFailed(path: path, reason: "test server") }
            Thread { self.serve() }.start()
        }

        private func serve() {
            var index = 0
            while index < responses.count {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                lock.lock(); accepted += 1; lock.unlock()
                // Keep-alive: answer requests on this connection until the responses run out or it closes.
                while index < responses.count {
                    var head: [UInt8] = []
                    var byte: UInt8 = 0
                    while !head.suffix(4).elementsEqual([13, 10, 13, 10]) {
                        if read(client, &byte, 1) != 1 { break }
                        head.append(byte)
                    }
                    if head.isEmpty { break }
                    let response = responses[index]
                    index += 1
                    // Dribble the answer out in 3-byte writes so every parser state sees a split.
                    var offset = 0
                    while offset < response.count {
                        let n = min(3, response.count - offset)
                        _ = response[offset..<(offset + n)].withUnsafeBytes { write(client, $0.baseAddress, n) }
                        offset += n
                        usleep(200)
                    }
                    if closeAfterEach { break }
                }
                close(client)
            }
        }

        deinit {
            close(fd)
            unlink(path)
        }
    }

    @Test("chunked bodies split at awkward places decode, and the connection is reused")
    func chunkedAndKeepAlive() async throws {
        let server = try OneShotServer(responses: [
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 38\r\n\r\n{\"message\":\"No such container: abc12\"}",
        ])
        let client = try DockerClient(socketPath: server.path)
        let first = try await client.send("GET", "/anything", versioned: false)
        #expect(String(decoding: first.body, as: UTF8.self) == "hello, world")
        #expect(client.idleConnectionCount == 1)
        #expect(try await client.ping())
        await #expect(throws: DockerError.notFound(kind: .container, name: "abc12")) {
            _ = try await client.send("GET", "/containers/abc12/json", versioned: false, notFound: (.container, "abc12"))
        }
        #expect(server.accepted == 1)
    }

    @Test("a keep-alive connection the server dropped is replaced transparently")
    func staleConnectionRetry() async throws {
        let server = try OneShotServer(responses: [
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK",
        ], closeAfterEach: true)
        let client = try DockerClient(socketPath: server.path)
        #expect(try await client.ping())
        usleep(50_000) // let the server's close arrive
        #expect(try await client.ping())
        #expect(server.accepted == 2)
    }

    @Test("multiplexed log frames split across reads")
    func multiplexFrames() throws {
        var framer = MultiplexFramer()
        let frames: [UInt8] = [1, 0, 0, 0, 0, 0, 0, 3] + Array("out".utf8) + [2, 0, 0, 0, 0, 0, 0, 4] + Array("err\n".utf8)
        var chunks: [OutputChunk] = []
        for byte in frames { chunks += try framer.feed([byte]) }
        chunks += try framer.finish()
        #expect(chunks == [OutputChunk(stream: .stdout, data: Data("out".utf8)), OutputChunk(stream: .stderr, data: Data("err\n".utf8))])

        var broken = MultiplexFramer()
        _ = try broken.feed([1, 0, 0, 0, 0, 0, 0, 9, 65])
        #expect(throws: DockerError.self) { _ = try broken.finish() }
    }

    @Test("TTY detection: unframed output passes through as stdout, framed output is still demultiplexed")
    func ttyDetection() throws {
        var tty = MultiplexFramer(detectTTY: true)
        var text = ""
        for piece in Array("hello\r\nworld".utf8).chunked(3) { text += try tty.feed(piece).map(\.text).joined() }
        text += try tty.finish().map(\.text).joined()
        #expect(text == "hello\r\nworld")

        var framed = MultiplexFramer(detectTTY: true)
        var chunks: [OutputChunk] = []
        for byte in [2, 0, 0, 0, 0, 0, 0, 2] + Array("ab".utf8) { chunks += try framed.feed([byte]) }
        #expect(chunks == [OutputChunk(stream: .stderr, data: Data("ab".utf8))])
    }

    @Test("404 messages map to the object that is missing, other 404s keep the daemon's words")
    func notFoundMapping() {
        func mapped(_ message: String, _ hint: (DockerResourceKind, String)?) -> DockerError? {
            let body = try! JSONEncoder().encode(["message": message])
            do { try DockerClient.check(status: 404, body: body, notFound: hint) } catch let error as DockerError { return error } catch { return nil }
            return nil
        }
        #expect(mapped("No such container: abc", (.container, "abc")) == .notFound(kind: .container, name: "abc"))
        #expect(mapped("No such image: nginx:1.27", (.container, "x")) == .notFound(kind: .image, name: "nginx:1.27"))
        #expect(mapped("network n1 not found", (.network, "n1")) == .notFound(kind: .network, name: "n1"))
        #expect(mapped("get v1: no such volume", (.volume, "v1")) == .notFound(kind: .volume, name: "v1"))
        #expect(mapped("No such container: c9", (.network, "n1")) == .notFound(kind: .container, name: "c9"))
        #expect(mapped("Could not find the file /x in container c1", (.container, "c1")) == .daemon(status: 404, message: "Could not find the file /x in container c1"))
        #expect(mapped("page not found", nil) == .daemon(status: 404, message: "page not found"))
    }

    @Test("JSON lines decode across splits and blank lines")
    func jsonLines() throws {
        var framer = JSONLinesFramer<DockerEvent>()
        let text = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"a\"}}\n\n{\"Type\":\"network\",\"Action\":\"connect\"}"
        var events: [DockerEvent] = []
        for piece in Array(text.utf8).chunked(7) { events += try framer.feed(piece) }
        events += try framer.finish()
        #expect(events.map(\.action) == ["start", "connect"])
        #expect(events.first?.actor?.id == "a")
    }

    @Test("create options put the config at the top level beside HostConfig")
    func createEncoding() throws {
        let options = ContainerCreateOptions(config: ContainerConfig(image: "x", cmd: ["sleep", "1"], user: "nobody"),
                                             hostConfig: HostConfig(readonlyRootfs: true, pidsLimit: 10),
                                             networks: ["n": EndpointConfig(aliases: ["a"])])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as? [String: Any]
        #expect(object?["Image"] as? String == "x")
        #expect(object?["User"] as? String == "nobody")
        #expect((object?["HostConfig"] as? [String: Any])?["ReadonlyRootfs"] as? Bool == true)
        #expect((object?["HostConfig"] as? [String: Any])?["Privileged"] == nil)
        #expect(((object?["NetworkingConfig"] as? [String: Any])?["EndpointsConfig"] as? [String: Any])?["n"] != nil)
    }
}

extension Array {
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
