import Foundation
import ContsecProtocol

/// The `analyze` report for one container: what it did over a window (CPU and memory baseline and outliers, processes,
/// listening ports, restarts) and how it runs (its security posture), as a table, findings for what is anomalous or
/// risky, and a summary with the figures.
public struct BehaviourReport: Sendable {
    public var table: ResultTable
    public var findings: [Finding]
    public var summary: [String: JSONValue]

    /// How the statistics work, said in the report itself.
    public static let method = "baseline = median, spread = MAD (median absolute deviation); outlier = modified z-score "
        + "0.6745·(x − median)/MAD above 3.5 (Iglewicz–Hoaglin) and above the median by at least the floor; trend = Theil–Sen slope"

    /// Floors below which a deviation is noise, not an anomaly.
    public static let cpuFloorPercent = 5.0
    public static func memoryFloor(median: Double) -> Double { max(4 * 1_048_576, median * 0.10) }
    /// Memory growth over the window that is reported as a leak-like trend: at least 8 MiB and 20 % of the median.
    public static func memoryGrowthLimit(median: Double) -> Double { max(8 * 1_048_576, median * 0.20) }

    /// - Parameters:
    ///   - container: the container's name.
    ///   - samples: oldest first, from live sampling or the daily log.
    ///   - source: "live" or "log", said in the table title and summary.
    ///   - current: the container as inspected now (nil when it no longer exists: the posture is then unknown).
    public static func build(container: String, samples: [SampleRecord], window: Double, source: String,
                             current: ContainerSample?) -> BehaviourReport {
        var rows: [[String: JSONValue]] = []
        var findings: [Finding] = []
        var summary: [String: JSONValue] = [
            "container": .string(container), "source": .string(source), "windowSeconds": .int(Int(window.rounded())),
            "samples": .int(samples.count), "method": .string(method),
        ]
        func row(_ aspect: String, _ value: String, _ baseline: String = "", _ status: String, _ note: String = "") {
            rows.append(["aspect": .string(aspect), "value": .string(value), "baseline": .string(baseline),
                         "status": .string(status), "note": .string(note)])
        }

        // CPU.
        let cpu = SeriesBaseline(samples.compactMap { s in s.cpuPercent.map { SeriesBaseline.Point(time: s.time, value: $0) } },
                                 floor: cpuFloorPercent)
        if let cpu {
            let outliersText = cpu.outliers.prefix(5).map { String(format: "%.1f %% at %@", $0.value, clock($0.time)) }.joined(separator: ", ")
            row("cpu %", String(format: "median %.2f, max %.2f", cpu.median, cpu.max),
                String(format: "MAD %.2f over %d samples", cpu.mad, cpu.count) + (cpu.fence.map { String(format: "; outliers above %.2f", $0) } ?? ""),
                cpu.outliers.isEmpty ? "ok" : "anomaly",
                cpu.outliers.isEmpty ? (cpu.count < SeriesBaseline.minimumForOutliers ? "too few samples for outliers" : "")
                    : "\(cpu.outliers.count) outlier(s): \(outliersText)")
            if !cpu.outliers.isEmpty {
                findings.append(RuntimeFindings.make(
                    "OBS-ANALYZE-001", "CPU spikes above the container's baseline", .medium, container: container,
                    message: String(format: "%@: %d of %d samples above its CPU baseline (median %.2f %%, MAD %.2f), highest %.1f %% at %@.",
                                    container, cpu.outliers.count, cpu.count, cpu.median, cpu.mad, cpu.max, clock(cpu.outliers.max { $0.value < $1.value }!.time)),
                    remediation: "See what ran then (processes below, docker top); unexplained bursts are how miners and scanners look.",
                    properties: ["median": .double(round2(cpu.median)), "mad": .double(round2(cpu.mad)), "outliers": outlierJSON(cpu.outliers)]))
            }
            summary["cpuPercent"] = .object(seriesJSON(cpu))
        } else {
            row("cpu %", "no samples", "", "unknown")
        }

        // Memory (working set).
        let memoryPoints = samples.compactMap { s in s.memoryBytes.map { SeriesBaseline.Point(time: s.time, value: Double($0)) } }
        let memoryMedian = RobustStats.median(memoryPoints.map(\.value)) ?? 0
        if let mem = SeriesBaseline(memoryPoints, floor: memoryFloor(median: memoryMedian)) {
            let span = (memoryPoints.last!.time.timeIntervalSince(memoryPoints.first!.time)) / 60
            let growth = (mem.slopePerMinute ?? 0) * span
            let growing = mem.count >= SeriesBaseline.minimumForOutliers && growth >= memoryGrowthLimit(median: mem.median)
            var notes: [String] = []
            if !mem.outliers.isEmpty {
                notes.append("\(mem.outliers.count) outlier(s): " + mem.outliers.prefix(5).map { "\(mib($0.value)) at \(clock($0.time))" }.joined(separator: ", "))
            }
            if let slope = mem.slopePerMinute { notes.append("trend \(slope >= 0 ? "+" : "")\(mib(slope))/min (Theil–Sen)") }
            row("memory", "median \(mib(mem.median)), max \(mib(mem.max))",
                "MAD \(mib(mem.mad)) over \(mem.count) samples" + (mem.fence.map { "; outliers above \(mib($0))" } ?? ""),
                mem.outliers.isEmpty && !growing ? "ok" : "anomaly", notes.joined(separator: "; "))
            if !mem.outliers.isEmpty {
                findings.append(RuntimeFindings.make(
                    "OBS-ANALYZE-002", "Memory spikes above the container's baseline", .medium, container: container,
                    message: "\(container): \(mem.outliers.count) of \(mem.count) samples above its memory baseline (median \(mib(mem.median)), MAD \(mib(mem.mad))), highest \(mib(mem.max)).",
                    remediation: "Find what allocates then; set a memory limit (--memory) so a spike cannot starve the host.",
                    properties: ["medianBytes": .int(Int(mem.median)), "madBytes": .int(Int(mem.mad)), "outliers": outlierJSON(mem.outliers)]))
            }
            if growing {
                findings.append(RuntimeFindings.make(
                    "OBS-ANALYZE-003", "Memory keeps growing", .low, container: container,
                    message: "\(container)'s memory grew about \(mib(growth)) over \(String(format: "%.0f", span)) min (Theil–Sen slope \(mib(mem.slopePerMinute ?? 0))/min), from \(mib(mem.min)) to \(mib(mem.max)).",
                    remediation: "A leak or an unbounded cache: watch it with monitor, and set a memory limit.",
                    properties: ["bytesPerMinute": .int(Int(mem.slopePerMinute ?? 0))]))
            }
            var json = seriesJSON(mem)
            json["growing"] = .bool(growing)
            summary["memoryBytes"] = .object(json)
        } else {
            row("memory", "no samples", "", "unknown")
        }

        // Processes and listening ports, against the first sample that observed them.
        let observed = samples.filter { $0.processes != nil || $0.ports != nil }
        func setRow(_ aspect: String, _ pick: (SampleRecord) -> [String]?, finding: (String) -> Finding, key: String) {
            let lists = observed.compactMap(pick)
            guard let first = lists.first else { row(aspect, "not observed", "", "unknown", source == "log" ? "the log's samples do not list them" : ""); return }
            var seen = Set<String>()
            for l in lists { seen.formUnion(l) }
            let new = seen.subtracting(first).sorted { $0.localizedStandardCompare($1) == .orderedAscending }
            row(aspect, seen.isEmpty ? "none" : seen.sorted { $0.localizedStandardCompare($1) == .orderedAscending }.joined(separator: ", "),
                "first sample: " + (first.isEmpty ? "none" : first.sorted { $0.localizedStandardCompare($1) == .orderedAscending }.joined(separator: ", ")),
                new.isEmpty ? "ok" : "anomaly", new.isEmpty ? "" : "new: " + new.joined(separator: ", "))
            findings += new.map(finding)
            summary[key] = .array(seen.sorted().map(JSONValue.string))
            summary[key + "New"] = .array(new.map(JSONValue.string))
        }
        setRow("processes", { $0.processes }, finding: { RuntimeFindings.newProcess(container, $0) }, key: "processes")
        setRow("listening ports", { $0.ports?.map(String.init) }, finding: { RuntimeFindings.newPort(container, Int($0) ?? 0) }, key: "ports")

        // Restarts within the window, from the restart counts the samples carry.
        let counts = samples.compactMap(\.restarts)
        let restarts = counts.isEmpty ? nil : (counts.max()! - counts.first!)
        let total = current?.restartCount ?? counts.last
        if let restarts {
            row("restarts", "\(restarts) in the window", total.map { "\($0) since created" } ?? "",
                restarts >= 3 ? "anomaly" : (restarts > 0 ? "note" : "ok"))
            if restarts >= 3 {
                findings.append(RuntimeFindings.restartLoop(container, restarts: restarts, window: "in the analyzed window"))
            }
            summary["restarts"] = .int(restarts)
        } else {
            row("restarts", total.map { "\($0) since created" } ?? "unknown", "", total == nil ? "unknown" : "ok")
        }

        // How it runs now.
        if let c = current {
            let p = c.posture
            row("oom killed", c.oomKilled ? "yes (last exit)" : "no", "", c.oomKilled ? "anomaly" : "ok")
            if c.oomKilled { findings.append(RuntimeFindings.oomKilled(container)) }
            row("privileged", p.privileged ? "yes" : "no", "", p.privileged ? "risk" : "ok")
            row("user", p.rootUser ? "root" + (p.user.isEmpty ? "" : " (\(p.user))") : p.user, "", p.rootUser ? "risk" : "ok")
            row("capabilities", (p.capabilitiesAdded.map { "+" + $0 } + p.capabilitiesDropped.map { "-" + $0 }).joined(separator: " ").nonEmpty ?? "Engine default set",
                "", p.capabilitiesAdded.isEmpty ? "ok" : "risk")
            row("seccomp", p.seccompProfile, "", p.seccompUnconfined ? "risk" : "ok")
            row("apparmor", p.appArmorProfile.isEmpty ? "none" : p.appArmorProfile, "", p.appArmorUnconfined ? "risk" : "ok")
            row("host namespaces", p.hostNamespaces.isEmpty ? "none" : p.hostNamespaces.joined(separator: ", "), "", p.hostNamespaces.isEmpty ? "ok" : "risk")
            let detail = RuntimeFindings.postureDetail(container, p)
            let riskyMounts = Set(detail.filter { $0.ruleId == "OBS-POSTURE-006" }.compactMap { $0.properties["path"]?.stringValue })
            row("host mounts", p.hostMounts.map { $0 + (p.writableHostMounts.contains($0) ? " (rw)" : " (ro)") }.joined(separator: ", ").nonEmpty ?? "none",
                "", riskyMounts.isEmpty ? "ok" : "risk", riskyMounts.isEmpty ? "" : "sensitive: " + riskyMounts.sorted().joined(separator: ", "))
            let published = detail.contains { $0.ruleId == "OBS-POSTURE-007" }
            row("published ports", p.publishedPorts.joined(separator: ", ").nonEmpty ?? "none", "", published ? "note" : "ok",
                published ? "on every interface" : "")
            row("root filesystem", p.readOnlyRootfs ? "read-only" : "writable", "", p.readOnlyRootfs ? "ok" : "note")
            findings += RuntimeFindings.posture(container, p, started: false) + detail
            if let json = try? JSONValue(encoding: p) { summary["posture"] = json }
        } else {
            row("posture", "unknown", "", "unknown", "the container does not exist any more")
        }
        summary["findings"] = .int(findings.count)
        let title = "behaviour of \(container) over \(WindowDuration.text(window)) (\(source == "log" ? "daily log" : "live samples"), \(samples.count) samples)"
        let table = ResultTable(title: title, columns: [.init("aspect", "ASPECT"), .init("value", "VALUE"), .init("baseline", "BASELINE"),
                                                        .init("status", "STATUS"), .init("note", "NOTE")], rows: rows)
        return BehaviourReport(table: table, findings: findings, summary: summary)
    }

    static func seriesJSON(_ s: SeriesBaseline) -> [String: JSONValue] {
        var o: [String: JSONValue] = ["median": .double(round2(s.median)), "mad": .double(round2(s.mad)), "min": .double(round2(s.min)),
                                      "max": .double(round2(s.max)), "samples": .int(s.count), "outliers": outlierJSON(s.outliers)]
        if let f = s.fence { o["outlierAbove"] = .double(round2(f)) }
        if let slope = s.slopePerMinute { o["slopePerMinute"] = .double(round2(slope)) }
        return o
    }

    static func outlierJSON(_ points: [SeriesBaseline.Point]) -> JSONValue {
        .array(points.prefix(50).map { ["time": .string(iso($0.time)), "value": .double(round2($0.value))] })
    }

    static func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }

    static func mib(_ bytes: Double) -> String { String(format: "%.1f MiB", bytes / 1_048_576) }

    /// `HH:MM:SS` UTC: outliers within one window are told apart by the time of day.
    static func clock(_ d: Date) -> String {
        let s = Int(d.timeIntervalSince1970.rounded(.down)) % 86_400
        return String(format: "%02d:%02d:%02dZ", s / 3600, s / 60 % 60, s % 60)
    }

    static func iso(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: d)
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
