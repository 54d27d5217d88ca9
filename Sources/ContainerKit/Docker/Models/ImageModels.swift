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

/// A progress line of image create/import/push; `error` set means the operation failed despite HTTP 200.
struct ProgressMessage: Codable, Sendable {
    var status: String?
    var error: String?
    var id: String?
}
