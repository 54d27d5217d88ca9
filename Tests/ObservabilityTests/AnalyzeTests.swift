import Foundation
import Testing
@testable import ContainerKit
@testable import ContsecProtocol
@testable import Observability

@Suite("analyze: robust statistics")
struct RobustStatsTests {
    @Test("median, MAD and modified z-scores as Iglewicz and Hoaglin define them")
    func medianAndMAD() throws {
        // 1 2 3 4 100: median 3; |x − 3| = 2 1 0 1 97, whose median (the MAD) is 1.
        let v: [Double] = [1, 2, 3, 4, 100]
        #expect(RobustStats.median(v) == 3)
        #expect(RobustStats.median([1, 2, 3, 4]) == 2.5)
        #expect(RobustStats.mad(v) == 1)
        let z = try #require(RobustStats.modifiedZ(v))
        #expect(abs(z[4] - 0.6745 * 97) < 1e-9)
        #expect(abs(z[0] - 0.6745 * -2) < 1e-9)
        // Fence: median + 3.5 · MAD / 0.6745.
        #expect(abs(try #require(RobustStats.upperFence(v)) - (3 + 3.5 / 0.6745)) < 1e-9)
    }

    @Test("more than half the values equal: the MAD is 0 and the mean absolute deviation takes over; all equal: no outliers")
    func zeroMAD() throws {
        let v: [Double] = [5, 5, 5, 5, 5, 5, 5, 9]
        #expect(RobustStats.mad(v) == 0)
        // MeanAD around the median 5 = 4 / 8 = 0.5; M(9) = 4 / (1.253314 · 0.5).
        let z = try #require(RobustStats.modifiedZ(v))
        #expect(abs(z[7] - 4 / (1.253314 * 0.5)) < 1e-9)
        #expect(RobustStats.modifiedZ([2, 2, 2]) == [0, 0, 0])
        #expect(RobustStats.upperFence([2, 2, 2]) == nil)
    }

    @Test("Theil–Sen ignores one wild point that would tilt a least-squares line")
    func theilSen() {
        // y = 2x with the last point at 100 instead of 8: of the 10 pairwise slopes six are 2, so the median is 2.
        let p: [(x: Double, y: Double)] = [(0, 0), (1, 2), (2, 4), (3, 6), (4, 100)]
        #expect(RobustStats.theilSenSlope(p) == 2)
        #expect(RobustStats.theilSenSlope([(0, 1)]) == nil)
    }

    @Test("a baseline's outliers must clear both the score and the floor")
    func floors() throws {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        func points(_ v: [Double]) -> [SeriesBaseline.Point] { v.enumerated().map { .init(time: t0.addingTimeInterval(Double($0.offset)), value: $0.element) } }
        // 9 is far out by score (6.4) but only 4 points above the median: under a floor of 5 it is noise.
        let quiet = try #require(SeriesBaseline(points([5, 5, 5, 5, 5, 5, 5, 9]), floor: 5))
        #expect(quiet.outliers.isEmpty)
        let spike = try #require(SeriesBaseline(points([5, 5, 5, 5, 5, 5, 5, 40]), floor: 5))
        #expect(spike.outliers.map(\.value) == [40])
        #expect(spike.outliers.first?.time == t0.addingTimeInterval(7))
        // Seven samples: a baseline, no outliers.
        #expect(try #require(SeriesBaseline(points([1, 1, 1, 1, 1, 1, 90]), floor: 1)).outliers.isEmpty)
    }
}

@Suite("analyze: sample lines, windows, history")
struct SampleHistoryTests {
    @Test("a sample line reads back as written; process names lose spaces and commas")
    func roundTrip() throws {
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        let r = SampleRecord(time: t, container: "web-1", cpuPercent: 12.345, memoryBytes: 1_048_576, memoryPercent: 1.5,
                             restarts: 2, ports: [443, 80], processes: ["nginx", "my proc,x"])
        #expect(r.line == "sample container=web-1 cpu_percent=12.35 memory_bytes=1048576 memory_percent=1.50 restarts=2 ports=80,443 processes=my_proc_x,nginx")
        let back = try #require(SampleRecord.parse(r.line, time: t))
        #expect(back.cpuPercent == 12.35 && back.memoryBytes == 1_048_576 && back.restarts == 2)
        #expect(back.ports == [80, 443] && back.processes == ["my_proc_x", "nginx"])
        // Observed nothing: "-"; not observed: absent.
        let empty = SampleRecord(time: t, container: "c", cpuPercent: nil, memoryBytes: 5, memoryPercent: nil, ports: [], processes: nil)
        #expect(empty.line == "sample container=c memory_bytes=5 ports=-")
        #expect(SampleRecord.parse(empty.line, time: t)?.ports == [] && SampleRecord.parse(empty.line, time: t)?.processes == nil)
        #expect(SampleRecord.parse("progress sample 3", time: t) == nil)
    }

