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
    /// When the Engine read these counters (the stats' `read`); nil when it gave no time.
    public var sampledAt: Date?
    /// CPU in cores over the Engine's own interval before this sample (`cpu_stats` − `precpu_stats` over `read` −
    /// `preread`, about a second in a stream, as `docker stats` computes it); nil without a previous reading.
    public var cpuCores: Double?

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
        sampledAt = s.read.flatMap(Timestamps.parse)
        if let now = sampledAt, let before = s.preread.flatMap(Timestamps.parse), now > before,
           let a = s.precpuStats?.cpuUsage?.totalUsage, let b = s.cpuStats?.cpuUsage?.totalUsage, b >= a, a > 0 {
            cpuCores = Double(b - a) / ns / now.timeIntervalSince(before)
        }
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

/// RFC 3339 times as the Engine (and contsec's log) write them, `2026-12-01T23:20:21.482199681Z` or with a `+hh:mm`
/// offset. Parsed by hand: Foundation's ISO8601DateFormatter reads no nanoseconds, and building one per call costs
/// more than the whole parse — with one stats stream per container this runs about twice a second per container.
enum Timestamps {
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(Array($0)) }
    }

    static func parse(_ b: [UInt8]) -> Date? {
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<from + count {
                let d = Int(b[i]) - 48
                guard (0...9).contains(d) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = num(0, 4), b[4] == 45, let month = num(5, 2), b[7] == 45, let day = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32, let hour = num(11, 2), b[13] == 58, let minute = num(14, 2),
              b[16] == 58, let second = num(17, 2),
              year > 1, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            while i < b.count, (48...57).contains(b[i]) { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, i + 6 <= b.count, let h = num(i + 1, 2), b[i + 3] == 58, let m = num(i + 4, 2) {
            offset = (h * 3600 + m * 60) * (b[i] == 45 ? -1 : 1)
            i += 6
        } else { return nil }
        guard i == b.count else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
