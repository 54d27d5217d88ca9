import Foundation
import ContainerKit
import ContsecProtocol

/// Runtime monitoring: follows the Engine's `/events` stream (containers started with risky settings, shells exec'd
/// into containers, OOM kills, restart loops) and samples every `interval` seconds (resource use against
/// `threshold`, new listening ports and processes compared with the first sample). Each problem is reported once
/// per run; a resource finding re-arms once use drops below the threshold.
public final class Monitor: @unchecked Sendable {
    public struct Options: Sendable {
        public var interval: Double = 10
        public var threshold: Int = 80
        /// Container names or ids to watch; empty: all.
        public var containers: Set<String> = []
        public init() {}
    }

    /// One sample's worth, for progress and for the history analyze reads from the log.
    public struct SampleLine: Sendable {
        public var container: String
        public var use: ResourceUse
        public var restarts: Int
        /// Nil when it could not be observed this round.
        public var activity: ContainerActivity?

        /// As monitor logs it (analyze `--from-log` reads it back).
        public var record: SampleRecord {
            SampleRecord(time: Date(), container: container, cpuPercent: use.cpuPercent, memoryBytes: use.memoryBytes,
                         memoryPercent: use.memoryPercent, restarts: restarts,
                         ports: activity.map { $0.ports.sorted() }, processes: activity.map { $0.processes.sorted() })
        }
    }

    public let docker: DockerClient
    public let options: Options
    private let emit: @Sendable (Finding) -> Void
    private let lock = NSLock()
    private var reported = Set<String>()
    private var starts: [String: [Date]] = [:]
    public private(set) var samples = 0
    public private(set) var findings = 0

    public init(docker: DockerClient, options: Options, emit: @escaping @Sendable (Finding) -> Void) {
        self.docker = docker
        self.options = options
        self.emit = emit
    }

    /// Reports `f` unless the same problem was already reported this run.
    func report(_ f: Finding, key: String? = nil) {
        lock.lock()
        let k = key ?? (f.fingerprint ?? f.ruleId + f.target.name)
        let fresh = reported.insert(k).inserted
        if fresh { findings += 1 }
        lock.unlock()
        if fresh { emit(f) }
    }

    func rearm(_ key: String) { lock.lock(); reported.remove(key); lock.unlock() }

    func watched(_ name: String, _ id: String) -> Bool { ContainerSelection(options.containers).matches(name: name, id: id) }

