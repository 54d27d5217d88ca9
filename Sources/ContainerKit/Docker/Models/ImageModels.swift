import Foundation

/// One row of `GET /images/json`.
public struct ImageSummary: Codable, Sendable, Equatable {
    public var id: String
    public var parentId: String?
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var created: Int64?
    public var size: Int64?
    public var labels: [String: String]?
    public var containers: Int?
    enum CodingKeys: String, CodingKey {
        case id = "Id", parentId = "ParentId", repoTags = "RepoTags", repoDigests = "RepoDigests", created = "Created"
        case size = "Size", labels = "Labels", containers = "Containers"
    }
}

/// `GET /images/{name}/json`.
public struct ImageInspect: Codable, Sendable, Equatable {
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var parent: String?
    public var comment: String?
    public var created: String?
    public var author: String?
    public var architecture: String?
    public var os: String?
    public var size: Int64?
    /// User, Healthcheck, ExposedPorts, Env, Cmd... of the image.
    public var config: ContainerConfig?
    public var rootFS: RootFS?

    public struct RootFS: Codable, Sendable, Equatable {
        public var type: String
        /// Layer diff IDs, bottom first.
        public var layers: [String]?
        enum CodingKeys: String, CodingKey { case type = "Type", layers = "Layers" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "Id", repoTags = "RepoTags", repoDigests = "RepoDigests", parent = "Parent", comment = "Comment"
        case created = "Created", author = "Author", architecture = "Architecture", os = "Os", size = "Size"
        case config = "Config", rootFS = "RootFS"
    }
}

/// One entry of `GET /images/{name}/history`, newest first.
public struct ImageHistoryEntry: Codable, Sendable, Equatable {
    public var id: String
    public var created: Int64
    public var createdBy: String
    public var tags: [String]?
    public var size: Int64
    public var comment: String?
    enum CodingKeys: String, CodingKey {
        case id = "Id", created = "Created", createdBy = "CreatedBy", tags = "Tags", size = "Size", comment = "Comment"
    }
}

/// One line of `DELETE /images/{name}`.
public struct ImageDeleteItem: Codable, Sendable, Equatable {
    public var untagged: String?
    public var deleted: String?
    enum CodingKeys: String, CodingKey { case untagged = "Untagged", deleted = "Deleted" }
}

/// One line of the JSON progress stream of build, pull, push and import.
/// `error` set means the operation failed even though the HTTP status was 200.
public struct ProgressMessage: Codable, Sendable, Equatable {
    public var status: String?
    /// Build output text.
    public var stream: String?
    public var error: String?
    public var id: String?
    public var progress: String?
    public var aux: Aux?

    /// Result data: the built image ID, or the pushed tag's digest and size.
    public struct Aux: Codable, Sendable, Equatable {
        public var id: String?
        public var tag: String?
        public var digest: String?
        public var size: Int64?
        enum CodingKeys: String, CodingKey { case id = "ID", tag = "Tag", digest = "Digest", size = "Size" }
    }
}

/// Credentials for a registry, sent base64url-encoded in X-Registry-Auth.
public struct RegistryAuth: Codable, Sendable, Equatable {
    public var username: String?
    public var password: String?
    public var serverAddress: String?
    public var identityToken: String?
    public init(username: String? = nil, password: String? = nil, serverAddress: String? = nil, identityToken: String? = nil) {
        self.username = username; self.password = password; self.serverAddress = serverAddress; self.identityToken = identityToken
    }
    enum CodingKeys: String, CodingKey {
        case username, password, serverAddress = "serveraddress", identityToken = "identitytoken"
    }

    /// The header value: base64url of the JSON (an empty object for anonymous access).
    var headerValue: String {
        let json = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

/// What `POST /build` takes besides the context tar.
public struct BuildOptions: Sendable, Equatable {
    /// Tags for the result, e.g. ["contsec-test/app:1"].
    public var tags: [String]
    /// Path of the Dockerfile inside the context.
    public var dockerfile: String
    public var buildArgs: [String: String]
    public var labels: [String: String]
    /// Network for RUN steps; "none" keeps builds offline.
    public var networkMode: String
    public var noCache: Bool
    /// Always try to pull newer base images (off: builds use local images only).
    public var pull: Bool
    /// Remove intermediate containers, even after a failed build.
    public var forceRemove: Bool
    public init(tags: [String] = [], dockerfile: String = "Dockerfile", buildArgs: [String: String] = [:],
                labels: [String: String] = [:], networkMode: String = "none", noCache: Bool = false, pull: Bool = false,
                forceRemove: Bool = true) {
        self.tags = tags; self.dockerfile = dockerfile; self.buildArgs = buildArgs; self.labels = labels
        self.networkMode = networkMode; self.noCache = noCache; self.pull = pull; self.forceRemove = forceRemove
    }
}
