import Foundation

/// One sample of `GET /containers/{id}/stats` (cgroup v1 and v2 fields; absent ones are nil).
public struct ContainerStats: Codable, Sendable, Equatable {
    public var read: String?
    public var preread: String?
    public var name: String?
    public var id: String?
    public var pidsStats: PidsStats?
    public var cpuStats: CPUStats?
    public var precpuStats: CPUStats?
    public var memoryStats: MemoryStats?
    public var networks: [String: NetworkStats]?
    public var blkioStats: BlkioStats?

    public struct PidsStats: Codable, Sendable, Equatable {
        public var current: UInt64?
        public var limit: UInt64?
    }

    public struct CPUStats: Codable, Sendable, Equatable {
        public var cpuUsage: CPUUsage?
        public var systemCPUUsage: UInt64?
        public var onlineCPUs: Int?
        public struct CPUUsage: Codable, Sendable, Equatable {
            public var totalUsage: UInt64
            public var percpuUsage: [UInt64]?
            public var usageInKernelmode: UInt64?
            public var usageInUsermode: UInt64?
            enum CodingKeys: String, CodingKey {
                case totalUsage = "total_usage", percpuUsage = "percpu_usage"
                case usageInKernelmode = "usage_in_kernelmode", usageInUsermode = "usage_in_usermode"
            }
        }
        enum CodingKeys: String, CodingKey { case cpuUsage = "cpu_usage", systemCPUUsage = "system_cpu_usage", onlineCPUs = "online_cpus" }
    }

    public struct MemoryStats: Codable, Sendable, Equatable {
        public var usage: UInt64?
        public var maxUsage: UInt64?
        public var limit: UInt64?
        public var stats: [String: UInt64]?
        enum CodingKeys: String, CodingKey { case usage, maxUsage = "max_usage", limit, stats }
    }

    public struct NetworkStats: Codable, Sendable, Equatable {
        public var rxBytes: UInt64
        public var txBytes: UInt64
        public var rxPackets: UInt64?
        public var txPackets: UInt64?
        public var rxErrors: UInt64?
        public var txErrors: UInt64?
        public var rxDropped: UInt64?
        public var txDropped: UInt64?
        enum CodingKeys: String, CodingKey {
            case rxBytes = "rx_bytes", txBytes = "tx_bytes", rxPackets = "rx_packets", txPackets = "tx_packets"
            case rxErrors = "rx_errors", txErrors = "tx_errors", rxDropped = "rx_dropped", txDropped = "tx_dropped"
        }
    }

    public struct BlkioStats: Codable, Sendable, Equatable {
        public var ioServiceBytesRecursive: [Entry]?
        public struct Entry: Codable, Sendable, Equatable {
            public var major: UInt64
            public var minor: UInt64
            public var op: String
            public var value: UInt64
        }
        enum CodingKeys: String, CodingKey { case ioServiceBytesRecursive = "io_service_bytes_recursive" }
    }

    enum CodingKeys: String, CodingKey {
        case read, preread, name, id, networks
        case pidsStats = "pids_stats", cpuStats = "cpu_stats", precpuStats = "precpu_stats"
        case memoryStats = "memory_stats", blkioStats = "blkio_stats"
    }

    /// CPU use since the previous sample in percent of one CPU × online CPUs, as `docker stats` computes it.
    public var cpuPercent: Double? {
        guard let now = cpuStats, let before = precpuStats,
              let total = now.cpuUsage?.totalUsage, let previousTotal = before.cpuUsage?.totalUsage,
              let system = now.systemCPUUsage, let previousSystem = before.systemCPUUsage,
              system > previousSystem, total >= previousTotal else { return nil }
        let cpus = Double(now.onlineCPUs ?? now.cpuUsage?.percpuUsage?.count ?? 1)
        return Double(total - previousTotal) / Double(system - previousSystem) * cpus * 100
    }

    /// Memory in use without the page cache, as `docker stats` shows it.
    public var memoryUsedBytes: UInt64? {
        guard let usage = memoryStats?.usage else { return nil }
        let cache = memoryStats?.stats?["inactive_file"] ?? memoryStats?.stats?["total_inactive_file"] ?? 0
        return usage > cache ? usage - cache : usage
    }
}
