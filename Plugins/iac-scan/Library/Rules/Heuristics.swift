/// Shared judgement calls used by rules of several file kinds.
enum Heuristics {
    /// Variable names that usually hold a credential. The core is the token list BuildKit's SecretsUsedInArgOrEnv check
    /// and Trivy's DS031 use: a name made of `_`-separated words is a secret when one word is `key`, `token`,
    /// `secret`, `password`, `auth`, `apikey`, `credential(s)`... (so `LICENSE_KEY`, `AUTH_TOKEN`, `AWS_SECRET_ACCESS_KEY`),
    /// unless a word is `public`. Added here: compound words (`DBPASSWORD`, `GITHUBTOKEN`), `PASS`/`PWD`/`PASSPHRASE`
    /// words, Trivy's named variables (`AWS_ACCESS_KEY_ID`...); left out: names that point at a secret instead of
    /// holding it (`*_FILE`, `*_PATH`, `*_URL`...), and GPG/PGP key ids, which official images publish in ENV.
    static func looksLikeSecretName(_ name: String) -> Bool {
        let u = name.uppercased()
        if namedSecrets.contains(u) { return true }
        if u == "PWD" || u == "OLDPWD" { return false } // the shell's working directory
        let words = u.split(whereSeparator: { $0 == "_" || $0 == "-" || $0 == "." }).map(String.init)
        guard let last = words.last else { return false }
        if words.contains("PUBLIC") || pointerWords.contains(last) { return false }
        if words.contains(where: { $0 == "GPG" || $0 == "PGP" || $0 == "GPGKEY" || $0 == "GNUPG" }) { return false }
        if words.contains(where: secretWords.contains) { return true }
        for word in compoundSecrets where u.has(word) { return true }
        return false
    }

    /// Whole words that make a name a secret (BuildKit's and Trivy's tokens, plus common spellings).
    static let secretWords: Set<String> = [
        "KEY", "APIKEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWORD", "PSW", "PWD", "PASS", "PASSPHRASE",
        "AUTH", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY", "SECRETKEY", "ACCESSKEY",
    ]
    /// Substrings that mark a secret even inside a longer word.
    static let compoundSecrets = ["PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "PRIVATEKEY"]
    /// Trivy DS031's list of well-known credential variables.
    static let namedSecrets: Set<String> = [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET",
        "GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "OPENAI_API_KEY", "HF_TOKEN",
        "DIGITALOCEAN_ACCESS_TOKEN", "DOCKERHUB_PASSWORD", "FIREBASE_TOKEN", "CI_DEPLOY_PASSWORD", "GOOGLE_API_KEY",
        "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "HEROKU_API_KEY",
    ]
    /// A last word saying the variable names, locates or describes a secret rather than holding it.
    static let pointerWords: Set<String> = [
        "FILE", "PATH", "DIR", "NAME", "URL", "URI", "ENDPOINT", "HOST", "PORT", "TTL", "EXPIRY", "EXPIRES", "TIMEOUT",
        "LENGTH", "SIZE", "HEADER", "ENABLED", "ENABLE", "DISABLED", "TYPE", "MODE", "METHOD", "PROVIDER", "ALGORITHM",
        "ISSUER", "REALM", "SCOPE", "SCOPES", "VERSION", "FINGERPRINT", "SERVER", "REF", "ARN",
    ]

    static let switchValues: Set<String> = ["0", "1", "true", "false", "yes", "no", "on", "off"]

    /// A literal value, not empty and not just a reference to another variable (`$X`, `${X}`).
    static func isLiteralSecretValue(_ value: String) -> Bool {
        let v = value.trimmingSpaces
        if v.isEmpty { return false }
        if v.hasPrefix("$") && !v.dropFirst().contains(where: { $0 == " " }) { return false }
        // A switch, not a credential: `APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1`, `ENABLE_AUTH=true`.
        if switchValues.contains(v.lowercased()) { return false }
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

    /// Linux capabilities that give a container a path to the host or the network (compose's CS-DC-007).
    static let dangerousCapabilities: Set<String> = [
        "ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "NET_RAW", "DAC_READ_SEARCH", "SYS_RAWIO",
        "SYS_BOOT", "BPF", "PERFMON", "SYS_TIME", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG", "DAC_OVERRIDE", "SETFCAP",
    ]

    /// The only capabilities the Pod Security Standards *baseline* lets a pod add; anything else (IPC_LOCK,
    /// NET_RAW, SYS_ADMIN, ALL...) fails the baseline policy that most clusters enforce (CS-K8S-006).
    static let baselineAllowedCapabilities: Set<String> = [
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
        "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
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
