import Foundation

/// Docker's `{}` placeholder in maps used as sets (ExposedPorts, Volumes).
public struct EmptyObject: Codable, Sendable, Equatable {
    public init() {}
}

/// A host port a container port is published on.
public struct PortBinding: Codable, Sendable, Equatable {
    public var hostIp: String?
    public var hostPort: String?
    public init(hostIp: String? = nil, hostPort: String? = nil) { self.hostIp = hostIp; self.hostPort = hostPort }
    enum CodingKeys: String, CodingKey { case hostIp = "HostIp", hostPort = "HostPort" }
}

/// When the daemon restarts a container.
public struct RestartPolicy: Codable, Sendable, Equatable {
    /// "", "no", "always", "unless-stopped" or "on-failure".
    public var name: String?
    public var maximumRetryCount: Int?
    public init(name: String? = nil, maximumRetryCount: Int? = nil) { self.name = name; self.maximumRetryCount = maximumRetryCount }
    enum CodingKeys: String, CodingKey { case name = "Name", maximumRetryCount = "MaximumRetryCount" }
}

/// A host device passed into a container.
public struct DeviceMapping: Codable, Sendable, Equatable {
    public var pathOnHost: String?
    public var pathInContainer: String?
    public var cgroupPermissions: String?
    public init(pathOnHost: String? = nil, pathInContainer: String? = nil, cgroupPermissions: String? = nil) {
        self.pathOnHost = pathOnHost; self.pathInContainer = pathInContainer; self.cgroupPermissions = cgroupPermissions
    }
    enum CodingKeys: String, CodingKey {
        case pathOnHost = "PathOnHost", pathInContainer = "PathInContainer", cgroupPermissions = "CgroupPermissions"
    }
}

/// A resource limit (`ulimit`).
public struct Ulimit: Codable, Sendable, Equatable {
    public var name: String
    public var soft: Int64
    public var hard: Int64
    public init(name: String, soft: Int64, hard: Int64) { self.name = name; self.soft = soft; self.hard = hard }
    enum CodingKeys: String, CodingKey { case name = "Name", soft = "Soft", hard = "Hard" }
}

/// A mount requested at create time (`HostConfig.Mounts`).
public struct MountSpec: Codable, Sendable, Equatable {
    /// "bind", "volume", "tmpfs" or "npipe".
    public var type: String
    public var source: String?
    public var target: String
    public var readOnly: Bool?
    public var volumeOptions: VolumeOptions?
    public var tmpfsOptions: TmpfsOptions?

    public struct VolumeOptions: Codable, Sendable, Equatable {
        public var noCopy: Bool?
        public var labels: [String: String]?
        public init(noCopy: Bool? = nil, labels: [String: String]? = nil) { self.noCopy = noCopy; self.labels = labels }
        enum CodingKeys: String, CodingKey { case noCopy = "NoCopy", labels = "Labels" }
    }

    public struct TmpfsOptions: Codable, Sendable, Equatable {
        public var sizeBytes: Int64?
        public var mode: Int?
        public init(sizeBytes: Int64? = nil, mode: Int? = nil) { self.sizeBytes = sizeBytes; self.mode = mode }
        enum CodingKeys: String, CodingKey { case sizeBytes = "SizeBytes", mode = "Mode" }
    }

    public init(type: String, source: String? = nil, target: String, readOnly: Bool? = nil,
                volumeOptions: VolumeOptions? = nil, tmpfsOptions: TmpfsOptions? = nil) {
        self.type = type; self.source = source; self.target = target; self.readOnly = readOnly
        self.volumeOptions = volumeOptions; self.tmpfsOptions = tmpfsOptions
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly"
        case volumeOptions = "VolumeOptions", tmpfsOptions = "TmpfsOptions"
    }
}

/// Where a container's logs go.
public struct LogConfig: Codable, Sendable, Equatable {
    public var type: String?
    public var config: [String: String]?
    public init(type: String? = nil, config: [String: String]? = nil) { self.type = type; self.config = config }
    enum CodingKeys: String, CodingKey { case type = "Type", config = "Config" }
}

