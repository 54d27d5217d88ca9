import Foundation
import ContainerKit

/// The host facts the metrics and thresholds need, read once from `/info`.
public struct HostFacts: Sendable, Equatable {
    public var cpus: Int
    public var memoryBytes: UInt64
    /// "cgroupfs" or "systemd": decides the cgroup path cAdvisor uses as the `id` label.
    public var cgroupDriver: String
}

/// Everything one collection saw.
public struct Snapshot: Sendable {
    public var time: Date
    public var host: HostFacts?
    public var containers: [ContainerSample]
    /// Nil when the Engine answered; else why not.
    public var error: String?
    /// Seconds the collection took.
    public var duration: Double
}

/// Collects samples of running containers from the Engine: list, then inspect + one-shot stats for each, a few at a
/// time. Concurrent callers share one collection in flight, and a snapshot younger than `maxAge` is reused, so 200
/// simultaneous scrapes cost the daemon one round of requests, not 200.
public actor Collector {
    public let docker: DockerClient
    public let maxAge: Double
    public let parallelism: Int
    /// Only containers whose name is in this set (empty: all).
    public let names: Set<String>
    private var host: HostFacts?
    private var last: Snapshot?
    private var inFlight: Task<Snapshot, Never>?

    public init(docker: DockerClient, maxAge: Double = 1, parallelism: Int = 8, names: Set<String> = []) {
        self.docker = docker
        self.maxAge = maxAge
        self.parallelism = max(1, parallelism)
        self.names = names
    }

    /// The latest snapshot, collecting a new one when the last is older than `maxAge`.
    public func snapshot() async -> Snapshot {
        if let last, Date().timeIntervalSince(last.time) < maxAge { return last }
        if let inFlight { return await inFlight.value }
        let task = Task { await self.collectNow() }
        inFlight = task
        let result = await task.value
        last = result
        inFlight = nil
        return result
    }

    private func hostFacts() async throws -> HostFacts {
        if let host { return host }
        let info = try await docker.info()
        let facts = HostFacts(cpus: max(1, info.ncpu ?? ProcessInfo.processInfo.activeProcessorCount),
                              memoryBytes: UInt64(max(0, info.memTotal ?? Int64(ProcessInfo.processInfo.physicalMemory))),
                              cgroupDriver: info.cgroupDriver ?? "cgroupfs")
        host = facts
        return facts
    }

    private func collectNow() async -> Snapshot {
        let start = Date()
        do {
            let facts = try await hostFacts()
            // Restarting containers are listed too, so a restart loop keeps its series.
            var list = try await docker.listContainers(all: false, filters: ["status": ["running", "restarting"]])
            if !names.isEmpty {
                list = list.filter { c in c.names.contains { names.contains($0.hasPrefix("/") ? String($0.dropFirst()) : $0) } || names.contains(c.id) }
            }
            let docker = self.docker
            let samples = await withTaskGroup(of: ContainerSample?.self) { group -> [ContainerSample] in
                var pending = list.makeIterator()
                var running = 0
                var out: [ContainerSample] = []
                func addNext() -> Bool {
                    guard let c = pending.next() else { return false }
                    group.addTask { await Self.sample(docker, c.id) }
                    return true
                }
                while running < parallelism, addNext() { running += 1 }
                for await s in group {
                    if let s { out.append(s) }
                    if !addNext() { running -= 1 }
                }
                return out
            }
            return Snapshot(time: Date(), host: facts, containers: samples.sorted { $0.name < $1.name }, error: nil,
                            duration: Date().timeIntervalSince(start))
        } catch {
            return Snapshot(time: Date(), host: host, containers: [], error: "\(error)", duration: Date().timeIntervalSince(start))
        }
    }

    /// Nil when the container went away between list and inspect.
    static func sample(_ docker: DockerClient, _ id: String) async -> ContainerSample? {
        guard let inspect = try? await docker.inspectContainer(id) else { return nil }
        let stats = inspect.state.running ? try? await docker.stats(id, oneShot: true) : nil
        return ContainerSample(inspect: inspect, stats: stats)
    }
}
