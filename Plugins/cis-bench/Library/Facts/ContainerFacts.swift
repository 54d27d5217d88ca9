import ContainerKit

/// An exec session the daemon still knows for a container (`/exec/{id}/json`).
public struct ExecFacts: Sendable, Equatable {
    public var id: String
    public var privileged: Bool
    public var user: String
    public var running: Bool
}

/// Everything section 4 and 5 read about one container, gathered once: its inspect data, its exec sessions and the
/// names of its processes.
public struct ContainerFacts: Sendable {
    public var inspect: ContainerInspect
    public var execs: [ExecFacts]
    /// Process names inside the container; nil when they could not be read (stopped container, engine refused).
    public var processNames: [String]?

    public init(inspect: ContainerInspect, execs: [ExecFacts] = [], processNames: [String]? = nil) {
        self.inspect = inspect; self.execs = execs; self.processNames = processNames
    }

    public var id: String { inspect.id }
    /// The name without the engine's leading slash.
    public var name: String { inspect.name.hasPrefix("/") ? String(inspect.name.dropFirst()) : inspect.name }
    public var host: HostConfig { inspect.hostConfig }
    public var securityOpts: [String] { inspect.hostConfig.securityOpt ?? [] }

    public func offender(_ detail: String? = nil) -> Offender {
        Offender(kind: "container", name: name, id: id, detail: detail)
    }

    /// Runs as root: no USER, or user 0 / root (with or without a group).
    public var runsAsRoot: Bool {
        let user = (inspect.config.user ?? "").trimmingCharacters(in: .whitespaces)
        let name = user.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return name.isEmpty || name == "0" || name == "root"
    }

    /// Published ports: the live mapping of a running container (what `docker port` shows), else the bindings it was
    /// created with, so a created-but-stopped container is judged on what it would publish.
    /// `declared` marks bindings taken from HostConfig (not published now, e.g. on an internal network, or stopped).
    public var publishedPorts: [(containerPort: String, hostIP: String, hostPort: Int, declared: Bool)] {
        var result: [(String, String, Int, Bool)] = []
        let live = inspect.networkSettings?.ports ?? [:]
        let isLive = live.values.contains(where: { !($0 ?? []).isEmpty })
        let source: [String: [PortBinding]?] = isLive ? live : (host.portBindings ?? [:])
        for (port, bindings) in source.sorted(by: { $0.key < $1.key }) {
            for b in bindings ?? [] {
                result.append((port, b.hostIp ?? "", Int(b.hostPort ?? "") ?? 0, !isLive))
            }
        }
        return result
    }

    /// Whether a security option is set, in either spelling ("seccomp=unconfined", "seccomp:unconfined").
    public func hasSecurityOpt(_ key: String, value: String? = nil) -> Bool {
        securityOpts.contains { opt in
            let parts = opt.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == ":" }).map(String.init)
            guard parts.first == key else { return false }
            guard let value else { return parts.count == 1 || parts[1] != "false" }
            return parts.count == 2 && parts[1] == value
        }
    }
}

/// An image with its inspect data and (when a check needs it) its history.
public struct ImageFacts: Sendable {
    public var inspect: ImageInspect
    public var history: [ImageHistoryEntry]?

    public var displayName: String {
        if let tag = inspect.repoTags?.first(where: { $0 != "<none>:<none>" }) { return tag }
        return String(inspect.id.replacingOccurrences(of: "sha256:", with: "").prefix(12))
    }

    public func offender(_ detail: String? = nil) -> Offender {
        Offender(kind: "image", name: displayName, id: inspect.id, detail: detail)
    }
}

/// Swarm state, read only when the node is in a swarm.
public struct SwarmFacts: Sendable {
    /// "inactive", "active", "pending", "locked", "error".
    public var state: String
    public var managerCount: Int?
    public var autoLockEnabled: Bool?
    public var secretCount: Int?
    /// NodeCertExpiry in nanoseconds.
    public var nodeCertExpiry: Int64?
    /// Addresses listening on the swarm management port 2377.
    public var managementListeners: [String]
    /// Why swarm details could not be read (e.g. a worker node cannot list nodes).
    public var error: String?

    public var active: Bool { state == "active" }
    public static let inactive = SwarmFacts(state: "inactive", managementListeners: [])
}
