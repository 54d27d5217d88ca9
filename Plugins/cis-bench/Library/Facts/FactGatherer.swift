import Foundation
import ContainerKit
import ContsecProtocol

/// Collects `AuditFacts` from the engine and the host. Engine requests run concurrently (bounded), and every
/// container is inspected exactly once.
public struct FactGatherer: Sendable {
    public let docker: DockerClient
    public let options: AuditOptions
    /// Most engine requests in flight at once.
    public var parallelism = 16

    public init(docker: DockerClient, options: AuditOptions) {
        self.docker = docker; self.options = options
    }

    public func gather(_ needs: FactNeeds) async throws -> AuditFacts {
        async let infoTask = docker.info()
        async let versionTask = docker.version()
        async let listTask = needs.containers || !options.containerFilter.isEmpty ? docker.listContainers(all: true) : []
        async let imagesTask = needs.images ? docker.listImages() : []
        async let networksTask = needs.networks ? docker.listNetworks() : []
        async let rulesTask = needs.auditRules ? readAuditRules() : AuditRules(source: "not read", lines: [])

        let daemon = readDaemonSettings()
        let info = try await infoTask
        let version = try await versionTask
        let listed = try await listTask
        let running = listed.filter { $0.state == "running" }
        let scoped = try Self.filtered(options.allContainers ? listed : running, all: listed, filter: options.containerFilter,
                                       allContainers: options.allContainers)
        async let containersTask = inspectContainers(scoped.map(\.id), needs: needs)
        let rules = await rulesTask
        async let execAuditTask = needs.execs ? readExecAudit(rules: rules, scoped: scoped, filtered: !options.containerFilter.isEmpty)
            : ExecAuditLog.notRead
        let imageSummaries = try await imagesTask
        async let imageFactsTask = inspectImages(imageSummaries.map(\.id), history: needs.imageHistory)
        let swarm = needs.swarmDetails ? await readSwarm(state: info.swarm?.localNodeState ?? "inactive") : SwarmFacts.inactive

        return AuditFacts(
            info: info, version: version, daemon: daemon, auditRules: rules, execAudit: await execAuditTask,
            containers: try await containersTask, containerScope: options.allContainers ? "all" : "running",
            totalContainers: needs.containers ? listed.count : (info.containers ?? 0),
            runningContainers: needs.containers ? running.count : (info.containersRunning ?? 0),
            images: try await imageFactsTask, imagesInUse: Set(listed.compactMap(\.imageID)),
            networks: try await networksTask, swarm: swarm,
            mountPoints: needs.mountPoints ? ProcFS.mountPoints() : [],
            dockerGroupMembers: needs.groupMembers ? await dockerGroupMembers() : nil,
            trustedUsers: options.trustedUsers, environment: options.environment, dockerSocket: docker.socketPath)
    }

    /// The containers `filter` names (names or id prefixes); every entry must name one, or the audit would say
    /// "no containers" about containers it never looked at.
    /// - Throws: `AuditInputError` for an entry that matches nothing, or only containers outside the scope.
    static func filtered(_ scoped: [ContainerSummary], all: [ContainerSummary], filter: [String],
                         allContainers: Bool) throws -> [ContainerSummary] {
        let entries = filter.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { return scoped }
        func matches(_ c: ContainerSummary, _ f: String) -> Bool { Self.matches(c, f) }
        for entry in entries where !scoped.contains(where: { matches($0, entry) }) {
            if let other = all.first(where: { matches($0, entry) }) {
                throw AuditInputError(param: "container", message: "container '\(entry)' is \(other.state ?? "not running"), and only running containers are audited: add --all-containers to judge it")
            }
            let running = all.filter { $0.state == "running" }.count
            throw AuditInputError(param: "container", message: "no container is named '\(entry)' or has an id starting with it (\(running) running, \(all.count) in all; `docker ps -a` lists them)")
        }
        return scoped.filter { c in entries.contains { matches(c, $0) } }
    }

    // MARK: - Daemon configuration

    func readDaemonSettings() -> DaemonSettings {
        let pid = ProcFS.findDockerd()
        var arguments: [String] = []
        var source = "dockerd process not found in /proc"
        if let injected = options.dockerdArguments {
            arguments = injected
            source = "injected (--dockerd-cmdline / CONTSEC_CIS_DOCKERD_CMDLINE)"
        } else if let pid, let argv = ProcFS.cmdline(pid) {
            arguments = Array(argv.dropFirst())
            source = "/proc/\(pid)/cmdline"
        }
        let flagged = DaemonSettings(arguments: arguments, argumentsSource: source, configPath: "", configExists: false, config: [:])
        let path = options.daemonJSONPath ?? flagged.flag("config-file") ?? "/etc/docker/daemon.json"
        let read = DaemonSettings.readConfig(path)
        return DaemonSettings(pid: pid, executable: pid.flatMap { ProcFS.readlink("/proc/\($0)/exe") },
                              arguments: arguments, argumentsSource: source, configPath: path,
                              configExists: read.exists, config: read.config, configError: read.error)
    }

