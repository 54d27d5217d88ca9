import Foundation
import ContsecProtocol

/// `contsec report merge`: many hosts' JSON reports become one report, de-duplicated by fingerprint + host, with a
/// summary per host, rendered by the same reporters as a live run (any `--format`, gates, ignore file).
///
/// A finding seen twice on one host (the same nightly report collected twice, or two runs that found the same
/// problem) is kept once, the first time it appears in the order the files were given; the same fingerprint on two
/// hosts is two findings, because it is two problems to fix.
public struct ReportMerge: Sendable {
    /// Per machine, what went into the merge.
    public struct HostSummary: Sendable {
        public var name: String
        public var reports: [String] = []
        public var runs = 0
        public var failedRuns = 0
        public var tally = SeverityTally()
        public var ignored = 0
        public var duplicates = 0
        public var latest: Date?
    }

    private(set) var reports: [HostReport] = []
    public private(set) var hosts: [String: HostSummary] = [:]
    public private(set) var hostOrder: [String] = []
    /// Findings (and ignored findings) dropped as repeats of one already kept.
    public private(set) var duplicates = 0
    public private(set) var findingsRead = 0
    private var seen: Set<String> = []
    private var runKeys: Set<String> = []
    /// Run ids are 8 hex digits: unique on a machine, but two machines may draw the same one.
    private var runIdOwner: [String: String] = [:]

    public init() {}

    public var anyRunFailed: Bool { hostOrder.contains { (hosts[$0]?.failedRuns ?? 0) > 0 } }

    private mutating func summary(_ host: String, _ update: (inout HostSummary) -> Void) {
        if hosts[host] == nil {
            hosts[host] = HostSummary(name: host)
            hostOrder.append(host)
        }
        update(&hosts[host]!)
    }

    /// Adds one report. Its repeated runs and findings are dropped here, so `replay` sends each once.
    public mutating func add(_ report: HostReport) {
        var r = report
        r.filter(keepRun: { run in
            let key = run.host + "\u{0}" + run.runId
            return runKeys.insert(key).inserted
        }, keepEntry: { e in
            findingsRead += 1
            let key = e.host + "\u{0}" + (e.finding.fingerprint ?? e.finding.defaultFingerprint)
            if seen.insert(key).inserted { return true }
            duplicates += 1
            summary(e.host) { $0.duplicates += 1 }
            return false
        })
        for run in r.runs {
            summary(run.host) { s in
                s.runs += 1
                if run.failure != nil { s.failedRuns += 1 }
                if !s.reports.contains(report.path) { s.reports.append(report.path) }
                if let t = report.finishedAt, t > (s.latest ?? .distantPast) { s.latest = t }
            }
        }
        for e in r.entries {
            summary(e.host) { s in
                if e.ignoredReason != nil { s.ignored += 1 } else { s.tally.add(e.finding.severity) }
                if !s.reports.contains(report.path) { s.reports.append(report.path) }
            }
        }
        reports.append(r)
    }

