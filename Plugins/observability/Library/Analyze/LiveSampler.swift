import Foundation
import ContainerKit

/// Samples one container every `interval` seconds for `window` seconds: CPU (averaged over each interval), memory,
/// restart count, listening ports and processes — what `analyze` builds its baseline from when it does not read the
/// daily log.
public struct LiveSampler: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case notRunning(String)
        case engine(String)
        public var description: String {
            switch self {
            case .notRunning(let c): return "container \(c) is not running (docker ps lists the running ones); analyze --from-log reads its history instead"
            case .engine(let e): return e
            }
        }
    }

    public let docker: DockerClient
    public let container: String
    public let window: Double
    public let interval: Double

    public init(docker: DockerClient, container: String, window: Double, interval: Double) {
        self.docker = docker
        self.container = container
        self.window = window
        self.interval = interval
    }

    /// The samples, oldest first, and the container's name. Stops early, with what it has, when `isCancelled` says so
    /// or the container is removed; a stopped container is sampled again once it runs (its restarts count).
    public func run(isCancelled: @escaping @Sendable () -> Bool,
                    progress: @escaping @Sendable (Int, Int) -> Void) async throws -> (name: String, samples: [SampleRecord]) {
        let collector = Collector(docker: docker, selection: ContainerSelection([container]))
        let collecting = Task { await collector.run() }
        defer { collecting.cancel() }
        let first = await collector.snapshot()
        if let e = first.error { throw Failure.engine(e) }
        guard let start = first.containers.first else { throw Failure.notRunning(container) }
        let expected = max(1, Int((window / interval).rounded(.down)))
        let began = Date()
        var samples: [SampleRecord] = []
        var previous: ContainerSample?
        var round = 0
        while round < expected && !isCancelled() && !Task.isCancelled {
            let due = began.addingTimeInterval(Double(round) * interval)
            if due > Date() { try? await Task.sleep(nanoseconds: UInt64(due.timeIntervalSinceNow * 1e9)) }
            if isCancelled() { break }
            round += 1
            let snap = await collector.snapshot(waitingUpTo: 0)
            guard let c = snap.containers.first(where: { $0.id == start.id }), let host = snap.host, c.usage != nil else {
                // Stopped between rounds: gone for good when the Engine no longer knows it.
                if (try? await docker.inspectContainer(start.id)) == nil { break }
                continue
            }
            let use = ResourceUse.of(c, since: previous, host: host)
            previous = c
            let activity = await ContainerActivity.observe(docker, c.id)
            samples.append(SampleRecord(time: Date(), container: c.name, cpuPercent: use.cpuPercent, memoryBytes: use.memoryBytes,
                                        memoryPercent: use.memoryPercent, restarts: c.restartCount,
                                        ports: activity.map { $0.ports.sorted() }, processes: activity.map { $0.processes.sorted() }))
            progress(round, expected)
        }
        collecting.cancel()
        await collecting.value
        return (start.name, samples)
    }
}