    /// Runs until the task is cancelled. `onSample` is called after every sample round.
    public func run(onSample: @escaping @Sendable (Int, [SampleLine]) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followEvents() }
            group.addTask { await self.sampleLoop(onSample) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: events

    private func followEvents() async {
        let since = Int(Date().timeIntervalSince1970)
        while !Task.isCancelled {
            do {
                for try await e in docker.events(EventFilters(since: since, filters: ["type": ["container"]])) {
                    if Task.isCancelled { return }
                    await handle(e)
                }
            } catch {}
            // The stream ended (daemon restart): reconnect after a pause.
            try? await Task.sleep(nanoseconds: 1_000_000_000)
        }
    }

    func handle(_ e: DockerEvent) async {
        guard let id = e.actor?.id, let action = e.action else { return }
        let name = e.actor?.attributes?["name"] ?? String(id.prefix(12))
        guard watched(name, id) else { return }
        if action == "start" {
            noteStart(id, name)
            if let c = try? await docker.inspectContainer(id) {
                for f in RuntimeFindings.posture(name, SecurityPosture(c), started: true) { report(f, key: "\(f.fingerprint ?? f.ruleId)|\(c.state.startedAt ?? "")") }
            }
        } else if action == "oom" {
            report(RuntimeFindings.oomKilled(name), key: "oom|\(id)|\(e.timeNano ?? 0)")
        } else if action.hasPrefix("exec_start") {
            let execID = e.actor?.attributes?["execID"]
            var command = action.hasPrefix("exec_start: ") ? String(action.dropFirst("exec_start: ".count)) : ""
            var tty = false
            if let execID, let x = try? await docker.inspectExec(execID) {
                tty = x.processConfig?.tty ?? false
                command = ([x.processConfig?.entrypoint ?? ""] + (x.processConfig?.arguments ?? [])).joined(separator: " ")
            }
            if let f = ShellExec.finding(container: name, command: command, tty: tty) { report(f, key: "exec|\(execID ?? command)|\(e.timeNano ?? 0)") }
        }
    }

    private func noteStart(_ id: String, _ name: String) {
        lock.lock()
        let now = Date()
        var list = (starts[id] ?? []).filter { now.timeIntervalSince($0) < 600 }
        list.append(now)
        starts[id] = list
        lock.unlock()
        if list.count >= 3 { report(RuntimeFindings.restartLoop(name, restarts: list.count - 1, window: "in the last 10 minutes"), key: "restart|\(id)") }
    }

    // MARK: samples

    /// Resource samples every interval; process and port probes run beside them in their own loop, so a slow
    /// `docker top` on a busy host never delays a threshold finding.
    private func sampleLoop(_ onSample: @escaping @Sendable (Int, [SampleLine]) -> Void) async {
        let collector = Collector(docker: docker, selection: ContainerSelection(options.containers))
        let collecting = Task { await collector.run() }
        let board = ActivityBoard()
        let probing = Task { await self.probeLoop(collector, board) }
        var previous: [String: ContainerSample] = [:]
        var round = 0
        while !Task.isCancelled {
            let started = Date()
            let snap = await collector.snapshot()
            round += 1
            var lines: [SampleLine] = []
            if let host = snap.host {
                let activity = board.latest
                for c in snap.containers where c.usage != nil {
                    let use = ResourceUse.of(c, since: previous[c.id], host: host)
                    previous[c.id] = c
                    check(c, use)
                    lines.append(SampleLine(container: c.name, use: use, restarts: c.restartCount, activity: activity[c.id]))
                }
                previous = previous.filter { id, _ in snap.containers.contains { $0.id == id } }
            }
            setSamples(round)
            onSample(round, lines)
            let wait = options.interval - Date().timeIntervalSince(started)
            if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        }
        // The probe loop stops after the probe it is in (a `docker top` cannot be interrupted); not waited for, so
        // a stop is prompt. The collector is: its streams must be closed when monitor returns.
        probing.cancel()
        collecting.cancel()
        await collecting.value
    }

    private func probeLoop(_ collector: Collector, _ board: ActivityBoard) async {
        var baseline: [String: ContainerActivity] = [:]
        while !Task.isCancelled {
            let started = Date()
            let snap = await collector.snapshot()
            board.latest = await compareBehaviour(snap.containers, &baseline)
            baseline = baseline.filter { id, _ in snap.containers.contains { $0.id == id } }
            let wait = options.interval - Date().timeIntervalSince(started)
            if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1e9)) }
        }
    }

    private func setSamples(_ n: Int) { lock.lock(); samples = n; lock.unlock() }

    private func check(_ c: ContainerSample, _ use: ResourceUse) {
        let t = Double(options.threshold)
        let cpuKey = "cpu|\(c.id)", memKey = "mem|\(c.id)"
        if let p = use.cpuPercent {
            if p > t { report(RuntimeFindings.cpu(c.name, percent: p, threshold: options.threshold, ofHost: use.cpuOfHost), key: cpuKey) } else { rearm(cpuKey) }
        }
        if let p = use.memoryPercent {
            if p > t {
                report(RuntimeFindings.memory(c.name, percent: p, bytes: use.memoryBytes ?? 0, threshold: options.threshold, ofHost: use.memoryOfHost), key: memKey)
            } else { rearm(memKey) }
        }
    }

    /// New listening ports and process names compared with the first sample of each container; returns what each
    /// running container was doing this round.
    private func compareBehaviour(_ containers: [ContainerSample], _ baseline: inout [String: ContainerActivity]) async -> [String: ContainerActivity] {
        // Probed 8 at a time: each is an inspect and a `docker top` (dockerd runs ps), slow one after another.
        let docker = self.docker
        let seen = await withTaskGroup(of: (String, ContainerActivity?).self) { group -> [String: ContainerActivity] in
            var pending = containers.filter { $0.state == "running" }.map(\.id).makeIterator()
            for _ in 0..<8 { if let id = pending.next() { group.addTask { (id, await ContainerActivity.observe(docker, id)) } } }
            var out: [String: ContainerActivity] = [:]
            for await (id, activity) in group {
                out[id] = activity
                if let next = pending.next() { group.addTask { (next, await ContainerActivity.observe(docker, next)) } }
            }
            return out
        }
        for c in containers {
            guard let now = seen[c.id] else { continue }
            guard let base = baseline[c.id] else { baseline[c.id] = now; continue }
            for port in now.ports.subtracting(base.ports).sorted() { report(RuntimeFindings.newPort(c.name, port)) }
            for p in now.processes.subtracting(base.processes).sorted() { report(RuntimeFindings.newProcess(c.name, p)) }
            baseline[c.id] = ContainerActivity(ports: base.ports.union(now.ports), processes: base.processes.union(now.processes))
        }
        return seen
    }
}

/// Falco's "terminal shell in container": a shell started by exec with a terminal, or with no command to run.
public enum ShellExec {
    static let shells: Set<String> = ["sh", "bash", "ash", "dash", "zsh", "ksh", "csh", "tcsh", "fish", "busybox"]

    public static func finding(container: String, command: String, tty: Bool) -> Finding? {
        let words = command.split(separator: " ").map(String.init)
        guard let first = words.first else { return nil }
        let program = (first as NSString).lastPathComponent
        var args = Array(words.dropFirst())
        if program == "busybox" { guard let sub = args.first, shells.contains(sub) else { return nil }; args.removeFirst() }
        guard shells.contains(program) else { return nil }
        let runsScript = args.contains("-c")
        guard tty || !runsScript else { return nil }
        return RuntimeFindings.make("OBS-EXEC-001", "Interactive shell exec'd into container", .high, container: container,
                                    message: "\(command) was started in \(container) via docker exec\(tty ? " with a terminal" : "").",
                                    remediation: "Production containers should not be entered by hand; if this was not you, investigate.",
                                    properties: ["command": .string(command), "tty": .bool(tty)])
    }
}

/// The latest process/port probe of each container, shared by monitor's two loops.
final class ActivityBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var value: [String: ContainerActivity] = [:]
    var latest: [String: ContainerActivity] {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
