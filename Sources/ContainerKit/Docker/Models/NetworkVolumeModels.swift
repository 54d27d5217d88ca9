import Foundation

/// IP address management of a network.
public struct IPAM: Codable, Sendable, Equatable {
    public var driver: String?
    public var config: [Pool]?
    public var options: [String: String]?

    /// One address pool: subnet, gateway, optional allocation range.
    public struct Pool: Codable, Sendable, Equatable {
        public var subnet: String?
        public var gateway: String?
        public var ipRange: String?
        public init(subnet: String? = nil, gateway: String? = nil, ipRange: String? = nil) {
            self.subnet = subnet; self.gateway = gateway; self.ipRange = ipRange
        }
        enum CodingKeys: String, CodingKey { case subnet = "Subnet", gateway = "Gateway", ipRange = "IPRange" }
    }

    public init(driver: String? = nil, config: [Pool]? = nil, options: [String: String]? = nil) {
        self.driver = driver; self.config = config; self.options = options
    }
    enum CodingKeys: String, CodingKey { case driver = "Driver", config = "Config", options = "Options" }
}

/// A network as `GET /networks` and `GET /networks/{id}` report it.
public struct Network: Codable, Sendable, Equatable {
    public var name: String
    public var id: String
    public var created: String?
    public var scope: String?
    public var driver: String?
    public var enableIPv6: Bool?
    public var ipam: IPAM?
    /// No route to the outside.
    public var `internal`: Bool?
    public var attachable: Bool?
    public var ingress: Bool?
    /// Container ID → attachment (filled by inspect).
    public var containers: [String: Attachment]?
    public var options: [String: String]?
    public var labels: [String: String]?

    public struct Attachment: Codable, Sendable, Equatable {
        public var name: String?
        public var endpointID: String?
        public var macAddress: String?
        public var ipv4Address: String?
        public var ipv6Address: String?
        enum CodingKeys: String, CodingKey {
            case name = "Name", endpointID = "EndpointID", macAddress = "MacAddress"
            case ipv4Address = "IPv4Address", ipv6Address = "IPv6Address"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", id = "Id", created = "Created", scope = "Scope", driver = "Driver", enableIPv6 = "EnableIPv6"
        case ipam = "IPAM", `internal` = "Internal", attachable = "Attachable", ingress = "Ingress"
        case containers = "Containers", options = "Options", labels = "Labels"
    }
}

/// What `POST /networks/create` takes.
public struct NetworkCreateOptions: Codable, Sendable, Equatable {
    public var name: String
    public var driver: String?
    public var `internal`: Bool?
    public var attachable: Bool?
    public var enableIPv6: Bool?
    public var ipam: IPAM?
    /// Driver options, e.g. "com.docker.network.bridge.enable_icc": "false".
    public var options: [String: String]?
    public var labels: [String: String]?
    public var checkDuplicate: Bool?

    public init(name: String, driver: String? = nil, internal: Bool? = nil, attachable: Bool? = nil,
                enableIPv6: Bool? = nil, ipam: IPAM? = nil, options: [String: String]? = nil,
                labels: [String: String]? = nil, checkDuplicate: Bool? = true) {
        self.name = name; self.driver = driver; self.internal = `internal`; self.attachable = attachable
        self.enableIPv6 = enableIPv6; self.ipam = ipam; self.options = options; self.labels = labels
        self.checkDuplicate = checkDuplicate
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", `internal` = "Internal", attachable = "Attachable"
        case enableIPv6 = "EnableIPv6", ipam = "IPAM", options = "Options", labels = "Labels"
        case checkDuplicate = "CheckDuplicate"
    }
}

/// Answer of `POST /networks/create`.
public struct NetworkCreateResponse: Codable, Sendable, Equatable {
    public var id: String
    public var warning: String?
    enum CodingKeys: String, CodingKey { case id = "Id", warning = "Warning" }
}

/// A named volume.
public struct Volume: Codable, Sendable, Equatable {
    public var name: String
    public var driver: String
    public var mountpoint: String?
    public var createdAt: String?
    public var labels: [String: String]?
    public var scope: String?
    /// Driver options the volume was created with (for `local`: type, device, o).
    public var options: [String: String]?
    enum CodingKeys: String, CodingKey {
        case name = "Name", driver = "Driver", mountpoint = "Mountpoint", createdAt = "CreatedAt", labels = "Labels"
        case scope = "Scope", options = "Options"
    }
}

/// What `POST /volumes/create` takes.
public struct VolumeCreateOptions: Codable, Sendable, Equatable {
    public var name: String?
    public var driver: String?
    /// For the `local` driver: ["type": "tmpfs", "device": "tmpfs", "o": "size=16m"] and the like.
    public var driverOpts: [String: String]?
    public var labels: [String: String]?
    public init(name: String? = nil, driver: String? = "local", driverOpts: [String: String]? = nil, labels: [String: String]? = nil) {
        self.name = name; self.driver = driver; self.driverOpts = driverOpts; self.labels = labels
    }
    enum CodingKeys: String, CodingKey { case name = "Name", driver = "Driver", driverOpts = "DriverOpts", labels = "Labels" }
}

struct VolumeListResponse: Codable, Sendable {
    var volumes: [Volume]?
    var warnings: [String]?
    enum CodingKeys: String, CodingKey { case volumes = "Volumes", warnings = "Warnings" }
}