    // MARK: - Containers

    /// The parts of `/containers/{id}/json` that ContainerInspect does not model.
    private struct InspectExtras: Decodable {
        var execIDs: [String]?
        enum CodingKeys: String, CodingKey { case execIDs = "ExecIDs" }
    }

    func inspectContainers(_ ids: [String], needs: FactNeeds) async throws -> [ContainerFacts] {
        var facts = try await boundedMap(ids) { id -> ContainerFacts? in
            // One request per container: decoded into the model, and once more for the exec ids it lacks.
            // A container removed since the listing is skipped, not an error.
            let response: DockerClient.Response
            do {
                response = try await docker.send("GET", "/containers/\(id)/json", notFound: (.container, id))
            } catch DockerError.notFound {
                return nil
            }
            let inspect = try JSONDecoder().decode(ContainerInspect.self, from: response.body)
            var execs: [ExecFacts] = []
            if needs.execs, let execIDs = try? JSONDecoder().decode(InspectExtras.self, from: response.body).execIDs {
                // The engine lists only exec sessions still running; finished ones leave no trace here.
                for execID in execIDs {
                    guard let e = try? await docker.inspectExec(execID) else { continue }
                    execs.append(ExecFacts(id: e.id, privileged: e.processConfig?.privileged ?? false,
                                           user: e.processConfig?.user ?? "", running: e.running))
                }
            }
            return ContainerFacts(inspect: inspect, execs: execs)
        }.compactMap { $0 }
        if needs.processes {
            try await fillProcessNames(&facts)
        }
        return facts.sorted { $0.name < $1.name }
    }

    /// Process names per running container: one pass over /proc by pid namespace, then the engine's `top` for
    /// the containers /proc could not place (host pid namespace, no permission, remote /proc).
    func fillProcessNames(_ facts: inout [ContainerFacts]) async throws {
        let running = facts.filter { $0.inspect.state.running }
        let initPids = Dictionary(running.map { ($0.id, Int32($0.inspect.state.pid ?? 0)) }, uniquingKeysWith: { a, _ in a })
        let fromProc = ProcFS.processNamesByContainer(initPids: initPids)
        let missing = running.map(\.id).filter { fromProc[$0] == nil }
        let fromTop = try await boundedMap(missing) { id -> (String, [String]?) in
            guard let top = try? await docker.top(id) else { return (id, nil) }
            let column = top.titles.firstIndex(where: { $0 == "CMD" || $0 == "COMMAND" }) ?? (top.titles.count - 1)
            let names = top.processes.compactMap { row -> String? in
                guard column >= 0, column < row.count else { return nil }
                let command = row[column].split(separator: " ").first.map(String.init) ?? ""
                return (command as NSString).lastPathComponent
            }
            return (id, names)
        }
        let topNames = Dictionary(fromTop.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        for i in facts.indices {
            facts[i].processNames = fromProc[facts[i].id] ?? topNames[facts[i].id] ?? nil
        }
    }

    // MARK: - Images

    func inspectImages(_ ids: [String], history: Bool) async throws -> [ImageFacts] {
        try await boundedMap(ids) { id -> ImageFacts in
            async let inspect = docker.inspectImage(id)
            async let hist: [ImageHistoryEntry]? = history ? try? docker.imageHistory(id) : nil
            return ImageFacts(inspect: try await inspect, history: await hist)
        }.sorted { $0.displayName < $1.displayName }
    }

    // MARK: - Host

    func readAuditRules() async -> AuditRules {
        let runner = ToolRunner()
        if options.useAuditctl, (try? runner.resolve("auditctl", installHint: "")) != nil,
           let result = try? await runner.run("auditctl", ["-l"], options: ToolRunOptions(timeout: 10)), result.succeeded {
            return AuditRules(source: "auditctl -l", lines: AuditRules.ruleLines(result.stdoutText))
        }
        return AuditRules.fromFiles(AuditRules.ruleFiles(directory: options.auditDirectory))
    }

    /// `docker exec` in the audit log: `ausearch --raw -k docker -m EXECVE,SYSCALL` over auditd's logs (or
    /// `--audit-log`). With a `--container` filter only commands naming an audited container count.
    func readExecAudit(rules: AuditRules, scoped: [ContainerSummary], filtered: Bool) async -> ExecAuditLog {
        let runner = ToolRunner()
        let client = (try? runner.resolve("docker", installHint: "")).map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }
            ?? "/usr/bin/docker"
        let watched = ExecAuditLog.rulesWatchClient(rules)
        guard (try? runner.resolve("ausearch", installHint: "")) != nil else {
            return ExecAuditLog(source: "ausearch is not installed (apt-get install auditd)", judged: false, clientBinary: client)
        }
        let input = options.auditLogPath.map { ["-if", $0] } ?? ["--input-logs"]
        let logName = options.auditLogPath ?? "auditd's logs"
        guard let result = try? await runner.run("ausearch", ["--raw", "-k", "docker", "-m", "EXECVE,SYSCALL"] + input,
                                                 options: ToolRunOptions(timeout: 60, outputCap: 256 << 20)) else {
            return ExecAuditLog(source: "ausearch could not be run", judged: false, clientBinary: client)
        }
        let stderr = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
        // ausearch exits 1 both for "no matches" and for an unreadable log; only the second prints an error.
        let noMatches = result.termination == .exited(1) && (stderr.isEmpty || stderr.contains("<no matches>"))
        guard result.succeeded || noMatches else {
            let why = stderr.split(separator: "\n").first.map(String.init) ?? "ausearch \(result.termination)"
            return ExecAuditLog(source: "no audit log to search (\(why))", judged: false, clientBinary: client)
        }
        var parsed = ExecAuditLog.parse(ausearchRaw: result.stdoutText)
        if filtered {
            parsed.execs = parsed.execs.filter { e in scoped.contains { Self.matches($0, e.container) } }
        }
        let rule = watched ? "; a loaded rule watches the docker client" : ""
        return ExecAuditLog(source: "\(logName), ausearch -k docker: \(parsed.dockerCommands) docker command(s) recorded\(rule)",
                            judged: parsed.dockerCommands > 0 || watched, dockerCommands: parsed.dockerCommands,
                            execs: parsed.execs, clientBinary: client)
    }