    @Test("windows are written 90s, 15m, 2h, 7d or in seconds")
    func windows() {
        #expect(WindowDuration.parse("90s") == 90)
        #expect(WindowDuration.parse("15m") == 900)
        #expect(WindowDuration.parse("2h") == 7200)
        #expect(WindowDuration.parse("7d") == 604_800)
        #expect(WindowDuration.parse("45") == 45)
        #expect(WindowDuration.parse("0s") == nil && WindowDuration.parse("soon") == nil && WindowDuration.parse("-5m") == nil)
        #expect(WindowDuration.text(900) == "15m" && WindowDuration.text(90) == "90s" && WindowDuration.text(86_400) == "1d")
    }

    @Test("the daily logs give this container's samples inside the window, across files, and nothing else")
    func history() throws {
        let dir = try tempDir("history")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two days of contsec's log format; lines of other containers, plugins and events, one outside the window.
        try """
        2026-11-30T23:59:58.000Z [observability aaaa1111] stderr | sample container=web cpu_percent=1.00 memory_bytes=100
        2026-11-30T23:59:59.000Z [observability aaaa1111] stderr | sample container=web-2 cpu_percent=9.00 memory_bytes=900
        2026-11-30T23:59:59.500Z [observability aaaa1111] progress sample container=web 3
        """.write(toFile: dir + "/container-security-20261130.log", atomically: true, encoding: .utf8)
        try """
        2026-12-01T00:00:00.000Z [observability aaaa1111] stderr | sample container=web cpu_percent=2.00 memory_bytes=200 processes=sh
        2026-12-01T00:00:01.000Z [other-plugin bbbb2222] stderr | sample container=web cpu_percent=50.00 memory_bytes=1
        2026-12-01T00:00:02.000Z [observability aaaa1111] stderr | sample container=web cpu_percent=3.00 memory_bytes=300
        garbage line
        """.write(toFile: dir + "/container-security-20261201.log", atomically: true, encoding: .utf8)
        let now = try #require(Timestamps.parse("2026-12-01T00:00:03Z"))
        let all = SampleHistory.read(directory: dir, container: "web", since: now.addingTimeInterval(-3600), now: now)
        #expect(all.map(\.cpuPercent) == [1, 2, 3])
        #expect(all.first?.time == Timestamps.parse("2026-11-30T23:59:58Z"))
        // A 2.5 s window leaves the first line of the previous day out.
        let recent = SampleHistory.read(directory: dir, container: "web", since: now.addingTimeInterval(-3.5), now: now)
        #expect(recent.map(\.memoryBytes) == [200, 300])
    }

    @Test("RFC 3339 times with nanoseconds and offsets")
    func timestamps() throws {
        let a = try #require(Timestamps.parse("2026-12-01T23:20:21.482199681Z"))
        #expect(abs(a.timeIntervalSince1970 - 1_796_167_221.482199681) < 1e-6)
        #expect(Timestamps.parse("2026-12-02T01:20:21.5+02:00")?.timeIntervalSince1970 == 1_796_167_221.5)
        #expect(Timestamps.parse("0001-01-01T00:00:00Z") == nil)
        #expect(Timestamps.parse("2026-13-01T00:00:00Z") == nil)
        #expect(Timestamps.parse("yesterday") == nil)
    }
}

