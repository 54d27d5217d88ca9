import Foundation

/// How an audit is scoped and where it reads the daemon's configuration from.
public struct AuditOptions: Sendable {
    /// daemon.json to read instead of the one dockerd uses (tests, or auditing a config before deploying it).
    public var daemonJSONPath: String?
    /// Where `daemonJSONPath` came from, for error messages: "--daemon-json" or "CONTSEC_CIS_DAEMON_JSON".
    public var daemonJSONSource = "--daemon-json"
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
    /// An audit log to search for `docker exec` (5.23, 5.24) instead of auditd's own logs: a copy shipped from the
    /// host, or an archived one.
    public var auditLogPath: String?
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
        if daemonJSONPath == nil, let path = environment["CONTSEC_CIS_DAEMON_JSON"], !path.isEmpty {
            daemonJSONPath = path
            daemonJSONSource = "CONTSEC_CIS_DAEMON_JSON"
        }
        if dockerdArguments == nil, let line = environment["CONTSEC_CIS_DOCKERD_CMDLINE"] {
            dockerdArguments = Self.splitCommandLine(line)
        }
    }

    /// A daemon.json the user named must exist and be a JSON object: judging a file that is not there would pass
    /// every check it cannot see (2.4 among them).
    /// - Throws: `AuditInputError` naming the parameter (or the environment variable) and the path.
    public func checkDaemonJSON() throws {
        guard let path = daemonJSONPath else { return }
        let named = daemonJSONSource == "--daemon-json" ? path : "\(path) (from CONTSEC_CIS_DAEMON_JSON)"
        let read = DaemonSettings.readConfig(path)
        guard read.exists else {
            throw AuditInputError(param: "daemon-json", message: "\(named) does not exist: give the daemon.json to judge, or leave the option out to judge dockerd's own")
        }
        if let error = read.error {
            throw AuditInputError(param: "daemon-json", message: error + (named == path ? "" : " (from CONTSEC_CIS_DAEMON_JSON)"))
        }
    }

    /// An audit log the user named must be a readable file.
    public func checkAuditLog() throws {
        guard let path = auditLogPath else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw AuditInputError(param: "audit-log", message: "\(path) is not a file: give an audit log (auditd's log_file, e.g. /var/log/audit/audit.log)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw AuditInputError(param: "audit-log", message: "\(path) cannot be read by this user (audit logs are usually root-only)")
        }
    }

    /// Words of a command line; a leading program name (not starting with "-") is dropped.
    public static func splitCommandLine(_ line: String) -> [String] {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        if let first = words.first, !first.hasPrefix("-") { words.removeFirst() }
        return words
    }
}
