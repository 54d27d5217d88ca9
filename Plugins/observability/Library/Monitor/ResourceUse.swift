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

    /// - Parameters: two samples of the same container, `before` taken first.
    public static func between(_ before: ContainerSample, _ beforeTime: Date, _ now: ContainerSample, _ nowTime: Date,
                               host: HostFacts) -> ResourceUse {
        var r = ResourceUse(cpuPercent: nil, memoryPercent: nil, cpuCores: nil, memoryBytes: nil,
                            cpuOfHost: now.cpuLimitCores == nil, memoryOfHost: now.memoryLimitBytes == 0)
        let elapsed = nowTime.timeIntervalSince(beforeTime)
        if let a = before.usage, let b = now.usage, elapsed > 0, b.cpuSeconds >= a.cpuSeconds, before.id == now.id {
            let cores = (b.cpuSeconds - a.cpuSeconds) / elapsed
            r.cpuCores = cores
            r.cpuPercent = cores / (now.cpuLimitCores ?? Double(host.cpus)) * 100
        }
        if let b = now.usage {
            r.memoryBytes = b.memoryWorkingSetBytes
            let limit = now.memoryLimitBytes > 0 ? now.memoryLimitBytes : host.memoryBytes
            if limit > 0 { r.memoryPercent = Double(b.memoryWorkingSetBytes) / Double(limit) * 100 }
        }
        return r
    }
}
