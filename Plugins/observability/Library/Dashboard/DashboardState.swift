import Foundation
import ContainerKit
import ContsecProtocol

/// What the dashboard shows, kept up to date by a sampler: per container the last 60 CPU/memory points, and the
/// recent runtime events from the Engine.
public final class DashboardState: @unchecked Sendable {
    public struct Point: Sendable { var cpu: Double; var memory: Double }
    private let lock = NSLock()
    private var series: [String: [Point]] = [:]
    private var latest: [ContainerSample] = []
    private var events: [JSONValue] = []
    public static let points = 60

    public init() {}

    func record(_ samples: [(ContainerSample, ResourceUse)]) {
        lock.lock()
        defer { lock.unlock() }
        latest = samples.map(\.0)
        let alive = Set(latest.map(\.id))
        series = series.filter { alive.contains($0.key) }
        for (c, use) in samples {
            var s = series[c.id] ?? []
            s.append(Point(cpu: use.cpuPercent ?? 0, memory: Double(use.memoryBytes ?? 0)))
            if s.count > Self.points { s.removeFirst(s.count - Self.points) }
            series[c.id] = s
        }
    }

    func note(_ e: DockerEvent) {
        let name = e.actor?.attributes?["name"] ?? String((e.actor?.id ?? "").prefix(12))
        let time = e.time.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double($0))) } ?? ""
        lock.lock()
        events.append(["time": .string(time), "container": .string(name), "action": .string(e.action ?? "")])
        if events.count > 100 { events.removeFirst(events.count - 100) }
        lock.unlock()
    }

    /// `/api/containers`.
    public func containersJSON() -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        let list: [JSONValue] = latest.map { c in
            let s = series[c.id] ?? []
            let p = c.posture
            return [
                "id": .string(String(c.id.prefix(12))), "name": .string(c.name), "image": .string(c.image), "state": .string(c.state),
                "cpu": .array(s.map { .double(($0.cpu * 100).rounded() / 100) }),
                "memory": .array(s.map { .double($0.memory) }),
                "memoryLimit": .double(Double(c.memoryLimitBytes)),
                "restarts": .int(c.restartCount),
                "posture": ["privileged": .bool(p.privileged), "seccompUnconfined": .bool(p.seccompUnconfined),
                            "root": .bool(p.rootUser), "capAdd": .array(p.capabilitiesAdded.map(JSONValue.string)),
                            "hostNamespaces": .array(p.hostNamespaces.map(JSONValue.string))],
            ]
        }
        return JSONWriter.bytes(["containers": .array(list)])
    }

    /// `/api/events`, newest first.
    public func eventsJSON() -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return JSONWriter.bytes(["events": .array(events.reversed())])
    }
}

extension FindingsLog.Summary {
    /// `/api/findings`: counts by plugin and severity of each plugin's latest run, and the newest findings.
    public func json() -> [UInt8] {
        let severities = ["critical", "high", "medium", "low", "info", "unknown"]
        var totals: [String: JSONValue] = [:]
        for s in severities { totals[s] = .int(runs.reduce(0) { $0 + ($1.counts[s] ?? 0) }) }
        let plugins: [JSONValue] = runs.map { r in
            ["plugin": .string(r.plugin), "runId": .string(r.runId), "time": .string(r.lastTime),
             "counts": .object(Dictionary(uniqueKeysWithValues: severities.map { ($0, JSONValue.int(r.counts[$0] ?? 0)) }))]
        }
        let recentList: [JSONValue] = newest(20).map { ["time": .string($0.time), "plugin": .string($0.plugin), "severity": .string($0.severity), "text": .string($0.text)] }
        return JSONWriter.bytes(["totals": .object(totals), "plugins": .array(plugins), "recent": .array(recentList)])
    }
}
