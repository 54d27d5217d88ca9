import Foundation
import Testing
@testable import RegistryClient
import RegistryTestSupport

/// Against the open test registry (127.0.0.1:5000), with skopeo as the independent party: it pushes the fixtures
/// the client reads, and reads back what the client writes.
@Suite("Registry client against the open test registry", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct LiveRegistryTests {
    let registry = RegistryTestEnvironment.registry

    @Test("reads what skopeo pushed: manifest bytes and digest, config blob, tags, HEAD; plain HTTP on loopback")
    func readsSkopeoPush() async throws {
        let repository = RegistryTestEnvironment.uniqueRepository()
        let fixture = OCIFixture(created: "2024-05-06T07:08:09Z", marker: repository)
        try fixture.push(registry: registry, repository: repository, tags: ["v1", "latest"])
        defer { Skopeo.removeRepository(registry, repository) }
        let client = RegistryClient(registry: registry)

        let ping = try await client.ping()
        #expect(ping.scheme == "http" && ping.authScheme == "none" && ping.apiVersion == "registry/2.0")
        let manifest = try await client.manifest(repository, reference: "v1")
        #expect(manifest.data == fixture.manifest)
        #expect(manifest.digest.description == fixture.digest)
        let config = try await client.blob(repository, digest: manifest.config!.digest, expectedSize: manifest.config!.size)
        #expect(config == fixture.config)
        #expect(try await client.tags(repository).sorted() == ["latest", "v1"])
        #expect(try await client.manifestHead(repository, reference: "latest")?.description == fixture.digest)
        #expect(try await client.manifestHead(repository, reference: "absent") == nil)
        await #expect(throws: RegistryError.self) { try await client.manifest(repository, reference: "absent") }
    }

    @Test("a page size smaller than the tag count still lists every tag")
    func pageSize() async throws {
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        let fixture = OCIFixture(created: "2024-01-01T00:00:00Z", marker: repository)
        let tags = ["a1", "a2", "a3", "a4", "a5"]
        try fixture.push(registry: registry, repository: repository, tags: tags)
        let client = RegistryClient(registry: registry)
        #expect(try await client.tags(repository, pageSize: 2).sorted() == tags)
    }

    @Test("uploads blobs and a manifest that skopeo then reads byte for byte; deletes it again")
    func uploadAndDelete() async throws {
        let repository = RegistryTestEnvironment.uniqueRepository()
        let fixture = OCIFixture(created: "2024-02-03T04:05:06Z", marker: repository)
        defer { Skopeo.removeRepository(registry, repository) }
        let client = RegistryClient(registry: registry)
        let config = try await client.uploadBlob(repository, data: fixture.config)
        let layer = try await client.uploadBlob(repository, data: fixture.layer)
        #expect(config.digest.description == fixture.configDigest)
        #expect(try await client.blobExists(repository, digest: layer.digest))
        let digest = try await client.putManifest(repository, reference: "up", data: fixture.manifest, mediaType: MediaType.ociManifest)
        #expect(digest.description == fixture.digest)
        #expect(try Skopeo.digest("\(registry)/\(repository):up") == fixture.digest)
        #expect(try Skopeo.tags(registry, repository) == ["up"])

        try await client.deleteManifest(repository, digest: digest)
        #expect(try Skopeo.digest("\(registry)/\(repository):up") == nil)
        #expect(try await client.tags(repository).isEmpty)
        await #expect(throws: RegistryError.self) { try await client.deleteManifest(repository, digest: digest) }
    }

    @Test("an upload opened without credentials can be cancelled")
    func openAndCancelUpload() async throws {
        let repository = RegistryTestEnvironment.uniqueRepository()
        let client = RegistryClient(registry: registry)
        let location = try await client.openUpload(repository)
        #expect(location.hasPrefix("http://\(registry)/v2/\(repository)/blobs/uploads/"))
        try await client.cancelUpload(repository, location: location)
    }
}
