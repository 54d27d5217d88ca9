import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How to reach a registry.
public enum SchemePolicy: Sendable, Equatable {
    /// HTTPS; a loopback registry (127.0.0.0/8, ::1, localhost) that does not speak TLS is used over plain HTTP,
    /// as docker does for registries it treats as insecure by default.
    case auto
    case https
    /// Plain HTTP, for any host (the user said so).
    case http
}

/// A client for one registry's OCI Distribution API (`/v2/`): the token dance and Basic auth with credentials from
/// the docker config, manifests, blobs, tags, catalog, deletes. Every digest it hands out was computed from bytes it
/// received; an answer whose bytes do not match the digest asked for or announced is an error.
public actor RegistryClient {
    /// host[:port] as written in image references.
    public nonisolated let registry: String
    /// The host the API lives on (Docker Hub's is registry-1.docker.io).
    public nonisolated let apiHost: String
    public nonisolated let policy: SchemePolicy
    nonisolated let transport: HTTPTransport
    let credentials: DockerCredentials

    private(set) var scheme: String?
    private(set) var basicChallenged = false
    var bearer: AuthChallenge?
    var tokens: [String: String] = [:]
    /// Requests sent, for benchmarks and tests.
    public private(set) var requestCount = 0

    public static let manifestLimit = 4 << 20
    public static let jsonBlobLimit = 8 << 20

    public init(registry: String, credentials: DockerCredentials = .anonymous, scheme: SchemePolicy = .auto,
                timeout: Double = 30) {
        self.registry = registry
        apiHost = ImageReference.isDockerHub(registry) ? "registry-1.docker.io" : registry
        policy = scheme
        transport = HTTPTransport(timeout: timeout)
        self.credentials = credentials
    }

    deinit { transport.close() }

    func markBasic() { basicChallenged = true }
    func bump() { requestCount += 1 }

    /// Whether the registry is addressed by a loopback name or address.
    public nonisolated var isLoopback: Bool {
        var host = apiHost
        if host.hasPrefix("[") { host = String(host.dropFirst().prefix { $0 != "]" }) }
        else if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    // MARK: - Scheme and ping

    /// `scheme://host` once the scheme is known; decides it on first use (see ``SchemePolicy``).
    public func baseURL() async throws -> String {
        if let scheme { return scheme + "://" + apiHost }
        switch policy {
        case .http: scheme = "http"
        case .https: scheme = "https"
        case .auto:
            do {
                _ = try await exchange("GET", URL(string: "https://\(apiHost)/v2/")!, maxBytes: 1 << 20)
                scheme = "https"
            } catch TransportFailure.notTLS(let detail) {
                guard isLoopback else {
                    throw RegistryError.unreachable(registry: registry, reason: "it does not speak TLS (\(detail)); plain HTTP is used only for loopback registries unless asked for")
                }
                scheme = "http"
            } catch let failure as TransportFailure {
                throw map(failure, url: "https://\(apiHost)/v2/")
            }
        }
        return scheme! + "://" + apiHost
    }

    /// `GET /v2/` with authentication: proves the registry answers the Distribution API and the credentials work.
    public func ping() async throws -> PingResult {
        let response = try await request("GET", "/v2/", scope: nil, maxBytes: 1 << 20)
        guard response.status == 200 else { throw statusError(response, what: "the /v2/ endpoint") }
        try requireRegistryAnswer(response)
        return PingResult(url: try await baseURL() + "/v2/", scheme: scheme ?? "",
                          authScheme: bearer != nil ? "bearer" : (basicChallenged ? "basic" : "none"),
                          apiVersion: response.header("docker-distribution-api-version"))
    }

    // MARK: - Manifests

    /// Fetches a manifest by tag or digest and checks its bytes against the digest asked for and the one announced.
    public func manifest(_ repository: String, reference: String) async throws -> Manifest {
        let path = "/v2/\(repository)/manifests/\(reference)"
        let response = try await request("GET", path, scope: .pull(repository), headers: ["Accept": MediaType.acceptManifests],
                                         maxBytes: Self.manifestLimit)
        guard response.status == 200 else {
            throw statusError(response, what: "manifest \(repository):\(reference)", notFound: "manifest \(registry)/\(repository):\(reference)")
        }
        let url = response.url.absoluteString
        let actual = Digest(of: response.body)
        if let asked = Digest(reference), asked != actual {
            throw RegistryError.digestMismatch(url: url, expected: asked.description, actual: actual.description)
        }
        if let announced = response.header("docker-content-digest"), announced != actual.description {
            throw RegistryError.digestMismatch(url: url, expected: announced, actual: actual.description)
        }
        do {
            return try Manifest(data: response.body, contentType: response.header("content-type"))
        } catch let error as ManifestParseError {
            throw Self.looksLikeHTML(response)
                ? RegistryError.notARegistry(url: url, detail: "an HTML page instead of a manifest")
                : RegistryError.malformed(url: url, reason: "not a manifest: \(error.reason)")
        }
    }

    /// `HEAD` of a manifest: the digest the registry announces for it, or nil when it does not exist. The digest is
    /// the registry's word, not checked against bytes: use it to test existence, and ``manifest(_:reference:)``
    /// before acting on a digest.
    public func manifestHead(_ repository: String, reference: String) async throws -> Digest? {
        let response = try await request("HEAD", "/v2/\(repository)/manifests/\(reference)", scope: .pull(repository),
                                         headers: ["Accept": MediaType.acceptManifests], maxBytes: 1 << 16)
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw statusError(response, what: "manifest \(repository):\(reference)") }
        guard let text = response.header("docker-content-digest"), let digest = Digest(text) else {
            throw RegistryError.malformed(url: response.url.absoluteString, reason: "HEAD answered without a Docker-Content-Digest header")
        }
        return digest
    }

    /// Stores a manifest under a tag (or its digest) and returns its digest, checked against what the registry says.
    @discardableResult
    public func putManifest(_ repository: String, reference: String, data: Data, mediaType: String) async throws -> Digest {
        let response = try await request("PUT", "/v2/\(repository)/manifests/\(reference)", scope: .push(repository),
                                         headers: ["Content-Type": mediaType], body: data, maxBytes: 1 << 20)
        guard response.status == 201 || response.status == 200 else { throw statusError(response, what: "storing manifest \(repository):\(reference)") }
        let digest = Digest(of: data)
        if let announced = response.header("docker-content-digest"), announced != digest.description {
            throw RegistryError.digestMismatch(url: response.url.absoluteString, expected: digest.description, actual: announced)
        }
        return digest
    }

    /// Deletes a manifest by digest: every tag pointing at it goes with it.
    public func deleteManifest(_ repository: String, digest: Digest) async throws {
        let response = try await request("DELETE", "/v2/\(repository)/manifests/\(digest)", scope: .delete(repository), maxBytes: 1 << 16)
        switch response.status {
        case 200, 202, 204: return
        case 405: throw RegistryError.deleteDisabled(registry: registry)
        default: throw statusError(response, what: "deleting \(repository)@\(digest)", notFound: "manifest \(registry)/\(repository)@\(digest)")
        }
    }

    // MARK: - Blobs

    /// A blob's bytes, checked against its digest (and `expectedSize` when given).
    public func blob(_ repository: String, digest: Digest, expectedSize: Int? = nil, maxBytes: Int = jsonBlobLimit) async throws -> Data {
        let response = try await request("GET", "/v2/\(repository)/blobs/\(digest)", scope: .pull(repository), maxBytes: maxBytes)
        guard response.status == 200 else {
            throw statusError(response, what: "blob \(repository)@\(digest)", notFound: "blob \(registry)/\(repository)@\(digest)")
        }
        let actual = Digest(of: response.body)
        guard actual == digest else {
            throw RegistryError.digestMismatch(url: response.url.absoluteString, expected: digest.description, actual: actual.description)
        }
        if let expectedSize, expectedSize != response.body.count {
            throw RegistryError.malformed(url: response.url.absoluteString, reason: "the blob has \(response.body.count) bytes, its descriptor says \(expectedSize)")
        }
        return response.body
    }

    public func blobExists(_ repository: String, digest: Digest) async throws -> Bool {
        let response = try await request("HEAD", "/v2/\(repository)/blobs/\(digest)", scope: .pull(repository), maxBytes: 1 << 16)
        if response.status == 404 { return false }
        guard response.status == 200 else { throw statusError(response, what: "blob \(repository)@\(digest)") }
        return true
    }

    /// Uploads a blob in one piece (POST to open the upload, PUT with the digest), unless the registry has it already.
    @discardableResult
    public func uploadBlob(_ repository: String, data: Data) async throws -> Descriptor {
        let digest = Digest(of: data)
        if try await blobExists(repository, digest: digest) {
            return Descriptor(mediaType: "application/octet-stream", digest: digest, size: data.count)
        }
        let location = try await openUpload(repository)
        var components = URLComponents(string: location)!
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "digest", value: digest.description)]
        let response = try await request("PUT", components.url!.absoluteString, scope: .push(repository),
                                         headers: ["Content-Type": "application/octet-stream"], body: data, maxBytes: 1 << 16)
        guard response.status == 201 || response.status == 204 else { throw statusError(response, what: "uploading blob \(digest) to \(repository)") }
        if let announced = response.header("docker-content-digest"), announced != digest.description {
            throw RegistryError.digestMismatch(url: response.url.absoluteString, expected: digest.description, actual: announced)
        }
        return Descriptor(mediaType: "application/octet-stream", digest: digest, size: data.count)
    }

    /// Opens a blob upload and returns its absolute location URL.
    public func openUpload(_ repository: String) async throws -> String {
        let response = try await request("POST", "/v2/\(repository)/blobs/uploads/", scope: .push(repository), maxBytes: 1 << 16)
        guard response.status == 202, let location = response.header("location") else {
            throw statusError(response, what: "opening a blob upload in \(repository)")
        }
        return URL(string: location, relativeTo: response.url)?.absoluteString ?? location
    }

    /// Cancels an upload opened with ``openUpload(_:)``.
    public func cancelUpload(_ repository: String, location: String) async throws {
        let response = try await request("DELETE", location, scope: .push(repository), maxBytes: 1 << 16)
        guard [200, 202, 204, 404].contains(response.status) else { throw statusError(response, what: "cancelling an upload in \(repository)") }
    }

    // MARK: - Tags and catalog

    /// Every tag of a repository, following `Link` pagination.
    public func tags(_ repository: String, pageSize: Int = 1000) async throws -> [String] {
        var tags: [String] = []
        var seen = Set<String>()
        var next: String? = "/v2/\(repository)/tags/list?n=\(pageSize)"
        var pages = 0
        while let path = next {
            pages += 1
            guard pages <= 100_000 else { throw RegistryError.malformed(url: path, reason: "tag list pagination does not end") }
            let response = try await request("GET", path, scope: .pull(repository), maxBytes: Self.manifestLimit)
            guard response.status == 200 else {
                throw statusError(response, what: "tags of \(repository)", notFound: "repository \(registry)/\(repository)")
            }
            let page = try jsonObject(response)
            for tag in page["tags"]?.arrayValue ?? [] {
                if let tag = tag.stringValue, seen.insert(tag).inserted { tags.append(tag) }
            }
            next = Self.nextLink(response.header("link"))
        }
        return tags
    }

    /// The first page (up to `limit` names) of `/v2/_catalog`.
    public func catalog(limit: Int = 100) async throws -> [String] {
        let response = try await request("GET", "/v2/_catalog?n=\(limit)", scope: .catalog, maxBytes: Self.manifestLimit)
        guard response.status == 200 else { throw statusError(response, what: "the catalog") }
        return try jsonObject(response)["repositories"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// The `<url>` of a `Link: <url>; rel="next"` header.
    static func nextLink(_ header: String?) -> String? {
        guard let header else { return nil }
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }
}

/// What `GET /v2/` said.
public struct PingResult: Sendable, Equatable {
    public let url: String
    public let scheme: String
    /// `none`, `basic` or `bearer`.
    public let authScheme: String
    public let apiVersion: String?
}
