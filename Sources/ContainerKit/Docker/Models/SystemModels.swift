import Foundation

/// `GET /version`.
public struct VersionInfo: Codable, Sendable, Equatable {
    public var version: String
    public var apiVersion: String
    public var minAPIVersion: String?
    public var os: String?
    public var arch: String?
    public var kernelVersion: String?
    public var goVersion: String?
    public var gitCommit: String?
    enum CodingKeys: String, CodingKey {
        case version = "Version", apiVersion = "ApiVersion", minAPIVersion = "MinAPIVersion", os = "Os", arch = "Arch"
        case kernelVersion = "KernelVersion", goVersion = "GoVersion", gitCommit = "GitCommit"
    }
}

/// `GET /info`: the daemon's configuration, including what the CIS benchmark checks.
public struct SystemInfo: Codable, Sendable, Equatable {
    public var id: String?
    public var name: String?
    public var serverVersion: String?
    public var containers: Int?
    public var containersRunning: Int?
    public var images: Int?
    /// Storage driver, e.g. "overlay2".
    public var driver: String?
    public var dockerRootDir: String?
    public var operatingSystem: String?
    public var kernelVersion: String?
    public var ncpu: Int?
    public var memTotal: Int64?
    /// e.g. ["name=apparmor", "name=seccomp,profile=default", "name=userns"].
    public var securityOptions: [String]?
    public var cgroupDriver: String?
    public var cgroupVersion: String?
    public var liveRestoreEnabled: Bool?
    public var loggingDriver: String?
    public var defaultRuntime: String?
    public var experimentalBuild: Bool?
    public var debug: Bool?
    public var httpProxy: String?
    public var httpsProxy: String?
    public var noProxy: String?
    public var labels: [String]?
    public var registryConfig: RegistryConfig?
    public var swarm: Swarm?
    public var warnings: [String]?

    public struct RegistryConfig: Codable, Sendable, Equatable {
        public var insecureRegistryCIDRs: [String]?
        public var indexConfigs: [String: IndexConfig]?
        public var mirrors: [String]?
        public struct IndexConfig: Codable, Sendable, Equatable {
            public var name: String?
            public var secure: Bool?
            public var official: Bool?
            enum CodingKeys: String, CodingKey { case name = "Name", secure = "Secure", official = "Official" }
        }
        enum CodingKeys: String, CodingKey { case insecureRegistryCIDRs = "InsecureRegistryCIDRs", indexConfigs = "IndexConfigs", mirrors = "Mirrors" }
    }

    public struct Swarm: Codable, Sendable, Equatable {
        /// "inactive", "pending", "active", "error" or "locked".
        public var localNodeState: String?
        enum CodingKeys: String, CodingKey { case localNodeState = "LocalNodeState" }
    }

    enum CodingKeys: String, CodingKey {
        case id = "ID", name = "Name", serverVersion = "ServerVersion", containers = "Containers"
        case containersRunning = "ContainersRunning", images = "Images", driver = "Driver", dockerRootDir = "DockerRootDir"
        case operatingSystem = "OperatingSystem", kernelVersion = "KernelVersion", ncpu = "NCPU", memTotal = "MemTotal"
        case securityOptions = "SecurityOptions", cgroupDriver = "CgroupDriver", cgroupVersion = "CgroupVersion"
        case liveRestoreEnabled = "LiveRestoreEnabled", loggingDriver = "LoggingDriver", defaultRuntime = "DefaultRuntime"
        case experimentalBuild = "ExperimentalBuild", debug = "Debug", httpProxy = "HttpProxy", httpsProxy = "HttpsProxy"
        case noProxy = "NoProxy", labels = "Labels", registryConfig = "RegistryConfig", swarm = "Swarm", warnings = "Warnings"
    }
}

/// One message of `GET /events`.
public struct DockerEvent: Codable, Sendable, Equatable {
    /// "container", "image", "network", "volume", "daemon"...
    public var type: String?
    /// "create", "start", "die", "connect"...
    public var action: String?
    public var actor: Actor?
    public var scope: String?
    /// Unix seconds.
    public var time: Int64?
    public var timeNano: Int64?

    public struct Actor: Codable, Sendable, Equatable {
        public var id: String?
        public var attributes: [String: String]?
        enum CodingKeys: String, CodingKey { case id = "ID", attributes = "Attributes" }
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", action = "Action", actor = "Actor", scope, time, timeNano
    }
}

/// What `GET /events` should deliver.
public struct EventFilters: Sendable, Equatable {
    /// Unix seconds; past events from here are replayed first.
    public var since: Int?
    /// Unix seconds; the stream ends at this time.
    public var until: Int?
    /// Docker filters, e.g. ["type": ["container"], "event": ["start"], "container": [id]].
    public var filters: [String: [String]]
    public init(since: Int? = nil, until: Int? = nil, filters: [String: [String]] = [:]) {
        self.since = since; self.until = until; self.filters = filters
    }
}
