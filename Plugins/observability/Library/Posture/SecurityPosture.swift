import Foundation
import ContainerKit

/// The security-relevant settings of one container, read from `inspect`: what `contsec_container_*` metrics,
/// monitor findings and the analyze report all say about it.
public struct SecurityPosture: Sendable, Equatable, Codable {
    public var privileged: Bool
    public var seccompUnconfined: Bool
    public var appArmorUnconfined: Bool
    public var capabilitiesAdded: [String]
    /// Runs as uid 0 (no `User`, or `root` / `0` / `0:…`).
    public var rootUser: Bool
    /// Namespaces shared with the host: `pid`, `ipc`, `net`, `uts`, `userns`.
    public var hostNamespaces: [String]
    public var readOnlyRootfs: Bool
    /// Host paths mounted into the container (bind mounts).
    public var hostMounts: [String]
    /// Host paths mounted read-write (a subset of `hostMounts`).
    public var writableHostMounts: [String]
    /// Published ports as `hostIP:hostPort->containerPort/proto`.
    public var publishedPorts: [String]
    public var user: String
    public var capabilitiesDropped: [String]
    /// "default" (the Engine's profile), "unconfined", or "custom" (a profile given with --security-opt).
    public var seccompProfile: String
    /// The AppArmor profile the container runs under ("" when AppArmor is not in use on the host).
    public var appArmorProfile: String

    public static let namespaceKinds = ["pid", "ipc", "net", "uts", "userns"]

    public init(_ c: ContainerInspect) {
        let h = c.hostConfig
        privileged = h.privileged ?? false
        let opts = h.securityOpt ?? []
        // Privileged containers run without seccomp whatever the options say.
        seccompUnconfined = privileged || opts.contains { $0 == "seccomp=unconfined" || $0 == "seccomp:unconfined" }
        appArmorUnconfined = privileged || opts.contains { $0 == "apparmor=unconfined" || $0 == "apparmor:unconfined" }
            || c.appArmorProfile == "unconfined"
        func capability(_ c: String) -> String { c.uppercased().hasPrefix("CAP_") ? String(c.uppercased().dropFirst(4)) : c.uppercased() }
        capabilitiesAdded = (h.capAdd ?? []).map(capability).sorted()
        capabilitiesDropped = (h.capDrop ?? []).map(capability).sorted()
        let seccompOption = opts.first { $0.hasPrefix("seccomp=") || $0.hasPrefix("seccomp:") }
        seccompProfile = seccompUnconfined ? "unconfined" : (seccompOption == nil ? "default" : "custom")
        appArmorProfile = privileged ? "unconfined" : (c.appArmorProfile ?? "")
        user = c.config.user ?? ""
        let uid = user.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        rootUser = uid.isEmpty || uid == "root" || uid == "0"
        var ns: [String] = []
        if h.pidMode == "host" { ns.append("pid") }
        if h.ipcMode == "host" { ns.append("ipc") }
        if h.networkMode == "host" { ns.append("net") }
        if h.utsMode == "host" { ns.append("uts") }
        if h.usernsMode == "host" { ns.append("userns") }
        hostNamespaces = ns
        readOnlyRootfs = h.readonlyRootfs ?? false
        let binds = (c.mounts ?? []).filter { $0.type == "bind" }
        hostMounts = binds.compactMap(\.source).sorted()
        writableHostMounts = binds.filter { $0.rw ?? true }.compactMap(\.source).sorted()
        var ports: [String] = []
        for (key, bindings) in c.networkSettings?.ports ?? [:] {
            for b in bindings ?? [] { ports.append("\(b.hostIp ?? ""):\(b.hostPort ?? "")->\(key)") }
        }
        publishedPorts = ports.sorted()
    }
}

extension ContainerInspect {
    /// The container's name without the leading slash the Engine adds.
    public var displayName: String { name.hasPrefix("/") ? String(name.dropFirst()) : name }
}