    /// A container named by `reference` as the docker CLI takes it: its name or an id prefix.
    static func matches(_ c: ContainerSummary, _ reference: String) -> Bool {
        c.id.hasPrefix(reference) || c.names.contains("/" + reference) || c.names.contains(reference)
    }

    /// `getent group docker` (covers NSS sources such as LDAP), else /etc/group.
    func dockerGroupMembers() async -> [String]? {
        let runner = ToolRunner()
        if (try? runner.resolve("getent", installHint: "")) != nil,
           let result = try? await runner.run("getent", ["group", "docker"], options: ToolRunOptions(timeout: 5)) {
            if result.succeeded {
                let fields = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", omittingEmptySubsequences: false)
                if fields.count >= 4 { return fields[3].split(separator: ",").map(String.init) }
            }
            if result.termination == .exited(2) { return nil }  // getent: key not found
        }
        return HostFiles.groupMembers("docker")
    }

    // MARK: - Swarm

    func readSwarm(state: String) async -> SwarmFacts {
        guard state == "active" else { return SwarmFacts(state: state, managementListeners: []) }
        var facts = SwarmFacts(state: state, managementListeners: [])
        facts.managementListeners = ProcFS.tcpListeners().filter { $0.port == 2377 }.map(\.address)
        func json(_ path: String) async -> JSONValue? {
            guard let r = try? await docker.send("GET", path) else { return nil }
            return try? JSONDecoder().decode(JSONValue.self, from: r.body)
        }
        if let nodes = await json("/nodes")?.arrayValue {
            facts.managerCount = nodes.filter { $0["ManagerStatus"] != nil && $0["ManagerStatus"]?.isNull == false }.count
        } else {
            facts.error = "could not list swarm nodes (is this node a manager?)"
        }
        if let key = await json("/swarm/unlockkey") { facts.autoLockEnabled = !(key["UnlockKey"]?.stringValue ?? "").isEmpty }
        if let secrets = await json("/secrets")?.arrayValue { facts.secretCount = secrets.count }
        if let swarm = await json("/swarm") {
            facts.nodeCertExpiry = swarm["Spec"]?["CAConfig"]?["NodeCertExpiry"]?.intValue.map(Int64.init)
        }
        return facts
    }

    // MARK: - Bounded concurrency

    /// Maps `items` with at most `parallelism` operations in flight, keeping the input order.
    func boundedMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @escaping @Sendable (T) async throws -> R) async throws -> [R] {
        try await withThrowingTaskGroup(of: (Int, R).self) { group in
            var results = [R?](repeating: nil, count: items.count)
            var next = 0
            while next < min(parallelism, items.count) {
                let i = next
                group.addTask { (i, try await transform(items[i])) }
                next += 1
            }
            while let (i, r) = try await group.next() {
                results[i] = r
                if next < items.count {
                    let j = next
                    group.addTask { (j, try await transform(items[j])) }
                    next += 1
                }
            }
            return results.compactMap { $0 }
        }
    }
}
