/// Shared judgement calls used by rules of several file kinds.
enum Heuristics {
    /// Variable names that usually hold a credential. Names that point at one (`*_FILE`, `*_PATH`...) are not secrets.
    static func looksLikeSecretName(_ name: String) -> Bool {
        let u = name.uppercased()
        for suffix in ["_FILE", "_PATH", "_DIR", "_NAME", "_URL", "_ENDPOINT", "_TTL", "_EXPIRY", "_LENGTH", "_HEADER", "_ENABLED", "_TYPE"]
        where u.hasSuffix(suffix) { return false }
        for word in ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY", "ACCESS_KEY",
                     "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY", "CLIENT_KEY", "SIGNING_KEY", "ENCRYPTION_KEY"]
        where u.has(word) { return true }
        return u == "PASS" || u.hasSuffix("_PASS") || u.hasSuffix("_PWD") || u == "PWD_HASH"
    }

    /// A literal value, not empty and not just a reference to another variable (`$X`, `${X}`).
    static func isLiteralSecretValue(_ value: String) -> Bool {
        let v = value.trimmingSpaces
        if v.isEmpty { return false }
        if v.hasPrefix("$") && !v.dropFirst().contains(where: { $0 == " " }) { return false }
        return true
    }

    enum ImageTag: Equatable { case latest, none, pinned, unknown }

    /// Classifies an image reference: `nginx` → none, `nginx:latest` → latest, `nginx:1.27` or
    /// `nginx@sha256:...` → pinned; references with variables → unknown.
    static func imageTag(_ ref: String) -> ImageTag {
        let r = ref.trimmingSpaces
        if r.isEmpty || r.hasByte("$") || r.has("{{") { return .unknown }
        if r.hasByte("@") { return .pinned }
        let lastSlash = r.lastIndex(of: "/")
        let nameStart = lastSlash.map { r.index(after: $0) } ?? r.startIndex
        guard let colon = r[nameStart...].lastIndex(of: ":") else { return .none }
        return r[r.index(after: colon)...].lowercased() == "latest" ? .latest : .pinned
    }

    /// Linux capabilities that give a container a path to the host or the network.
    static let dangerousCapabilities: Set<String> = [
        "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "DAC_READ_SEARCH", "SYS_RAWIO",
        "SYS_BOOT", "BPF", "PERFMON", "SYS_TIME", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG", "DAC_OVERRIDE", "SETFCAP",
    ]

    static func normalizedCapability(_ c: String) -> String {
        var u = c.trimmingSpaces.uppercased()
        if u.hasPrefix("CAP_") { u.removeFirst(4) }
        return u
    }

    /// Container runtime sockets: mounting one hands over the node.
    static func isRuntimeSocket(_ path: String) -> Bool {
        let p = normalizedPath(path)
        return p.hasSuffix("/docker.sock") || p.hasSuffix("/containerd.sock") || p.hasSuffix("/crio.sock")
            || p.hasSuffix("/podman.sock") || p == "/var/run/docker" || p == "/run/containerd"
    }

    /// Host paths whose exposure compromises the host.
    static func isSensitiveHostPath(_ path: String) -> Bool {
        let p = normalizedPath(path)
        let exact: Set<String> = ["/", "/etc", "/proc", "/sys", "/boot", "/dev", "/root", "/var/run", "/run", "/var/lib/docker",
                                  "/home", "/usr", "/lib", "/bin", "/sbin", "/var/lib/kubelet", "/var/log"]
        if exact.contains(p) { return true }
        for prefix in ["/etc/", "/proc/", "/sys/", "/boot/", "/root/", "/var/lib/docker/", "/var/lib/kubelet/", "/dev/"]
        where p.hasPrefix(prefix) { return true }
        return false
    }

    static func normalizedPath(_ path: String) -> String {
        var p = path.trimmingSpaces
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        return p
    }
}