/// Host-side settings of a container: isolation, limits, mounts. Used both to create and in inspect results;
/// every field is optional so an unset field is left to the daemon's default.
public struct HostConfig: Codable, Sendable, Equatable {
    public var privileged: Bool?
    public var capAdd: [String]?
    public var capDrop: [String]?
    public var pidMode: String?
    public var ipcMode: String?
    public var networkMode: String?
    public var utsMode: String?
    public var usernsMode: String?
    public var securityOpt: [String]?
    public var readonlyRootfs: Bool?
    /// Memory limit in bytes (0 = unlimited).
    public var memory: Int64?
    public var memorySwap: Int64?
    /// nil or 0/-1 = unlimited.
    public var pidsLimit: Int64?
    public var cpuShares: Int64?
    public var nanoCpus: Int64?
    public var cpusetCpus: String?
    public var restartPolicy: RestartPolicy?
    public var portBindings: [String: [PortBinding]?]?
    public var binds: [String]?
    public var mounts: [MountSpec]?
    public var devices: [DeviceMapping]?
    public var cgroupParent: String?
    public var ulimits: [Ulimit]?
    /// Tmpfs mounts: container path → mount options.
    public var tmpfs: [String: String]?
    public var autoRemove: Bool?
    public var logConfig: LogConfig?
    public var `init`: Bool?
    public var oomKillDisable: Bool?
    public var groupAdd: [String]?
    public var extraHosts: [String]?
    public var runtime: String?

    public init(privileged: Bool? = nil, capAdd: [String]? = nil, capDrop: [String]? = nil, pidMode: String? = nil,
                ipcMode: String? = nil, networkMode: String? = nil, utsMode: String? = nil, usernsMode: String? = nil,
                securityOpt: [String]? = nil, readonlyRootfs: Bool? = nil, memory: Int64? = nil, memorySwap: Int64? = nil,
                pidsLimit: Int64? = nil, cpuShares: Int64? = nil, nanoCpus: Int64? = nil, cpusetCpus: String? = nil,
                restartPolicy: RestartPolicy? = nil, portBindings: [String: [PortBinding]?]? = nil, binds: [String]? = nil,
                mounts: [MountSpec]? = nil, devices: [DeviceMapping]? = nil, cgroupParent: String? = nil,
                ulimits: [Ulimit]? = nil, tmpfs: [String: String]? = nil, autoRemove: Bool? = nil,
                logConfig: LogConfig? = nil, `init`: Bool? = nil, oomKillDisable: Bool? = nil, groupAdd: [String]? = nil,
                extraHosts: [String]? = nil, runtime: String? = nil) {
        self.privileged = privileged; self.capAdd = capAdd; self.capDrop = capDrop; self.pidMode = pidMode
        self.ipcMode = ipcMode; self.networkMode = networkMode; self.utsMode = utsMode; self.usernsMode = usernsMode
        self.securityOpt = securityOpt; self.readonlyRootfs = readonlyRootfs; self.memory = memory
        self.memorySwap = memorySwap; self.pidsLimit = pidsLimit; self.cpuShares = cpuShares; self.nanoCpus = nanoCpus
        self.cpusetCpus = cpusetCpus; self.restartPolicy = restartPolicy; self.portBindings = portBindings
        self.binds = binds; self.mounts = mounts; self.devices = devices; self.cgroupParent = cgroupParent
        self.ulimits = ulimits; self.tmpfs = tmpfs; self.autoRemove = autoRemove; self.logConfig = logConfig
        self.`init` = `init`; self.oomKillDisable = oomKillDisable; self.groupAdd = groupAdd
        self.extraHosts = extraHosts; self.runtime = runtime
    }

    enum CodingKeys: String, CodingKey {
        case privileged = "Privileged", capAdd = "CapAdd", capDrop = "CapDrop", pidMode = "PidMode", ipcMode = "IpcMode"
        case networkMode = "NetworkMode", utsMode = "UTSMode", usernsMode = "UsernsMode", securityOpt = "SecurityOpt"
        case readonlyRootfs = "ReadonlyRootfs", memory = "Memory", memorySwap = "MemorySwap", pidsLimit = "PidsLimit"
        case cpuShares = "CpuShares", nanoCpus = "NanoCpus", cpusetCpus = "CpusetCpus", restartPolicy = "RestartPolicy"
        case portBindings = "PortBindings", binds = "Binds", mounts = "Mounts", devices = "Devices"
        case cgroupParent = "CgroupParent", ulimits = "Ulimits", tmpfs = "Tmpfs", autoRemove = "AutoRemove"
        case logConfig = "LogConfig", `init` = "Init", oomKillDisable = "OomKillDisable", groupAdd = "GroupAdd"
        case extraHosts = "ExtraHosts", runtime = "Runtime"
    }
}

/// A container or image health check.
public struct HealthcheckConfig: Codable, Sendable, Equatable {
    /// e.g. ["CMD-SHELL", "wget -q -O- localhost"], or ["NONE"] to disable an inherited check.
    public var test: [String]?
    /// Nanoseconds.
    public var interval: Int64?
    public var timeout: Int64?
    public var retries: Int?
    public var startPeriod: Int64?
    public init(test: [String]? = nil, interval: Int64? = nil, timeout: Int64? = nil, retries: Int? = nil, startPeriod: Int64? = nil) {
        self.test = test; self.interval = interval; self.timeout = timeout; self.retries = retries; self.startPeriod = startPeriod
    }
    enum CodingKeys: String, CodingKey {
        case test = "Test", interval = "Interval", timeout = "Timeout", retries = "Retries", startPeriod = "StartPeriod"
    }
}

