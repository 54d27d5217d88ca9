import ContsecProtocol

/// A container as the re-create helper sees it: who it is, what state it is in, and the create request that
/// reproduces it (``ContainerCreateSpec``).
///
/// Turning inspect output into a create request needs a few translations, each recorded in ``notes``:
/// - `HostConfig.Links` come back as `/db:/web/db` and are sent as `db:db`;
/// - the engine's automatic alias (the old container's short id) is dropped from each network's aliases, since
///   the new container gets its own;
/// - anonymous volumes (and image-declared ones) are mounted again by name: a new container would otherwise get
///   new, empty ones and the data would stay behind with the removed container;
/// - in `container:<id>` network mode `Hostname`/`Domainname` are left out (the engine refuses them; the other
///   container's namespace decides them).
/// The hostname is otherwise kept, even when the engine chose it (the old short id): applications that key state
/// on the hostname (RabbitMQ's node name, for one) must see the same one.
public struct InspectedContainer: Sendable, Equatable {
    /// Full container id.
    public var id: String
    /// Name without the leading `/`.
    public var name: String
    /// The image id (`sha256:...`) the container runs.
    public var imageID: String
    /// `created`, `running`, `paused`, `restarting`, `exited`, `removing` or `dead`.
    public var status: String
    public var isRunning: Bool
    /// `HostConfig.AutoRemove` (`--rm`): stopping such a container deletes it.
    public var autoRemove: Bool
    /// `Config.StopTimeout` in seconds, when set.
    public var stopTimeout: Int?
    /// The create request that reproduces this container.
    public var spec: ContainerCreateSpec
    /// What was translated to turn inspect output into that request.
    public var notes: [String]

    /// Reads `GET /containers/{id}/json` output.
    /// - Throws: `RecreateError.unsupported` when the output lacks `Id`, `Name`, `Config` or `HostConfig`.
    public init(inspect: JSONValue) throws {
        guard let id = inspect["Id"]?.stringValue, let rawName = inspect["Name"]?.stringValue,
              var config = inspect["Config"]?.objectValue, var hostConfig = inspect["HostConfig"]?.objectValue else {
            throw RecreateError.unsupported("the engine's inspect output lacks Id, Name, Config or HostConfig")
        }
        self.id = id
        name = rawName.hasPrefix("/") ? String(rawName.dropFirst()) : rawName
        imageID = inspect["Image"]?.stringValue ?? ""
        status = inspect["State"]?["Status"]?.stringValue ?? "unknown"
        isRunning = inspect["State"]?["Running"]?.boolValue ?? false
        autoRemove = hostConfig["AutoRemove"]?.boolValue ?? false
        stopTimeout = config["StopTimeout"]?.intValue
        var notes: [String] = []

        let networkMode = hostConfig["NetworkMode"]?.stringValue ?? "default"
        if networkMode.hasPrefix("container:") {
            config.removeValue(forKey: "Hostname")
            config.removeValue(forKey: "Domainname")
        }
        if let links = hostConfig["Links"]?.arrayValue, !links.isEmpty {
            hostConfig["Links"] = .array(links.compactMap(\.stringValue).map { .string(Self.createFormLink($0)) })
        }

        var networks: [String: [String: JSONValue]] = [:]
        let ownsNetworkNamespace = !(["host", "none"].contains(networkMode) || networkMode.hasPrefix("container:"))
        if ownsNetworkNamespace, let attached = inspect["NetworkSettings"]?["Networks"]?.objectValue {
            let shortID = String(id.prefix(12))
            for (network, settings) in attached {
                networks[network] = Self.endpoint(from: settings, droppingAlias: shortID)
            }
        }

        spec = ContainerCreateSpec(config: config, hostConfig: hostConfig, networks: networks)

        // Volumes the request does not name (anonymous, image-declared, or from --volumes-from) are mounted again
        // by name, so the new container sees the same data.
        let named = spec.mountTargets
        for mount in inspect["Mounts"]?.arrayValue ?? [] {
            guard mount["Type"]?.stringValue == "volume", let volume = mount["Name"]?.stringValue,
                  let target = mount["Destination"]?.stringValue, !named.contains(target) else { continue }
            let readOnly = mount["RW"]?.boolValue == false
            spec.mounts.append(["Type": "volume", "Source": .string(volume), "Target": .string(target),
                                "ReadOnly": .bool(readOnly)])
            notes.append("volume \(volume) at \(target) is mounted again by name (it was not named in the container's "
                         + "create request, so a new container would get an empty one)")
        }
        self.notes = notes
    }

    /// The endpoint settings create accepts, from an inspect `Networks` entry.
    static func endpoint(from settings: JSONValue, droppingAlias shortID: String) -> [String: JSONValue] {
        var endpoint: [String: JSONValue] = [:]
        if let ipam = settings["IPAMConfig"]?.objectValue {
            let set = ipam.filter { !($0.value.isNull || $0.value.stringValue == "" || $0.value.arrayValue?.isEmpty == true) }
            if !set.isEmpty { endpoint["IPAMConfig"] = .object(set) }
        }
        let aliases = ContainerCreateSpec.strings(settings["Aliases"]).filter { $0 != shortID }
        if !aliases.isEmpty { endpoint["Aliases"] = .array(aliases.map(JSONValue.string)) }
        for key in ["Links", "DriverOpts"] {
            if let value = settings[key], !value.isNull, value.arrayValue?.isEmpty != true, value.objectValue?.isEmpty != true {
                endpoint[key] = value
            }
        }
        return endpoint
    }

    /// `/db:/web/db` (inspect) → `db:db` (create).
    static func createFormLink(_ link: String) -> String {
        let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return link }
        let source = parts[0].hasPrefix("/") ? String(parts[0].dropFirst()) : parts[0]
        let alias = parts[1].split(separator: "/").last.map(String.init) ?? parts[1]
        return "\(source):\(alias)"
    }
}
