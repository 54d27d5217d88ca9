import Foundation
import Testing
@testable import RegistryClient
import RegistryTestSupport

/// Against the Basic-auth registry over TLS (127.0.0.1:5443, self-signed certificate in the system store).
@Suite("Registry client against the auth+TLS test registry", .enabled(if: RegistryTestEnvironment.authShouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct LiveAuthRegistryTests {
    let registry = RegistryTestEnvironment.authRegistry
    var skopeoCredentials: String { "\(RegistryTestEnvironment.authUser):\(RegistryTestEnvironment.authPassword)" }

    @Test("credentials from the docker config: HTTPS, Basic auth, write and read back (skopeo agrees)")
    func authenticatedRoundTrip() async throws {
        let folder = try RegistryTestEnvironment.dockerConfig()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository, tlsVerify: true, credentials: skopeoCredentials) }
        let client = RegistryClient(registry: registry, credentials: try DockerCredentials.load(environment: ["DOCKER_CONFIG": folder]))
        let ping = try await client.ping()
        #expect(ping.scheme == "https" && ping.authScheme == "basic")
        let fixture = OCIFixture(created: "2024-03-03T03:03:03Z", marker: repository)
        _ = try await client.uploadBlob(repository, data: fixture.config)
        _ = try await client.uploadBlob(repository, data: fixture.layer)
        try await client.putManifest(repository, reference: "v1", data: fixture.manifest, mediaType: MediaType.ociManifest)
        #expect(try Skopeo.digest("\(registry)/\(repository):v1", tlsVerify: true, credentials: skopeoCredentials) == fixture.digest)
        #expect(try await client.manifest(repository, reference: "v1").digest.description == fixture.digest)
        #expect(try await client.tags(repository) == ["v1"])
    }

    @Test("no credentials: a clear 'docker login' error; wrong ones: refused; a credential helper: not supported")
    func refusals() async throws {
        let anonymous = RegistryClient(registry: registry)
        await #expect(throws: RegistryError.authenticationRequired(registry: registry)) { try await anonymous.ping() }

        let wrong = try RegistryTestEnvironment.dockerConfig(password: "not-the-password")
        defer { try? FileManager.default.removeItem(atPath: wrong) }
        let refused = RegistryClient(registry: registry, credentials: try DockerCredentials.load(environment: ["DOCKER_CONFIG": wrong]))
        do {
            _ = try await refused.ping()
            Issue.record("a wrong password was accepted")
        } catch let error as RegistryError {
            guard case .authenticationFailed = error else { Issue.record("unexpected \(error)"); return }
            #expect(!error.description.contains("not-the-password"))
        }

        let helper = try RegistryTestEnvironment.dockerConfig(content: #"{"credsStore":"secretservice"}"#)
        defer { try? FileManager.default.removeItem(atPath: helper) }
        let helped = RegistryClient(registry: registry, credentials: try DockerCredentials.load(environment: ["DOCKER_CONFIG": helper]))
        await #expect(throws: RegistryError.credentialHelper(registry: registry, helper: "secretservice")) { try await helped.ping() }
    }

    @Test("HTTPS is required of a registry that speaks it; plain HTTP to it fails clearly")
    func plainHTTPToTLS() async throws {
        let client = RegistryClient(registry: registry, scheme: .http)
        await #expect(throws: RegistryError.self) { try await client.ping() }
    }
}
