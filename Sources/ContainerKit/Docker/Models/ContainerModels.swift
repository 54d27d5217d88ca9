import Foundation

/// A port as listed by `GET /containers/json`.
public struct ContainerPort: Codable, Sendable, Equatable {
    public var ip: String?
    public var privatePort: Int
    public var publicPort: Int?
    public var type: String
    enum CodingKeys: String, CodingKey { case ip = "IP", privatePort = "PrivatePort", publicPort = "PublicPort", type = "Type" }
}

/// A mount as the daemon reports it on a container.
public struct MountPoint: Codable, Sendable, Equatable {
    public var type: String?
    public var name: String?
    public var source: String?
    public var destination: String
    public var driver: String?
    public var mode: String?
    public var rw: Bool?
    public var propagation: String?
    enum CodingKeys: String, CodingKey {
        case type = "Type", name = "Name", source = "Source", destination = "Destination", driver = "Driver"
        case mode = "Mode", rw = "RW", propagation = "Propagation"
    }
}

/// One row of `GET /containers/json`.
public struct ContainerSummary: Codable, Sendable, Equatable {
    public var id: String
    public var names: [String]
    public var image: String
    public var imageID: String?
    public var command: String?
    public var created: Int64?
    /// "created", "running", "paused", "restarting", "removing", "exited" or "dead".
    public var state: String?
    public var status: String?
    public var labels: [String: String]?
    public var ports: [ContainerPort]?
    public var mounts: [MountPoint]?
    enum CodingKeys: String, CodingKey {
        case id = "Id", names = "Names", image = "Image", imageID = "ImageID", command = "Command", created = "Created"
        case state = "State", status = "Status", labels = "Labels", ports = "Ports", mounts = "Mounts"
    }
}

/// A container's run state.
public struct ContainerState: Codable, Sendable, Equatable {
    public var status: String?
    public var running: Bool
    public var paused: Bool?
    public var restarting: Bool?
    public var oomKilled: Bool?
    public var dead: Bool?
    public var pid: Int?
    public var exitCode: Int?
    public var error: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var health: Health?

    public struct Health: Codable, Sendable, Equatable {
        /// "starting", "healthy" or "unhealthy".
        public var status: String?
        public var failingStreak: Int?
        enum CodingKeys: String, CodingKey { case status = "Status", failingStreak = "FailingStreak" }
    }

    enum CodingKeys: String, CodingKey {
        case status = "Status", running = "Running", paused = "Paused", restarting = "Restarting", oomKilled = "OOMKilled"
        case dead = "Dead", pid = "Pid", exitCode = "ExitCode", error = "Error", startedAt = "StartedAt"
        case finishedAt = "FinishedAt", health = "Health"
    }
}

/// A container's attachment to one network.
public struct EndpointSettings: Codable, Sendable, Equatable {
    public var networkID: String?
    public var endpointID: String?
    public var gateway: String?
    public var ipAddress: String?
    public var ipPrefixLen: Int?
    public var macAddress: String?
    public var aliases: [String]?
    enum CodingKeys: String, CodingKey {
        case networkID = "NetworkID", endpointID = "EndpointID", gateway = "Gateway", ipAddress = "IPAddress"
        case ipPrefixLen = "IPPrefixLen", macAddress = "MacAddress", aliases = "Aliases"
    }
}

/// A container's networking as inspect reports it.
public struct NetworkSettings: Codable, Sendable, Equatable {
    public var networks: [String: EndpointSettings]?
    public var ports: [String: [PortBinding]?]?
    enum CodingKeys: String, CodingKey { case networks = "Networks", ports = "Ports" }
}

/// `GET /containers/{id}/json`.
public struct ContainerInspect: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var created: String?
    public var path: String?
    public var args: [String]?
    public var state: ContainerState
    public var image: String
    public var restartCount: Int?
    public var driver: String?
    public var appArmorProfile: String?
    public var hostConfig: HostConfig
    public var config: ContainerConfig
    public var mounts: [MountPoint]?
    public var networkSettings: NetworkSettings?
    /// IDs of this container's exec sessions that are created or still running (inspect each with `inspectExec`).
    public var execIDs: [String]?
    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", created = "Created", path = "Path", args = "Args", state = "State", image = "Image"
        case restartCount = "RestartCount", driver = "Driver", appArmorProfile = "AppArmorProfile"
        case hostConfig = "HostConfig", config = "Config", mounts = "Mounts", networkSettings = "NetworkSettings"
        case execIDs = "ExecIDs"
    }
}

/// Answer of `POST /containers/create`.
public struct ContainerCreateResponse: Codable, Sendable, Equatable {
    public var id: String
    public var warnings: [String]?
    enum CodingKeys: String, CodingKey { case id = "Id", warnings = "Warnings" }
}

/// Answer of `POST /containers/{id}/wait`.
public struct ContainerWaitResponse: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var error: WaitError?
    public struct WaitError: Codable, Sendable, Equatable {
        public var message: String?
        enum CodingKeys: String, CodingKey { case message = "Message" }
    }
    enum CodingKeys: String, CodingKey { case statusCode = "StatusCode", error = "Error" }
}

/// `GET /containers/{id}/top`: a `ps` table.
public struct ContainerTop: Codable, Sendable, Equatable {
    public var titles: [String]
    public var processes: [[String]]
    enum CodingKeys: String, CodingKey { case titles = "Titles", processes = "Processes" }
}

/// One entry of `GET /containers/{id}/changes`.
public struct FilesystemChange: Codable, Sendable, Equatable {
    public enum Kind: Int, Codable, Sendable { case modified = 0, added = 1, deleted = 2 }
    public var path: String
    public var kind: Kind
    enum CodingKeys: String, CodingKey { case path = "Path", kind = "Kind" }
}

/// What to read from `GET /containers/{id}/logs`.
public struct LogOptions: Sendable, Equatable {
    public var stdout = true
    public var stderr = true
    /// Keep the stream open for new output.
    public var follow = false
    public var timestamps = false
    /// Unix seconds.
    public var since: Int?
    public var until: Int?
    /// Number of lines from the end, or nil for all.
    public var tail: Int?
    public init(stdout: Bool = true, stderr: Bool = true, follow: Bool = false, timestamps: Bool = false,
                since: Int? = nil, until: Int? = nil, tail: Int? = nil) {
        self.stdout = stdout; self.stderr = stderr; self.follow = follow; self.timestamps = timestamps
        self.since = since; self.until = until; self.tail = tail
    }
}
