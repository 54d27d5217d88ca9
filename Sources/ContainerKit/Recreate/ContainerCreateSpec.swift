import ContsecProtocol

/// The whole `POST /containers/create` request for an existing container, derived from its inspect output.
///
/// It is kept as raw JSON, not the typed models, so that every field `docker inspect` shows and create accepts
/// (env, cmd, entrypoint, labels, user, workdir, hostname, ports, restart policy, resources, ulimits, sysctls,
/// devices, mounts, tmpfs, DNS, extra hosts, caps, security options, log config, healthcheck, stop signal and
/// timeout, and fields a newer engine adds) reaches the new container unchanged, including ones this package has
/// never heard of. The typed accessors cover the settings callers change: security options, mounts, networks.
///
/// Build one with ``init(inspect:)`` (or let ``ContainerRecreator`` do it), edit it in a ``RecreateChange``.
public struct ContainerCreateSpec: Sendable, Equatable {
    /// The container's `Config` object: the top-level fields of the create body (`Image`, `Env`, `Cmd`, ...).
    public var config: [String: JSONValue]
    /// `HostConfig` as the engine reported it (with `Links` in create form and carried-over anonymous volumes).
    public var hostConfig: [String: JSONValue]
    /// Networks to attach: network name → endpoint settings in create form (`IPAMConfig`, `Aliases`, `Links`,
    /// `DriverOpts`). Empty for `host`, `none` and `container:<id>` network modes, which `NetworkMode` alone sets.
    public var networks: [String: [String: JSONValue]]

    public init(config: [String: JSONValue], hostConfig: [String: JSONValue], networks: [String: [String: JSONValue]]) {
        self.config = config
        self.hostConfig = hostConfig
        self.networks = networks
    }

    // MARK: - Typed accessors

    /// `Config.Image`: the reference the container is created from.
    public var image: String {
        get { config["Image"]?.stringValue ?? "" }
        set { config["Image"] = .string(newValue) }
    }

    /// `HostConfig.NetworkMode`: a network name, `default`, `bridge`, `host`, `none` or `container:<id>`.
    public var networkMode: String {
        get { hostConfig["NetworkMode"]?.stringValue ?? "default" }
        set { hostConfig["NetworkMode"] = .string(newValue) }
    }

    /// `HostConfig.SecurityOpt`, e.g. `["no-new-privileges", "seccomp=<profile JSON>", "apparmor=web"]`.
    public var securityOptions: [String] {
        get { Self.strings(hostConfig["SecurityOpt"]) }
        set { hostConfig["SecurityOpt"] = newValue.isEmpty ? .null : .array(newValue.map(JSONValue.string)) }
    }

    /// The value of security option `key` (`seccomp`, `apparmor`, `label`...): nil when unset. Both of the engine's
    /// spellings are read (`key=value` and the legacy `key:value`).
    public func securityOption(_ key: String) -> String? {
        for option in securityOptions {
            if let value = Self.optionValue(option, key: key) { return value }
        }
        return nil
    }

    /// Sets security option `key` to `value` (replacing any earlier value, in either spelling), or removes it
    /// when `value` is nil. For the seccomp profile `value` is the profile's JSON text (or `unconfined`), as the
    /// docker CLI sends it: the engine takes the content, not a path.
    public mutating func setSecurityOption(_ key: String, _ value: String?) {
        var options = securityOptions.filter { Self.optionValue($0, key: key) == nil }
        if let value { options.append("\(key)=\(value)") }
        securityOptions = options
    }

    /// `HostConfig.Binds`: `source:target[:options]` strings.
    public var binds: [String] {
        get { Self.strings(hostConfig["Binds"]) }
        set { hostConfig["Binds"] = newValue.isEmpty ? .null : .array(newValue.map(JSONValue.string)) }
    }

    /// `HostConfig.Mounts` as raw objects (keeping `BindOptions`, `VolumeOptions`, `Consistency`...).
    public var mounts: [[String: JSONValue]] {
        get { (hostConfig["Mounts"]?.arrayValue ?? []).compactMap(\.objectValue) }
        set { hostConfig["Mounts"] = newValue.isEmpty ? .null : .array(newValue.map(JSONValue.object)) }
    }

    /// Every container path something is mounted at by `Binds`, `Mounts` or `Tmpfs`.
    public var mountTargets: Set<String> {
        var targets = Set(mounts.compactMap { $0["Target"]?.stringValue })
        for bind in binds { if let target = Self.bindTarget(bind) { targets.insert(target) } }
        if let tmpfs = hostConfig["Tmpfs"]?.objectValue { targets.formUnion(tmpfs.keys) }
        return targets
    }

    /// Adds a mount (`HostConfig.Mounts`). Throws if something is already mounted at its target: the engine
    /// would refuse the duplicate, and silently replacing a mount could hide a volume's data.
    public mutating func addMount(_ mount: MountSpec) throws {
        guard !mountTargets.contains(mount.target) else {
            throw RecreateError.invalidChange("something is already mounted at \(mount.target); remove that mount first")
        }
        mounts.append(Self.object(mount))
    }