/// The portable part of a container's (or image's) configuration.
public struct ContainerConfig: Codable, Sendable, Equatable {
    public var hostname: String?
    public var user: String?
    public var env: [String]?
    public var cmd: [String]?
    public var entrypoint: [String]?
    public var image: String?
    public var workingDir: String?
    public var labels: [String: String]?
    public var exposedPorts: [String: EmptyObject]?
    public var volumes: [String: EmptyObject]?
    public var healthcheck: HealthcheckConfig?
    public var tty: Bool?
    public var openStdin: Bool?
    public var attachStdout: Bool?
    public var attachStderr: Bool?
    public var stopSignal: String?

    public init(image: String? = nil, cmd: [String]? = nil, entrypoint: [String]? = nil, env: [String]? = nil,
                user: String? = nil, workingDir: String? = nil, hostname: String? = nil, labels: [String: String]? = nil,
                exposedPorts: [String: EmptyObject]? = nil, volumes: [String: EmptyObject]? = nil,
                healthcheck: HealthcheckConfig? = nil, tty: Bool? = nil, openStdin: Bool? = nil,
                attachStdout: Bool? = nil, attachStderr: Bool? = nil, stopSignal: String? = nil) {
        self.image = image; self.cmd = cmd; self.entrypoint = entrypoint; self.env = env; self.user = user
        self.workingDir = workingDir; self.hostname = hostname; self.labels = labels; self.exposedPorts = exposedPorts
        self.volumes = volumes; self.healthcheck = healthcheck; self.tty = tty; self.openStdin = openStdin
        self.attachStdout = attachStdout; self.attachStderr = attachStderr; self.stopSignal = stopSignal
    }

    enum CodingKeys: String, CodingKey {
        case hostname = "Hostname", user = "User", env = "Env", cmd = "Cmd", entrypoint = "Entrypoint", image = "Image"
        case workingDir = "WorkingDir", labels = "Labels", exposedPorts = "ExposedPorts", volumes = "Volumes"
        case healthcheck = "Healthcheck", tty = "Tty", openStdin = "OpenStdin", attachStdout = "AttachStdout"
        case attachStderr = "AttachStderr", stopSignal = "StopSignal"
    }
}

/// Network endpoint settings requested at create or connect time.
public struct EndpointConfig: Codable, Sendable, Equatable {
    public var ipamConfig: IPAMAddresses?
    public var aliases: [String]?

    public struct IPAMAddresses: Codable, Sendable, Equatable {
        public var ipv4Address: String?
        public var ipv6Address: String?
        public init(ipv4Address: String? = nil, ipv6Address: String? = nil) { self.ipv4Address = ipv4Address; self.ipv6Address = ipv6Address }
        enum CodingKeys: String, CodingKey { case ipv4Address = "IPv4Address", ipv6Address = "IPv6Address" }
    }

    public init(ipamConfig: IPAMAddresses? = nil, aliases: [String]? = nil) { self.ipamConfig = ipamConfig; self.aliases = aliases }
    enum CodingKeys: String, CodingKey { case ipamConfig = "IPAMConfig", aliases = "Aliases" }
}

/// Everything `POST /containers/create` takes: the config, host settings and initial networks.
public struct ContainerCreateOptions: Encodable, Sendable, Equatable {
    public var config: ContainerConfig
    public var hostConfig: HostConfig?
    /// Network name → endpoint settings.
    public var networks: [String: EndpointConfig]?

    public init(config: ContainerConfig, hostConfig: HostConfig? = nil, networks: [String: EndpointConfig]? = nil) {
        self.config = config; self.hostConfig = hostConfig; self.networks = networks
    }

    private enum Keys: String, CodingKey { case hostConfig = "HostConfig", networkingConfig = "NetworkingConfig" }
    private struct NetworkingConfig: Encodable {
        var endpointsConfig: [String: EndpointConfig]
        enum CodingKeys: String, CodingKey { case endpointsConfig = "EndpointsConfig" }
    }

    /// Docker wants the config's fields at the top level, beside HostConfig and NetworkingConfig.
    public func encode(to encoder: Encoder) throws {
        try config.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(hostConfig, forKey: .hostConfig)
        try container.encodeIfPresent(networks.map { NetworkingConfig(endpointsConfig: $0) }, forKey: .networkingConfig)
    }
}
