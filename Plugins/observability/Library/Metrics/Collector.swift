import Foundation
import ContainerKit

/// The host facts the metrics and thresholds need, read once from `/info`.
public struct HostFacts: Sendable, Equatable {
    public var cpus: Int
    public var memoryBytes: UInt64
    /// "cgroupfs" or "systemd": decides the cgroup path cAdvisor uses as the `id` label.
    public var cgroupDriver: String
}

/// What the collector holds at one moment.
public struct Snapshot: Sendable {
    public var time: Date
    public var host: HostFacts?
    public var containers: [ContainerSample]
    /// Nil when the Engine answered the last listing; else why not.
    public var error: String?
    /// Live stats streams open.
    public var streams: Int
    /// Changes whenever a sample or a container does: equal generations hold equal data.
    public var generation: Int
}

/// Keeps the latest resource sample of every running container, the way cAdvisor's housekeeping keeps its cache:
/// one live Engine stats stream per running container (dockerd pushes a sample about once a second), started and
/// stopped by following the Engine's `/events` (start, die, destroy…), with a periodic re-list that repairs anything
/// an event stream missed. ``snapshot(waitingUpTo:)`` only reads that cache, so a scrape never waits on the Engine —
/// a one-off stats request waits for dockerd's 1 s collector tick, which made a scrape of 50 containers take 7 s.
///
/// Memory is bounded by the containers watched: per running container one entry holding its latest sample and one
/// stream (a connection and its reading thread). A container that stops loses its stream at once (dockerd would
/// otherwise keep sending zeros for it), one that is removed loses its entry.
public actor Collector {
    public let docker: DockerClient
    public let selection: ContainerSelection
    /// Seconds between re-lists of the running containers (a safety net: events do the real work).
    public let resyncInterval: Double

    private struct Entry {
        var sample: ContainerSample
        var stream: Task<Void, Never>?
        var streamToken = 0
        /// A refresh is already on its way (a zero sample or an ended stream asked for one).
        var refreshing = false
    }

    private var entries: [String: Entry] = [:]
    /// The newest refresh started per container: an inspect that finishes late must not undo a newer one.
    private var refreshTokens: [String: Int] = [:]
    private var nextToken = 0
    private var host: HostFacts?
    private var engineError: String? = "the collector has not listed the containers yet"
    private var synced = false
    private var warmedUp = false
    private var running = false
    private var generation = 0
    /// Stream tasks alive (each ends once its connection is shut).
    public private(set) var openStreams = 0

    /// The Engine's container events that change what is collected.
    static let events = ["start", "die", "destroy", "rename", "update", "oom", "pause", "unpause"]

    public init(docker: DockerClient, selection: ContainerSelection = ContainerSelection(), resyncInterval: Double = 30) {
        self.docker = docker
        self.selection = selection
        self.resyncInterval = resyncInterval
    }

    /// Collects until the calling task is cancelled, then closes every stream.
    public func run() async {
        guard !running else { return }
        running = true
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.followEvents() }
            group.addTask { await self.resyncLoop() }
            await group.waitForAll()
        }
        running = false
        let streams = entries.values.compactMap(\.stream)
        for id in Array(entries.keys) { drop(id) }
        refreshTokens = [:]
        // Returns once every stream has ended: nothing of this run reads from the Engine any more.
        for s in streams { await s.value }
    }

    /// The cached samples. Right after start, waits up to `wait` seconds for the first listing and each container's
    /// first sample, so the first scrape is complete rather than empty.
    public func snapshot(waitingUpTo wait: Double = 3) async -> Snapshot {
        let deadline = Date().addingTimeInterval(wait)
        // Only the start is waited for (also before run() got going: it is started just before); afterwards a
        // snapshot never waits, whatever is in flight.
        while !warmedUp && !isWarm && Date() < deadline {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        if synced { warmedUp = true }
        let containers = entries.values.map(\.sample).sorted { $0.name < $1.name }
        return Snapshot(time: Date(), host: host, containers: containers, error: engineError, streams: openStreams,
                        generation: generation)
    }

    /// Listed once, no inspect in flight (an event's and the listing's may race for the same container), and every
    /// running container has its first sample.
    private var isWarm: Bool {
        synced && refreshTokens.isEmpty && entries.values.allSatisfy { $0.sample.usage != nil || $0.stream == nil }
    }

    // MARK: events and listing

    private func followEvents() async {
        // Replayed from a second before the first listing, so a container started in between is not missed; after
        // a lost connection, replayed from the last event seen.
        var since = Int(Date().timeIntervalSince1970) - 1
        while !Task.isCancelled {
            do {
                for try await e in docker.events(EventFilters(since: since, filters: ["type": ["container"], "event": Self.events])) {
                    if Task.isCancelled { break }
                    if let t = e.time { since = max(since, Int(t)) }
                    if let id = e.actor?.id { noteEvent(id, name: e.actor?.attributes?["name"], action: e.action ?? "") }
                }
            } catch {}
            if Task.isCancelled { break }
            // The stream ended (dockerd restarted or went away): reconnect after a pause, and re-list.
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            if Task.isCancelled { break }
            _ = await resync()
        }
    }

    private func noteEvent(_ id: String, name: String?, action: String) {
        if action == "destroy" { drop(id); return }
        if entries[id] == nil, let name, !selection.matches(name: name, id: id) { return }
        Task { await self.refresh(id) }
    }

    private func resyncLoop() async {
        while !Task.isCancelled {
            let ok = await resync()
            try? await Task.sleep(nanoseconds: UInt64((ok ? resyncInterval : 2) * 1e9))
        }
    }

    /// Lists the running containers, refreshes those it did not know and those that are no longer listed.
    @discardableResult
    private func resync() async -> Bool {
        do {
            if host == nil {
                let info = try await docker.info()
                host = HostFacts(cpus: max(1, info.ncpu ?? ProcessInfo.processInfo.activeProcessorCount),
                                 memoryBytes: UInt64(max(0, info.memTotal ?? Int64(ProcessInfo.processInfo.physicalMemory))),
                                 cgroupDriver: info.cgroupDriver ?? "cgroupfs")
            }
            let list = try await docker.listContainers(all: false, filters: ["status": ["running", "restarting", "paused"]])
            let listed = Set(list.filter { selection.matches(names: $0.names, id: $0.id) }.map(\.id))
            let changed = listed.symmetricDifference(entries.keys)
            await withTaskGroup(of: Void.self) { group in
                for id in changed { group.addTask { await self.refresh(id) } }
            }
            if engineError != nil { generation += 1 }
            engineError = nil
            synced = true
            return true
        } catch {
            engineError = "\(error)"
            generation += 1
            return false
        }
    }

    /// Inspects one container and starts, keeps or stops its stream to match.
    private func refresh(_ id: String) async {
        nextToken += 1
        let token = nextToken
        refreshTokens[id] = token
        let result: Result<ContainerInspect, Error>
        do { result = .success(try await docker.inspectContainer(id)) } catch { result = .failure(error) }
        guard running, refreshTokens[id] == token else { return }
        refreshTokens[id] = nil
        switch result {
        case .success(let c):
            if selection.matches(name: c.name, id: c.id) { apply(c) } else { drop(id) }
        case .failure(let e):
            if let d = e as? DockerError, case .notFound = d { drop(id) } else { entries[id]?.refreshing = false }
        }
    }

    private func apply(_ c: ContainerInspect) {
        let live = c.state.running || c.state.restarting == true
        guard live else { drop(c.id); return }
        var entry = entries[c.id] ?? Entry(sample: ContainerSample(inspect: c, stats: nil))
        let restarted = entry.sample.startedAt != ContainerSample(inspect: c, stats: nil).startedAt
        let usage = restarted ? nil : entry.sample.usage
        entry.sample = ContainerSample(inspect: c, stats: nil)
        entry.sample.usage = usage
        entry.refreshing = false
        // A stream opened before a restart reads the old cgroup: start a new one.
        let wantStream = c.state.running && c.state.restarting != true
        if entry.stream != nil && (!wantStream || restarted) {
            entry.stream?.cancel()
            entry.stream = nil
            entry.sample.usage = nil
        }
        entries[c.id] = entry
        if wantStream && entries[c.id]?.stream == nil { startStream(c.id) }
        generation += 1
    }

    private func drop(_ id: String) {
        guard let e = entries.removeValue(forKey: id) else { return }
        e.stream?.cancel()
        generation += 1
    }

    // MARK: streams

    private func startStream(_ id: String) {
        nextToken += 1
        let token = nextToken
        openStreams += 1
        let docker = self.docker
        entries[id]?.streamToken = token
        entries[id]?.stream = Task {
            do {
                for try await s in docker.statsStream(id) {
                    if Task.isCancelled { break }
                    self.record(id, token, s)
                }
            } catch {}
            self.streamEnded(id, token)
        }
    }

    private func record(_ id: String, _ token: Int, _ stats: ContainerStats) {
        guard let e = entries[id], e.streamToken == token else { return }
        let usage = ResourceUsage(stats)
        guard usage.sampledAt != nil else {
            // dockerd sends zero samples for a container that stopped: it did, and its die event is late or lost.
            if !e.refreshing { entries[id]?.refreshing = true; Task { await self.refresh(id) } }
            return
        }
        entries[id]?.sample.usage = usage
        generation += 1
    }

    private func streamEnded(_ id: String, _ token: Int) {
        openStreams -= 1
        guard running, let e = entries[id], e.streamToken == token, e.stream != nil else { return }
        // Ended on its own (dockerd restarted, the container went away): look again in a moment.
        entries[id]?.stream = nil
        entries[id]?.refreshing = true
        Task {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            await self.refresh(id)
        }
    }
}