    /// Sends every report's events, host by host as they were given, into `sink` (a ``PolicyFilter`` in front of
    /// the reporters), then finishes it. Ignored findings stay ignored: they go to the sinks that list them.
    public mutating func replay(into filter: PolicyFilter) {
        var seq: UInt64 = 0
        for report in reports {
            let time = report.finishedAt ?? Date()
            func send(_ plugin: String, _ runId: String, _ host: String, _ kind: EventKind, ignored: String? = nil) {
                seq += 1
                let event = Event(seq: seq, time: time, plugin: plugin, runId: runId, kind: kind, host: host)
                if let ignored { filter.receiveIgnored(event, reason: ignored) } else { filter.receive(event) }
            }
            // A run id another machine already used is told apart by its host.
            var ids: [String: String] = [:]
            for run in report.runs {
                let owner = runIdOwner[run.runId]
                if owner == nil { runIdOwner[run.runId] = run.host }
                ids[run.host + "\u{0}" + run.runId] = owner == nil || owner == run.host ? run.runId : "\(run.runId)@\(run.host)"
            }
            func runId(_ plugin: String, _ host: String, _ given: String?) -> String {
                if let given, let id = ids[host + "\u{0}" + given] { return id }
                if let given { return given }
                // Older reports name only the plugin: its first run on that host.
                return report.runs.first { $0.plugin == plugin && $0.host == host }.flatMap { ids[$0.host + "\u{0}" + $0.runId] } ?? "merged"
            }
            for run in report.runs {
                let id = runId(run.plugin, run.host, run.runId)
                send(run.plugin, id, run.host, .pluginStarted(path: run.path, command: run.command))
                if let info = run.info { send(run.plugin, id, run.host, .pluginReady(info)) }
            }
            for e in report.entries {
                send(e.plugin, runId(e.plugin, e.host, e.runId), e.host, .finding(e.finding), ignored: e.ignoredReason)
            }
            for a in report.actions { send(a.plugin, runId(a.plugin, a.host, nil), a.host, .action(a.action)) }
            for l in report.logs { send(l.plugin, runId(l.plugin, l.host, nil), l.host, .log(l.log)) }
            for w in report.warnings { send(w.plugin, runId(w.plugin, w.host, nil), w.host, .protocolWarning(w.message)) }
            for run in report.runs {
                let id = runId(run.plugin, run.host, run.runId)
                let duration = Double(run.durationMs) / 1000
                if let f = run.failure {
                    send(run.plugin, id, run.host, .pluginFailed(f, duration: duration))
                } else if let r = run.result {
                    send(run.plugin, id, run.host, .pluginFinished(r, duration: duration))
                }
            }
        }
        // The per-host summary goes to the reports that show tables before they are written.
        for sink in filter.sinks {
            if let json = sink as? JSONReporter {
                json.attach("hosts", .array(hostOrder.compactMap { hosts[$0]?.json }))
                json.attach("merged", ["reports": .int(reports.count), "hosts": .int(hostOrder.count),
                                       "findingsRead": .int(findingsRead), "duplicatesDropped": .int(duplicates)])
            }
            if let table = sink as? TableReporter {
                table.attach(heading: "hosts (\(hostOrder.count), merged from \(reports.count) report\(reports.count == 1 ? "" : "s"))",
                             table: hostTable)
            }
        }
        filter.finish()
    }

    /// One row per host: runs, failures, findings by severity, ignored, duplicates dropped.
    public var hostTable: ResultTable {
        var columns = [ResultTable.Column("host", "HOST"), .init("runs", "RUNS"), .init("failed", "FAILED"), .init("findings", "FINDINGS")]
        columns += SeverityTally.order.map { ResultTable.Column($0.rawValue, $0.rawValue.uppercased()) }
        columns += [.init("ignored", "IGNORED"), .init("duplicates", "DUPLICATES")]
        let rows: [[String: JSONValue]] = hostOrder.compactMap { hosts[$0] }.map { h in
            var row: [String: JSONValue] = ["host": .string(h.name), "runs": .int(h.runs), "failed": .int(h.failedRuns),
                                            "findings": .int(h.tally.total), "ignored": .int(h.ignored), "duplicates": .int(h.duplicates)]
            for s in SeverityTally.order { row[s.rawValue] = .int(h.tally[s]) }
            return row
        }
        return ResultTable(title: nil, columns: columns, rows: rows)
    }
}

extension ReportMerge.HostSummary {
    /// `{name, reports, runs, pluginsFailed, findings, bySeverity, ignored, duplicatesDropped, latest}`.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "reports": .array(reports.map(JSONValue.string)), "runs": .int(runs),
            "pluginsFailed": .int(failedRuns), "findings": .int(tally.total), "bySeverity": tally.json,
            "ignored": .int(ignored), "duplicatesDropped": .int(duplicates),
        ]
        if let latest { o["latest"] = .string(ISO8601DateFormatter().string(from: latest)) }
        return .object(o)
    }
}

extension HostReport {
    /// Keeps the runs and entries the predicates accept, in order.
    mutating func filter(keepRun: (Run) -> Bool, keepEntry: (Entry) -> Bool) {
        runs = runs.filter(keepRun)
        entries = entries.filter(keepEntry)
    }
}
