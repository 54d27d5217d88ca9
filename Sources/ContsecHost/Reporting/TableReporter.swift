import Foundation
import ContsecProtocol

/// The terminal report: findings grouped by severity, then actions and a summary line.
/// Colour and a live progress line only when writing to a terminal; plain and stable when piped.
public final class TableReporter: IgnoredFindingSink, @unchecked Sendable {
    private let out: ByteOutput
    private let colour: Bool
    private let progressLine: Bool
    private let maxRows: Int
    private var findings: [(plugin: String, finding: Finding, host: String)] = []
    /// Machines seen: with more than one (a merged report) rows and plugin lines name theirs.
    private var hosts: Set<String> = []
    private var dropped = 0
    private var actions: [(plugin: String, action: Action)] = []
    private var plugins: [(name: String, status: String, detail: String?, host: String)] = []
    /// Table results, in the order their runs finished; the command names the table when the plugin gives no title.
    private var tables: [(heading: String, table: ResultTable)] = []
    private var commands: [String: String] = [:]
    private var tally = SeverityTally()
    private var progressShown = false
    /// Findings the ignore file suppressed: not listed, only counted, so the user knows they exist.
    private var ignored = 0

    /// Plugins' `log` lines at or above this level are listed (PROTOCOL.md §9); the rest are counted.
    private let logLevel: LogLevel
    private var logs: [(plugin: String, log: LogMessage)] = []
    private var logsLeftOut = 0

    public init(output: ByteOutput, colour: Bool? = nil, maxRows: Int = 5000, progress: Bool = true, logLevel: LogLevel = .warning) {
        out = output
        self.logLevel = logLevel
        let tty = output.isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        self.colour = colour ?? tty
        progressLine = progress && output.isTerminal && isatty(2) == 1
        self.maxRows = maxRows
    }

    public func receive(_ event: Event) {
        switch event.kind {
        case .finding(let f):
            tally.add(f.severity)
            // Bounded: a table of a million rows helps no one; the JSON formats carry them all.
            hosts.insert(event.host)
            if findings.count < maxRows { findings.append((event.plugin, f, event.host)) } else { dropped += 1 }
            if progressLine && tally.total % 100 == 0 { showProgress("\(event.plugin): \(tally.total) findings") }
        case .action(let a): actions.append((event.plugin, a))
        case .log(let l):
            if l.level >= logLevel && logs.count < maxRows { logs.append((event.plugin, l)) } else { logsLeftOut += 1 }
        case .progress(let p) where progressLine:
            var text = "\(event.plugin): \(p.message ?? "working")"
            if let c = p.current, let t = p.total { text += " (\(c)/\(t))" }
            showProgress(text)
        case .pluginStarted(_, let command):
            commands[event.runId] = command
        case .pluginFinished(let r, let d):
            hosts.insert(event.host)
            plugins.append((event.plugin, r.status.rawValue, r.message ?? String(format: "%.2f s", d), event.host))
            if let t = r.table {
                let heading = t.title.map { "\(event.plugin): \($0)" }
                    ?? ([event.plugin] + (commands[event.runId].map { [$0] } ?? [])).joined(separator: " ")
                tables.append((heading, t))
            }
        case .pluginFailed(let f, _):
            hosts.insert(event.host)
            plugins.append((event.plugin, "failed", f.kind.rawValue, event.host))
        default: break
        }
    }

    public func receiveIgnored(_ event: Event, reason: String) { ignored += 1 }

    /// Adds a table of the caller's own (a merged report's summary per host), shown after the plugins' tables.
    public func attach(heading: String, table: ResultTable) { tables.append((heading, table)) }

    private func showProgress(_ text: String) {
        let line = "\r\u{1B}[2K" + String(TerminalText.escaped(text).prefix(100))
        FileHandle.standardError.write(Data(line.utf8))
        progressShown = true
    }