@Suite("analyze: the report")
struct BehaviourReportTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func samples(cpu: [Double], memoryMiB: [Double], processes: [[String]]? = nil, restarts: [Int]? = nil) -> [SampleRecord] {
        cpu.indices.map { i in
            SampleRecord(time: t0.addingTimeInterval(Double(i) * 5), container: "web", cpuPercent: cpu[i],
                         memoryBytes: UInt64(memoryMiB[i] * 1_048_576), memoryPercent: nil, restarts: restarts?[i],
                         ports: [80], processes: processes?[i])
        }
    }

    func row(_ r: BehaviourReport, _ aspect: String) -> [String: JSONValue]? { r.table.rows.first { $0["aspect"]?.stringValue == aspect } }

    @Test("a CPU burst in a quiet series: its samples are the outliers, with a finding naming them")
    func cpuBurst() throws {
        // Baseline about 2 %, three samples at 60-70 %.
        let cpu: [Double] = [2, 2.1, 1.9, 2, 2.2, 1.8, 2, 60, 70, 65, 2, 2.1]
        let r = BehaviourReport.build(container: "web", samples: Self.samples(cpu: cpu, memoryMiB: Array(repeating: 50, count: 12)),
                                      window: 60, source: "live", current: nil)
        let f = try #require(r.findings.first { $0.ruleId == "OBS-ANALYZE-001" })
        #expect(f.message?.contains("3 of 12 samples") == true, "\(f.message ?? "")")
        #expect(row(r, "cpu %")?["status"] == "anomaly")
        #expect(row(r, "memory")?["status"] == "ok")
        #expect(!r.findings.contains { $0.ruleId == "OBS-ANALYZE-002" || $0.ruleId == "OBS-ANALYZE-003" })
        // Median of the twelve: sorted, the 6th and 7th are 2.0 and 2.1.
        #expect(r.summary["cpuPercent"]?["median"]?.doubleValue == 2.05)
        #expect(r.summary["cpuPercent"]?["outliers"]?.arrayValue?.count == 3)
        try ResultTableCheck.valid(r.table)
    }

    @Test("memory that keeps growing is reported as a trend, not as outliers; new processes and restarts are counted")
    func growthProcessesRestarts() throws {
        // +4 MiB every sample for 12 samples: 44 MiB over 55 s, far above max(8 MiB, 20 % of the median).
        let memory = (0..<12).map { 40 + Double($0) * 4 }
        let processes = (0..<12).map { $0 < 6 ? ["nginx"] : ["nginx", "xmrig"] }
        let restarts = [0, 0, 0, 1, 1, 2, 2, 3, 3, 3, 3, 3]
        let r = BehaviourReport.build(container: "web", samples: Self.samples(cpu: Array(repeating: 1, count: 12), memoryMiB: memory,
                                                                             processes: processes, restarts: restarts),
                                      window: 60, source: "log", current: nil)
        let ids = r.findings.map(\.ruleId)
        #expect(ids.contains("OBS-ANALYZE-003"))
        #expect(!ids.contains("OBS-ANALYZE-002"))
        #expect(r.findings.first { $0.ruleId == "OBS-PROC-001" }?.properties["process"] == "xmrig")
        #expect(ids.contains("OBS-RESTART-001"))
        #expect(row(r, "processes")?["note"] == "new: xmrig")
        #expect(row(r, "restarts")?["value"] == "3 in the window")
        // 4 MiB per 5 s is 48 MiB per minute.
        let slope = try #require(r.summary["memoryBytes"]?["slopePerMinute"]?.doubleValue)
        #expect(abs(slope - 48 * 1_048_576) < 1, "\(slope)")
        #expect(row(r, "posture")?["status"] == "unknown")
    }

    @Test("nothing unusual and no samples: no findings, and the report says what it could not see")
    func quiet() {
        let flat = BehaviourReport.build(container: "web", samples: Self.samples(cpu: Array(repeating: 3, count: 10), memoryMiB: Array(repeating: 20, count: 10)),
                                         window: 60, source: "live", current: nil)
        #expect(flat.findings.isEmpty)
        let none = BehaviourReport.build(container: "web", samples: [], window: 3600, source: "log", current: nil)
        #expect(none.findings.isEmpty)
        #expect(none.table.rows.first?["value"] == "no samples")
        #expect(none.table.title == "behaviour of web over 1h (daily log, 0 samples)")
    }
}

/// The host's own check of a table (what `contsec` would reject).
enum ResultTableCheck {
    static func valid(_ t: ResultTable) throws {
        let data = try JSONEncoder().encode(t)
        _ = try JSONDecoder().decode(ResultTable.self, from: data)
    }
}