    /// Removes whatever `Binds`, `Mounts` or `Tmpfs` mounts at `target`; returns whether anything was removed.
    @discardableResult
    public mutating func removeMount(target: String) -> Bool {
        let before = (binds.count, mounts.count, hostConfig["Tmpfs"]?.objectValue?.count ?? 0)
        binds = binds.filter { Self.bindTarget($0) != target }
        mounts = mounts.filter { $0["Target"]?.stringValue != target }
        if var tmpfs = hostConfig["Tmpfs"]?.objectValue {
            tmpfs.removeValue(forKey: target)
            hostConfig["Tmpfs"] = tmpfs.isEmpty ? .null : .object(tmpfs)
        }
        return before != (binds.count, mounts.count, hostConfig["Tmpfs"]?.objectValue?.count ?? 0)
    }

    /// Attaches the container to `network` (replacing an earlier endpoint on it). With `NetworkMode` `none` or
    /// `default` and no other network, the network becomes the primary one.
    public mutating func connect(network: String, aliases: [String] = [], ipv4Address: String? = nil,
                                 ipv6Address: String? = nil) {
        var endpoint: [String: JSONValue] = [:]
        if !aliases.isEmpty { endpoint["Aliases"] = .array(aliases.map(JSONValue.string)) }
        var ipam: [String: JSONValue] = [:]
        if let ipv4Address { ipam["IPv4Address"] = .string(ipv4Address) }
        if let ipv6Address { ipam["IPv6Address"] = .string(ipv6Address) }
        if !ipam.isEmpty { endpoint["IPAMConfig"] = .object(ipam) }
        if networks.isEmpty, ["none", "default", "bridge"].contains(networkMode) || networkMode.isEmpty {
            networkMode = network
        }
        networks[network] = endpoint
    }

    /// Detaches the container from `network`. When it was the primary network (`NetworkMode`), the next attached
    /// network (by name) takes its place, or `none` when no network is left.
    public mutating func disconnect(network: String) {
        networks[network] = nil
        if networkMode == network {
            networkMode = networks.keys.sorted().first ?? "none"
        }
    }

    /// The network the container is created on; the others are connected before it starts (engines before API
    /// 1.44 accept one network in `NetworkingConfig`).
    public var primaryNetwork: String? {
        if networks[networkMode] != nil { return networkMode }
        if networkMode == "default", networks["bridge"] != nil { return "bridge" }
        return networks.keys.sorted().first
    }

    /// The create request body: the config fields at the top level, `HostConfig`, and `NetworkingConfig` with the
    /// primary network only.
    public var createBody: JSONValue {
        var body = config
        body["HostConfig"] = .object(hostConfig)
        if let primary = primaryNetwork, let endpoint = networks[primary] {
            body["NetworkingConfig"] = ["EndpointsConfig": .object([primary: .object(endpoint)])]
        }
        return .object(body)
    }

    /// Networks connected after create, in a stable order.
    public var secondaryNetworks: [String] {
        networks.keys.filter { $0 != primaryNetwork }.sorted()
    }

    // MARK: - Helpers

    static func strings(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// `seccomp=...` / `seccomp:...` → the value; other keys → nil. `no-new-privileges` has no value: "".
    static func optionValue(_ option: String, key: String) -> String? {
        guard option.hasPrefix(key) else { return nil }
        let rest = option.dropFirst(key.count)
        if rest.isEmpty { return "" }
        guard let first = rest.first, first == "=" || first == ":" else { return nil }
        return String(rest.dropFirst())
    }

    /// The container path of a `Binds` entry (`src:dst`, `src:dst:ro`, `dst` for an anonymous volume).
    static func bindTarget(_ bind: String) -> String? {
        let parts = bind.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return parts[0]
        case 2: return parts[1].hasPrefix("/") ? parts[1] : parts[0]
        default: return parts[1]
        }
    }

    /// A `MountSpec` as the engine's JSON object.
    static func object(_ mount: MountSpec) -> [String: JSONValue] {
        var object: [String: JSONValue] = ["Type": .string(mount.type), "Target": .string(mount.target)]
        if let source = mount.source { object["Source"] = .string(source) }
        if let readOnly = mount.readOnly { object["ReadOnly"] = .bool(readOnly) }
        if let options = mount.volumeOptions {
            var o: [String: JSONValue] = [:]
            if let noCopy = options.noCopy { o["NoCopy"] = .bool(noCopy) }
            if let labels = options.labels { o["Labels"] = .object(labels.mapValues(JSONValue.string)) }
            object["VolumeOptions"] = .object(o)
        }
        if let options = mount.tmpfsOptions {
            var o: [String: JSONValue] = [:]
            if let size = options.sizeBytes { o["SizeBytes"] = .int(Int(size)) }
            if let mode = options.mode { o["Mode"] = .int(mode) }
            object["TmpfsOptions"] = .object(o)
        }
        return object
    }
}
