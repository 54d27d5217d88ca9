/// A change to a container's create request: a short summary (shown in plans, actions and errors) and an edit of
/// the ``ContainerCreateSpec`` derived from the container's inspect output.
///
/// The edit may change anything create accepts. The common ones have builders:
/// ```swift
/// let change = RecreateChange.seccompProfile(json: profileText, name: "web-app-profile")
/// let both = RecreateChange.combined([.appArmorProfile("web"), .addMount(MountSpec(type: "volume", source: "keys", target: "/keys"))])
/// let custom = RecreateChange("read-only root filesystem") { $0.hostConfig["ReadonlyRootfs"] = true }
/// ```
public struct RecreateChange: Sendable {
    /// What the change does, in a few words ("seccomp profile web-app-profile").
    public var summary: String
    /// Applies the change; throw ``RecreateError/invalidChange(_:)`` when it cannot apply to this container.
    public var edit: @Sendable (inout ContainerCreateSpec) throws -> Void

    public init(_ summary: String, edit: @escaping @Sendable (inout ContainerCreateSpec) throws -> Void) {
        self.summary = summary
        self.edit = edit
    }

    /// Sets (or with nil removes) one `HostConfig.SecurityOpt` entry, e.g. `("no-new-privileges", "true")`.
    public static func securityOption(_ key: String, _ value: String?) -> RecreateChange {
        RecreateChange(value.map { "security option \(key)=\($0.count > 60 ? "<\($0.utf8.count) bytes>" : $0)" }
                           ?? "remove security option \(key)") { $0.setSecurityOption(key, value) }
    }

    /// Confines the container with a seccomp profile. `json` is the profile's text: the engine takes the content
    /// (as `docker run --security-opt seccomp=FILE` sends it), so the file need not exist on the engine's host.
    /// Pass `"unconfined"` to turn seccomp off.
    public static func seccompProfile(json: String, name: String) -> RecreateChange {
        RecreateChange("seccomp profile \(name)") { $0.setSecurityOption("seccomp", json) }
    }

    /// Confines the container with an AppArmor profile already loaded in the host's kernel (or `unconfined`).
    public static func appArmorProfile(_ name: String) -> RecreateChange {
        RecreateChange("AppArmor profile \(name)") { $0.setSecurityOption("apparmor", name) }
    }

    /// Adds a mount; fails if something is already mounted at its target.
    public static func addMount(_ mount: MountSpec) -> RecreateChange {
        RecreateChange("mount \(mount.source.map { "\($0) " } ?? "")at \(mount.target)") { try $0.addMount(mount) }
    }

    /// Removes the mount at `target` (from `Binds`, `Mounts` or `Tmpfs`); fails if there is none.
    public static func removeMount(target: String) -> RecreateChange {
        RecreateChange("unmount \(target)") { spec in
            guard spec.removeMount(target: target) else {
                throw RecreateError.invalidChange("nothing is mounted at \(target)")
            }
        }
    }

    /// Attaches the container to a network, optionally with aliases and static addresses.
    public static func connect(network: String, aliases: [String] = [], ipv4Address: String? = nil) -> RecreateChange {
        RecreateChange("connect to network \(network)") {
            $0.connect(network: network, aliases: aliases, ipv4Address: ipv4Address)
        }
    }

    /// Detaches the container from a network; fails if it is not attached.
    public static func disconnect(network: String) -> RecreateChange {
        RecreateChange("disconnect from network \(network)") { spec in
            guard spec.networks[network] != nil else {
                throw RecreateError.invalidChange("the container is not attached to network \(network)")
            }
            spec.disconnect(network: network)
        }
    }

    /// Several changes applied in order, as one re-create.
    public static func combined(_ changes: [RecreateChange]) -> RecreateChange {
        RecreateChange(changes.map(\.summary).joined(separator: ", ")) { spec in
            for change in changes { try change.edit(&spec) }
        }
    }
}
