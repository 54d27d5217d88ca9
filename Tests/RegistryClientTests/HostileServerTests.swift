import Foundation
import Testing
@testable import RegistryClient
import RegistryTestSupport

/// Servers that are not, or not honest, registries: an HTML page, a truncated answer, a registry whose stored bytes
/// were altered, a closed port, a registry with deletes disabled. Each must give a clear error, never data.
@Suite("Registry client against misbehaving servers", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct HostileServerTests {
    /// A throw-away Python HTTP server on a free loopback port; `script` is the handler's do_GET/do_HEAD body.
    static func server(_ body: String) throws -> (BackgroundProcess, String) {
        let script = """
            import http.server, sys
            class H(http.server.BaseHTTPRequestHandler):
                def log_message(self, *a): pass
                def do_HEAD(self): self.do_GET()
                def do_GET(self):
            \(body.split(separator: "\n").map { "        " + $0 }.joined(separator: "\n"))
            s = http.server.HTTPServer(('127.0.0.1', 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """
        let process = try BackgroundProcess("python3", ["-c", script])
        return (process, "127.0.0.1:" + process.firstLine())
    }

    @Test("a web server answering HTML is not a registry")
    func htmlServer() async throws {
        let (server, address) = try Self.server("""
            page = b'<!DOCTYPE html><html><body>Welcome</body></html>'
            self.send_response(200); self.send_header('Content-Type', 'text/html'); self.send_header('Content-Length', str(len(page))); self.end_headers()
            self.wfile.write(page)
            """)
        defer { server.stop() }
        let client = RegistryClient(registry: address)
        await #expect(throws: RegistryError.notARegistry(url: "http://\(address)/v2/", detail: "an HTML page")) { try await client.ping() }
        do {
            _ = try await client.manifest("a/b", reference: "v1")
            Issue.record("HTML accepted as a manifest")
        } catch let error as RegistryError {
            #expect(error.description.contains("did not answer as an OCI registry"), "\(error)")
        }
    }

    @Test("an answer cut short is an error, not a short blob")
    func truncated() async throws {
        let (server, address) = try Self.server("""
            self.send_response(200); self.send_header('Content-Length', '1000'); self.send_header('Docker-Distribution-Api-Version', 'registry/2.0'); self.end_headers()
            self.wfile.write(b'{"partial":'); self.wfile.flush(); self.connection.close()
            """)
        defer { server.stop() }
        let client = RegistryClient(registry: address)
        let digest = Digest(of: Data("anything".utf8))
        do {
            _ = try await client.blob("a/b", digest: digest)
            Issue.record("a truncated answer was accepted")
        } catch let error as RegistryError {
            #expect(error.description.contains("closed before the whole answer arrived"), "\(error)")
        }
    }

    @Test("bytes altered in the registry's storage: the digest check refuses them")
    func tamperedStorage() async throws {
        let registry = RegistryTestEnvironment.registry
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        // A config unique to this test, so altering its stored bytes touches nobody else's image.
        let fixture = OCIFixture(created: "2024-07-07T07:07:07Z", marker: repository)
        try fixture.push(registry: registry, repository: repository, tags: ["v1"])
        let hex = String(fixture.configDigest.dropFirst(7))
        let stored = "\(RegistryTestEnvironment.storage)/docker/registry/v2/blobs/sha256/\(hex.prefix(2))/\(hex)/data"
        guard FileManager.default.isWritableFile(atPath: stored) else {
            Issue.record("cannot alter \(stored) (tests run as root on the test machine)")
            return
        }
        var altered = fixture.config
        altered[altered.count - 2] = UInt8(ascii: "X") // same length, different bytes
        try altered.write(to: URL(fileURLWithPath: stored))
        let client = RegistryClient(registry: registry)
        let manifest = try await client.manifest(repository, reference: "v1")
        await #expect(throws: RegistryError.digestMismatch(url: "http://\(registry)/v2/\(repository)/blobs/\(fixture.configDigest)",
                                                           expected: fixture.configDigest, actual: Digest(of: altered).description)) {
            try await client.blob(repository, digest: manifest.config!.digest)
        }
    }

    /// Debian's docker-registry 2.8 answers a tag list whole, ignoring `n`; newer registries (distribution 3, Harbor,
    /// GHCR) page it with `Link` headers. This server pages as they do, and repeats a tag across pages.
    @Test("tag lists follow Link pagination to the end")
    func linkPagination() async throws {
        let (server, address) = try Self.server("""
            import urllib.parse
            q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
            pages = {'': (['a1', 'a2'], 'a2'), 'a2': (['a2', 'a3'], 'a3'), 'a3': (['a4'], None)}
            tags, nxt = pages[q.get('last', [''])[0]]
            body = ('{"name":"r/app","tags":[%s]}' % ','.join('"%s"' % t for t in tags)).encode()
            self.send_response(200); self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', str(len(body)))
            if self.path.startswith('/v2/r/app/tags/list') and nxt: self.send_header('Link', '</v2/r/app/tags/list?last=%s&n=2>; rel="next"' % nxt)
            self.end_headers(); self.wfile.write(body)
            """)
        defer { server.stop() }
        let client = RegistryClient(registry: address)
        _ = try await client.baseURL()
        let before = await client.requestCount
        #expect(try await client.tags("r/app", pageSize: 2) == ["a1", "a2", "a3", "a4"])
        let requests = await client.requestCount - before
        #expect(requests == 3, "\(requests) requests")
    }

    @Test("a closed port: unreachable, naming the registry")
    func closedPort() async throws {
        let (server, address) = try Self.server("pass")
        server.stop() // the port is free again
        let client = RegistryClient(registry: address)
        do {
            _ = try await client.ping()
            Issue.record("no error")
        } catch let error as RegistryError {
            guard case .unreachable(let registry, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(registry == address)
        }
    }

    @Test("a registry with deletes disabled: the error names storage.delete.enabled")
    func deleteDisabled() async throws {
        let folder = try RegistryTestEnvironment.temporaryFolder("nodelete")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (registry, address) = try ThrowawayRegistry.start(in: folder) { address in
            """
            version: 0.1
            log: {level: error}
            storage: {filesystem: {rootdirectory: \(folder)/data}}
            http: {addr: \(address)}
            """
        }
        defer { registry.stop() }
        let client = RegistryClient(registry: address)
        _ = try await client.ping()
        let repository = RegistryTestEnvironment.uniqueRepository()
        let fixture = OCIFixture(created: "2024-01-01T00:00:00Z", marker: repository)
        try fixture.push(registry: address, repository: repository, tags: ["v1"])
        do {
            try await client.deleteManifest(repository, digest: Digest(fixture.digest)!)
            Issue.record("delete succeeded on a registry without deletes")
        } catch let error as RegistryError {
            #expect(error == .deleteDisabled(registry: address))
            #expect(error.description.contains("storage.delete.enabled"))
        }
    }
}
