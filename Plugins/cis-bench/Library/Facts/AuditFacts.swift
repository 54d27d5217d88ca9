import Foundation
import ContainerKit

/// Everything the checks read, gathered up front in one pass so that no check talks to the engine itself:
/// each container is inspected once, whatever the number of checks.
public struct AuditFacts: Sendable {
    public var info: SystemInfo
    public var version: VersionInfo
    public var daemon: DaemonSettings
    public var auditRules: AuditRules
    /// `docker exec` commands in the audit log (5.23, 5.24).
    public var execAudit: ExecAuditLog
    /// The containers sections 4 and 5 judge: the running ones (docker-bench's `docker ps`), or all with --all-containers.
    public var containers: [ContainerFacts]
    /// "running" or "all".
    public var containerScope: String
    public var totalContainers: Int
    public var runningContainers: Int
    public var images: [ImageFacts]
    /// Image ids used by any container (running or not), for 6.1.
    public var imagesInUse: Set<String>
    public var networks: [Network]
    public var swarm: SwarmFacts
    public var mountPoints: Set<String>
    public var dockerGroupMembers: [String]?
    /// Users allowed in the docker group (--trusted-users); empty: 1.1.2 only lists members.
    public var trustedUsers: [String]
    /// The plugin's environment (4.5 reads DOCKER_CONTENT_TRUST from it).
    public var environment: [String: String]
    /// The engine socket audited (3.15/3.16): the client's, /var/run/docker.sock unless DOCKER_HOST names another.
    public var dockerSocket: String
    public var now: Date

    public init(info: SystemInfo, version: VersionInfo, daemon: DaemonSettings, auditRules: AuditRules,
                execAudit: ExecAuditLog = .notRead, containers: [ContainerFacts], containerScope: String = "running", totalContainers: Int, runningContainers: Int,
                images: [ImageFacts], imagesInUse: Set<String>, networks: [Network], swarm: SwarmFacts,
                mountPoints: Set<String>, dockerGroupMembers: [String]?, trustedUsers: [String],
                environment: [String: String], dockerSocket: String = "/var/run/docker.sock", now: Date = Date()) {
        self.info = info; self.version = version; self.daemon = daemon; self.auditRules = auditRules; self.execAudit = execAudit
        self.containers = containers; self.containerScope = containerScope; self.totalContainers = totalContainers
        self.runningContainers = runningContainers; self.images = images; self.imagesInUse = imagesInUse
        self.networks = networks; self.swarm = swarm; self.mountPoints = mountPoints
        self.dockerGroupMembers = dockerGroupMembers; self.trustedUsers = trustedUsers; self.environment = environment
        self.dockerSocket = dockerSocket; self.now = now
    }

    /// Offenders among the audited containers, each with the detail `why` gives (nil: not an offender).
    func containerOffenders(_ why: (ContainerFacts) -> String??) -> [Offender] {
        containers.compactMap { c in why(c).map { c.offender($0) } }
    }

    /// Whether the daemon itself sets no-new-privileges for every container (2.14, and 5.26 passes then).
    var daemonNoNewPrivileges: Bool { daemon.boolSetting("no-new-privileges") == true }

    var securityOptions: [String] { info.securityOptions ?? [] }
}
