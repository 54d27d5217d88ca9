import Foundation
import Testing
@testable import RegistryClient
import RegistryTestSupport

@Suite("Registry client: references, challenges, credentials")
struct ReferenceTests {
    @Test("references: registry, repository, tag and digest as the distribution grammar reads them")
    func parsing() throws {
        let local = try ImageReference(parsing: "127.0.0.1:5000/team/app:1.0")
        #expect(local.registry == "127.0.0.1:5000" && local.repository == "team/app" && local.tag == "1.0" && local.digest == nil)
        let hub = try ImageReference(parsing: "nginx")
        #expect(hub.registry == "docker.io" && hub.repository == "library/nginx" && hub.tag == nil)
        let user = try ImageReference(parsing: "your-org/your-app:latest")
        #expect(user.registry == "docker.io" && user.repository == "your-org/your-app")
        let hex = String(repeating: "ab", count: 32)
        let pinned = try ImageReference(parsing: "localhost:5000/a/b:v2@sha256:\(hex)")
        #expect(pinned.registry == "localhost:5000" && pinned.tag == "v2" && pinned.digest?.hex == hex)
        #expect(pinned.description == "localhost:5000/a/b:v2@sha256:\(hex)")
        #expect(try ImageReference(parsing: "ghcr.io/a/b").registry == "ghcr.io")
        #expect(try ImageReference(parsing: "a__b/c-d.e:V_1.0-rc").tag == "V_1.0-rc")
    }

    @Test("malformed references are refused with the reason", arguments: [
        "", "UPPER/case", "http://127.0.0.1:5000/app", "app:", "app:-bad", "a//b", "app@sha256:short", "app:tag with space",
        "127.0.0.1:5000/", "-app", "a...b",
    ])
    func malformed(_ text: String) {
        #expect(throws: RegistryError.self) { try ImageReference(parsing: text) }
        do { _ = try ImageReference(parsing: text) } catch {
            #expect("\(error)".contains("is not a valid image reference"))
        }
    }

    @Test("digests: only sha256 with 64 lower-case hex; the cosign signature tag form")
    func digests() {
        let hex = String(repeating: "0f", count: 32)
        #expect(Digest("sha256:" + hex)?.signatureTag == "sha256-\(hex).sig")
        #expect(Digest(signatureTag: "sha256-\(hex).sig")?.hex == hex)
        #expect(Digest("sha256:" + hex.uppercased()) == nil)
        #expect(Digest("sha512:" + hex) == nil)
        #expect(Digest(signatureTag: "v1.0") == nil)
        // SHA-256 of "abc" (FIPS 180-2 test vector).
        #expect(Digest(of: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("WWW-Authenticate challenges and Link pagination headers")
    func headers() {
        let bearer = AuthChallenge(header: #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#)
        #expect(bearer?.scheme == .bearer && bearer?.realm == "https://auth.example/token" && bearer?.service == "registry.example"
                && bearer?.scope == "repository:a/b:pull")
        #expect(AuthChallenge(header: #"Basic realm="contsec-test""#)?.scheme == .basic)
        #expect(AuthChallenge(header: "Negotiate abc") == nil)
        #expect(RegistryClient.nextLink(#"</v2/a/tags/list?last=t2&n=2>; rel="next""#) == "/v2/a/tags/list?last=t2&n=2")
        #expect(RegistryClient.nextLink(nil) == nil)
    }

    @Test("docker config: auths with base64 auth, Docker Hub's key, credential helpers, malformed files")
    func dockerConfig() throws {
        let auth = Data("alice:pa:ss".utf8).base64EncodedString()
        let folder = try RegistryTestEnvironment.dockerConfig(content: #"""
            {"auths":{"127.0.0.1:5443":{"auth":"\#(auth)"},"https://index.docker.io/v1/":{"auth":"\#(auth)"}},
             "credHelpers":{"ghcr.io":"gh"}}
            """#)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let credentials = try DockerCredentials.load(environment: ["DOCKER_CONFIG": folder])
        #expect(credentials.lookup("127.0.0.1:5443") == .found(RegistryCredential(username: "alice", password: "pa:ss")))
        #expect(credentials.lookup("docker.io") == .found(RegistryCredential(username: "alice", password: "pa:ss")))
        #expect(credentials.lookup("ghcr.io") == .helper("gh"))
        #expect(credentials.lookup("other:1") == .none)
        #expect(!"\(RegistryCredential(username: "alice", password: "pa:ss"))".contains("pa:ss"))

        let store = try RegistryTestEnvironment.dockerConfig(content: #"{"credsStore":"desktop"}"#)
        defer { try? FileManager.default.removeItem(atPath: store) }
        #expect(try DockerCredentials.load(environment: ["DOCKER_CONFIG": store]).lookup("x:1") == .helper("desktop"))

        let broken = try RegistryTestEnvironment.dockerConfig(content: "{not json")
        defer { try? FileManager.default.removeItem(atPath: broken) }
        #expect(throws: RegistryError.self) { try DockerCredentials.load(environment: ["DOCKER_CONFIG": broken]) }
        #expect(try DockerCredentials.load(environment: ["DOCKER_CONFIG": "/nonexistent"]).lookup("x") == .none)
    }

    @Test("manifests: image manifests and indexes parsed; schema 1 and non-manifests refused")
    func manifests() throws {
        let fixture = OCIFixture(created: "2024-01-01T00:00:00Z", marker: "m")
        let image = try Manifest(data: fixture.manifest, contentType: nil)
        #expect(image.mediaType == MediaType.ociManifest && image.config?.digest.description == fixture.configDigest)
        #expect(image.layers.count == 1 && !image.isIndex && image.digest.description == fixture.digest)
        let index = try Manifest(data: Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(fixture.digest)","size":\#(fixture.manifest.count)}]}"#.utf8), contentType: nil)
        #expect(index.isIndex && index.manifests.first?.digest.description == fixture.digest)
        #expect(throws: (any Error).self) { try Manifest(data: Data(#"{"schemaVersion":1,"name":"a"}"#.utf8), contentType: nil) }
        #expect(throws: (any Error).self) { try Manifest(data: Data("<html></html>".utf8), contentType: "text/html") }
    }
}
