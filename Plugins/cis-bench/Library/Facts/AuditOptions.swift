import Foundation

/// How an audit is scoped and where it reads the daemon's configuration from.
public struct AuditOptions: Sendable {
    /// daemon.json to read instead of the one dockerd uses (tests, or auditing a config before deploying it).
    public var daemonJSONPath: String?
    /// dockerd's arguments (without argv[0]) to use instead of /proc/<pid>/cmdline.
    public var dockerdArguments: [String]?
    /// Judge stopped and created containers too (docker-bench judges running ones only).
    public var allContainers: Bool
    /// Only these containers (names or id prefixes); empty: all in scope.
    public var containerFilter: [String]
    /// Users allowed in the docker group, for 1.1.2.
    public var trustedUsers: [String]
    public var environment: [String: String]
    /// Where audit rule files live (auditctl is preferred when installed).
    public var auditDirectory: String
    public var useAuditctl: Bool

    public init(daemonJSONPath: String? = nil, dockerdArguments: [String]? = nil, allContainers: Bool = false,
                containerFilter: [String] = [], trustedUsers: [String] = [],
                environment: [String: String] = ProcessInfo.processInfo.environment,
                auditDirectory: String = "/etc/audit", useAuditctl: Bool = true) {
        self.daemonJSONPath = daemonJSONPath; self.dockerdArguments = dockerdArguments; self.allContainers = allContainers
        self.containerFilter = containerFilter; self.trustedUsers = trustedUsers; self.environment = environment
        self.auditDirectory = auditDirectory; self.useAuditctl = useAuditctl
    }

    /// Environment overrides: CONTSEC_CIS_DAEMON_JSON (a path) and CONTSEC_CIS_DOCKERD_CMDLINE (the daemon's command
    /// line as one string, e.g. "dockerd --icc=false"), used when no explicit value is given.
    public mutating func applyEnvironmentOverrides() {
        if daemonJSONPath == nil, let path = environment["CONTSEC_CIS_DAEMON_JSON"], !path.isEmpty { daemonJSONPath = path }
        if dockerdArguments == nil, let line = environment["CONTSEC_CIS_DOCKERD_CMDLINE"] {
            dockerdArguments = Self.splitCommandLine(line)
        }
    }

    /// Words of a command line; a leading program name (not starting with "-") is dropped.
    public static func splitCommandLine(_ line: String) -> [String] {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        if let first = words.first, !first.hasPrefix("-") { words.removeFirst() }
        return words
    }
}