    private func paint(_ text: String, _ s: Severity) -> String {
        guard colour else { return text }
        let code: String
        switch s {
        case .critical: code = "1;31"
        case .high: code = "31"
        case .medium: code = "33"
        case .low: code = "36"
        case .info, .unknown: code = "2"
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// Where a finding is, escaped for the terminal (a file name from a scanned repository can hold anything).
    static func location(_ t: Target) -> String {
        let text: String
        if let file = t.file {
            text = t.line.map { "\(file):\($0)" } ?? file
        } else {
            text = t.kind == "file" ? t.name : "\(t.kind) \(t.name)"
        }
        return TerminalText.escaped(text)
    }

    public func finish() {
        if progressShown { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        // Runs that only ended in usage errors (a plugin rejected its arguments) have nothing to report: the error is
        // on stderr, and stdout stays empty as for every usage error.
        if findings.isEmpty && actions.isEmpty && tables.isEmpty && logs.isEmpty && ignored == 0 && !plugins.isEmpty
            && plugins.allSatisfy({ $0.status == "failed" && $0.detail == PluginFailure.Kind.usage.rawValue }) {
            out.flush()
            return
        }
        let sorted = findings.enumerated().sorted { a, b in
            if a.element.finding.severity != b.element.finding.severity { return a.element.finding.severity > b.element.finding.severity }
            return a.offset < b.offset  // stable: arrival order within a severity
        }.map(\.element)
        if !sorted.isEmpty {
            let ruleWidth = min(24, max(4, sorted.map { TerminalText.escaped($0.finding.ruleId).count }.max() ?? 4))
            let locWidth = min(60, max(6, sorted.map { Self.location($0.finding.target).count }.max() ?? 6))
            // Vulnerabilities name their package: one CVE in four packages is four different rows.
            let packages = sorted.map { $0.finding.packageSummary.map { TerminalText.escaped($0) } }
            let packageWidth = min(60, packages.map { $0?.count ?? 0 }.max() ?? 0)
            var current: Severity?
            let manyPlugins = plugins.count > 1 || Set(sorted.map(\.plugin)).count > 1  // once, not per row
            let manyHosts = hosts.count > 1
            for (i, (plugin, f, host)) in sorted.enumerated() {
                if f.severity != current {
                    current = f.severity
                    out.write("\n" + paint("\(f.severity.rawValue.uppercased()) (\(tally[f.severity]))", f.severity) + "\n")
                }
                let source = (manyHosts ? [host] : []) + (manyPlugins ? [plugin] : [])
                let prefix = source.isEmpty ? "" : "[\(TerminalText.escaped(source.joined(separator: " ")))] "
                let package = packageWidth > 0 ? pad(packages[i] ?? "", packageWidth) + "  " : ""
                out.write("  \(pad(TerminalText.escaped(f.ruleId), ruleWidth))  \(pad(Self.location(f.target), locWidth))  \(package)\(prefix)\(TerminalText.escaped(f.title))\n")
            }
            if dropped > 0 { out.write("  … and \(dropped) more findings (use --format json or jsonl for all of them)\n") }
        }
        if !actions.isEmpty {
            out.write("\nACTIONS (\(actions.count))\n")
            for (_, a) in actions {
                out.write("  \(pad(a.status.rawValue, 8))  \(pad(TerminalText.escaped(a.kind), 18))  \(TerminalText.escaped(a.target))\(a.detail.map { " — \(TerminalText.escaped($0))" } ?? "")\n")
            }
        }
        if !logs.isEmpty {
            out.write("\nLOG (\(logs.count)\(logsLeftOut > 0 ? "; \(logsLeftOut) more with --verbose or in --format json" : ""))\n")
            let many = Set(logs.map(\.plugin)).count > 1
            for (plugin, l) in logs {
                out.write("  \(pad(l.level.rawValue, 7))  \(many ? "[\(TerminalText.escaped(plugin))] " : "")\(TerminalText.escaped(l.message))\n")
            }
        }
        for (heading, table) in tables {
            out.write(ResultTableText.render(table, heading: heading, maxRows: maxRows))
        }
        out.write("\n")
        for p in plugins {
            out.write("\(hosts.count > 1 ? TerminalText.escaped(p.host) + " " : "")\(TerminalText.escaped(p.name)): \(p.status)\(p.detail.map { " (\(TerminalText.escaped($0)))" } ?? "")\n")
        }
        let counts = tally.total == 0 ? "no findings" : "\(tally.total) finding\(tally.total == 1 ? "" : "s") (\(tally.text))"
        let suppressed = ignored > 0 ? ", \(ignored) ignored (see --format json)" : ""
        out.write("Total: \(counts), \(actions.count) action\(actions.count == 1 ? "" : "s")\(suppressed)\n")
        out.flush()
    }
}
