import Foundation

/// CPU and memory use of a container as a percentage of its limit, or of the host when it has none.
public struct ResourceUse: Sendable, Equatable {
    public var cpuPercent: Double?
    public var memoryPercent: Double?
    /// CPU in cores (1.0 = one full CPU).
    public var cpuCores: Double?
    public var memoryBytes: UInt64?
    public var cpuOfHost: Bool
    public var memoryOfHost: Bool

    /// Use at `now`. CPU is averaged from `before` (an earlier sample of the same container, e.g. the previous
    /// monitor round) to `now` when both carry counters read at different times; otherwise it is the Engine's own
    /// last-second figure in `now` (``ResourceUsage/cpuCores``).
    public static func of(_ now: ContainerSample, since before: ContainerSample? = nil, host: HostFacts) -> ResourceUse {
        var r = ResourceUse(cpuPercent: nil, memoryPercent: nil, cpuCores: nil, memoryBytes: nil,
                            cpuOfHost: now.cpuLimitCores == nil, memoryOfHost: now.memoryLimitBytes == 0)
        guard let b = now.usage else { return r }
        if let before, before.id == now.id, before.startedAt == now.startedAt, let a = before.usage,
           let t0 = a.sampledAt, let t1 = b.sampledAt, t1.timeIntervalSince(t0) >= 0.5, b.cpuSeconds >= a.cpuSeconds {
            r.cpuCores = (b.cpuSeconds - a.cpuSeconds) / t1.timeIntervalSince(t0)
        } else {
            r.cpuCores = b.cpuCores
        }
        if let cores = r.cpuCores { r.cpuPercent = cores / (now.cpuLimitCores ?? Double(host.cpus)) * 100 }
        r.memoryBytes = b.memoryWorkingSetBytes
        let limit = now.memoryLimitBytes > 0 ? now.memoryLimitBytes : host.memoryBytes
        if limit > 0 { r.memoryPercent = Double(b.memoryWorkingSetBytes) / Double(limit) * 100 }
        return r
    }
}
