import Foundation
import ContainerKit

/// Cumulative resource counters of one container at one moment, as the Engine's stats report them.
public struct ResourceUsage: Sendable, Equatable {
    public struct Interface: Sendable, Equatable {
        public var rxBytes: UInt64, txBytes: UInt64
        public var rxPackets: UInt64, txPackets: UInt64
        public var rxErrors: UInt64, txErrors: UInt64
        public var rxDropped: UInt64, txDropped: UInt64
    }
    public var cpuSeconds: Double
    public var cpuUserSeconds: Double?
    public var cpuSystemSeconds: Double?
    /// All memory charged to the container, page cache included (cgroup `memory.usage`).
    public var memoryUsageBytes: UInt64
    /// Usage less inactive file pages: what the kernel would not reclaim first (cAdvisor's working set).
    public var memoryWorkingSetBytes: UInt64
    public var memoryRSSBytes: UInt64?
    public var memoryCacheBytes: UInt64?
    public var networks: [String: Interface]
    /// Tasks (threads) in the container's pids cgroup.
    public var threads: UInt64?

    public init(_ s: ContainerStats) {
        let ns = 1_000_000_000.0
        cpuSeconds = Double(s.cpuStats?.cpuUsage?.totalUsage ?? 0) / ns
        cpuUserSeconds = s.cpuStats?.cpuUsage?.usageInUsermode.map { Double($0) / ns }
        cpuSystemSeconds = s.cpuStats?.cpuUsage?.usageInKernelmode.map { Double($0) / ns }
        let usage = s.memoryStats?.usage ?? 0
        let m = s.memoryStats?.stats ?? [:]
        memoryUsageBytes = usage
        // cgroup v1 names the hierarchy totals `total_*`; v2 has `inactive_file`, `anon`, `file`.
        let inactive = m["total_inactive_file"] ?? m["inactive_file"] ?? 0
        memoryWorkingSetBytes = usage > inactive ? usage - inactive : 0
        memoryRSSBytes = m["total_rss"] ?? m["anon"]
        memoryCacheBytes = m["total_cache"] ?? m["file"]
        var nets: [String: Interface] = [:]
        for (name, n) in s.networks ?? [:] {
            nets[name] = Interface(rxBytes: n.rxBytes, txBytes: n.txBytes, rxPackets: n.rxPackets ?? 0, txPackets: n.txPackets ?? 0,
                                   rxErrors: n.rxErrors ?? 0, txErrors: n.txErrors ?? 0, rxDropped: n.rxDropped ?? 0, txDropped: n.txDropped ?? 0)
        }
        networks = nets
        threads = s.pidsStats?.current
    }
}

/// One container as the collector saw it: identity, state, limits, security posture and resource counters.
public struct ContainerSample: Sendable {
    public var id: String
    public var name: String
    public var image: String
    public var labels: [String: String]
    /// "running", "restarting"…
    public var state: String
    public var startedAt: Date?
    public var restartCount: Int
    public var oomKilled: Bool
    public var posture: SecurityPosture
    /// Bytes; 0 when unlimited.
    public var memoryLimitBytes: UInt64
    /// CPUs the container may use (`--cpus`); nil when unlimited.
    public var cpuLimitCores: Double?
    /// Nil when the Engine had no stats for it (e.g. between two restarts).
    public var usage: ResourceUsage?

    public init(inspect c: ContainerInspect, stats: ContainerStats?) {
        id = c.id
        name = c.displayName
        image = c.config.image ?? c.image
        labels = c.config.labels ?? [:]
        state = c.state.status ?? (c.state.running ? "running" : "unknown")
        startedAt = c.state.startedAt.flatMap(Timestamps.parse)
        restartCount = c.restartCount ?? 0
        oomKilled = c.state.oomKilled ?? false
        posture = SecurityPosture(c)
        memoryLimitBytes = UInt64(max(0, c.hostConfig.memory ?? 0))
        cpuLimitCores = (c.hostConfig.nanoCpus).flatMap { $0 > 0 ? Double($0) / 1e9 : nil }
        usage = stats.map(ResourceUsage.init)
    }
}

/// The Engine writes RFC 3339 times with nanoseconds, which ISO8601DateFormatter cannot read as is.
enum Timestamps {
    static func parse(_ text: String) -> Date? {
        guard !text.hasPrefix("0001-") else { return nil }  // the zero time: never started
        var t = text
        if let dot = t.firstIndex(of: ".") {
            let rest = t[t.index(after: dot)...]
            let digits = rest.prefix { $0.isNumber }
            let zone = rest.dropFirst(digits.count)
            let fraction = Double("0." + digits) ?? 0
            t = String(t[..<dot]) + zone
            return iso(t).map { $0.addingTimeInterval(fraction) }
        }
        return iso(t)
    }

    private static func iso(_ t: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: t)
    }
}
