#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// The daily log file, as the original scripts kept it: `<dir>/container-security-YYYYMMDD.log` (UTC day),
/// appended, one line per event: `2026-12-01T05:14:10.123Z [plugin run-id] event details`.
///
/// Plugin stderr lines are included (`stderr | text`). Findings are logged by rule id, severity, target and title
/// only, never their message or properties, which may quote secrets. Folders are created 0750, the file 0640;
/// the file is opened without following a symlink. A run that crosses midnight continues in the next day's file.
public final class LogFileSink: IgnoredFindingSink, @unchecked Sendable {
    public let directory: String
    public private(set) var path: String
    private var out: ByteOutput
    private var day: String
    private var stamp = UTCTimestamp()
    private var lastFlush = Date()
    /// Longest detail written for one event; a plugin's megabyte-long line does not become a megabyte of log.
    static let maxDetailBytes = 2000

    /// `noSymlinksBelow`: the workspace, when the folder is the default one inside it; no folder below it may be a
    /// symlink (a repository could otherwise point `logs` anywhere).
    public init(directory: String, now: Date = Date(), noSymlinksBelow root: String? = nil) throws(CLIError) {
        self.directory = directory
        try Self.makeDirectories(directory, noSymlinksBelow: root)
        day = stamp.day(now)
        path = Self.file(in: directory, day: day)
        out = try Self.open(path)
    }

    public static func file(in directory: String, day: String) -> String {
        directory + "/container-security-\(day).log"
    }

    private static func open(_ path: String) throws(CLIError) -> ByteOutput {
        do {
            return try ByteOutput.file(path, append: true, mode: 0o640)
        } catch {
            throw CLIError.usage("the log file: \(error). Choose another folder with --log-dir, or turn the log off with --no-log.")
        }
    }

    /// `mkdir -p` with mode 0750 for the folders it creates.
    static func makeDirectories(_ dir: String, noSymlinksBelow root: String? = nil) throws(CLIError) {
        var current = dir.hasPrefix("/") ? "" : "."
        let guarded = root.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        for part in dir.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o750) != 0 && errno != EEXIST {
                throw CLIError.usage("cannot create the log folder \(current): \(String(cString: strerror(errno))). "
                                     + "Choose another folder with --log-dir, or turn the log off with --no-log.")
            }
            var st = stat()
            if let guarded, current.hasPrefix(guarded), lstat(current, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
                throw CLIError.usage("refusing to write the log: \(current) is a symbolic link, and the log must stay inside the "
                                     + "workspace. Remove the link, choose a folder with --log-dir, or use --no-log.")
            }
        }
        var st = stat()
        guard stat(dir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw CLIError.usage("the log folder \(dir) is not a folder. Choose another with --log-dir, or use --no-log.")
        }
    }

    public func receive(_ event: Event) { write(event, ignored: nil) }

    public func receiveIgnored(_ event: Event, reason: String) { write(event, ignored: reason) }

    /// A line from the host itself (the gate verdict, ignore-file warnings).
    public func note(_ text: String, at time: Date = Date()) {
        line(time: time, plugin: "contsec", runId: "-", event: "note") { TerminalText.appendEscaped(text, limit: Self.maxDetailBytes, into: &$0) }
    }

    private func write(_ event: Event, ignored: String?) {
        if case .finding(let f) = event.kind {
            // The hot path (every finding of every run): written straight into the buffer, field by field.
            line(time: event.time, plugin: event.plugin, runId: event.runId, event: "finding") { buf in
                buf.append(contentsOf: Self.severityWords[f.severity] ?? [])
                buf.append(UInt8(ascii: " "))
                TerminalText.appendEscaped(f.ruleId, limit: 200, into: &buf)
                buf.append(UInt8(ascii: " "))
                let t = f.target
                if let file = t.file {
                    TerminalText.appendEscaped(file, limit: 500, into: &buf)
                    if let l = t.line { buf.append(UInt8(ascii: ":")); buf.append(contentsOf: String(l).utf8) }
                } else {
                    if t.kind != "file" { TerminalText.appendEscaped(t.kind, limit: 100, into: &buf); buf.append(UInt8(ascii: " ")) }
                    TerminalText.appendEscaped(t.name, limit: 500, into: &buf)
                }
                if let package = f.packageSummary {
                    buf.append(UInt8(ascii: " "))
                    TerminalText.appendEscaped(package, limit: 500, into: &buf)
                }
                buf.append(contentsOf: " — ".utf8)
                TerminalText.appendEscaped(f.title, limit: 1000, into: &buf)
                if let ignored {
                    buf.append(contentsOf: " (ignored: ".utf8)
                    TerminalText.appendEscaped(ignored, limit: 500, into: &buf)
                    buf.append(UInt8(ascii: ")"))
                }
            }
        } else {
            let detail = Self.detail(event.kind)
            line(time: event.time, plugin: event.plugin, runId: event.runId, event: event.kind.name) {
                TerminalText.appendEscaped(detail, limit: Self.maxDetailBytes, into: &$0)
            }
        }
        switch event.kind {
        case .pluginFinished, .pluginFailed: flush(at: event.time)
        default: if event.time.timeIntervalSince(lastFlush) >= 1 { flush(at: event.time) }
        }
    }

    /// ` [<plugin> <run-id>] ` for the last plugin run seen: sanitized once, not per line.
    private var sourceKey = ("", "")
    private var sourceBytes: [UInt8] = []

    /// `<time> [<plugin> <run-id>] <event> <detail>\n`, into the day's file.
    private func line(time: Date, plugin: String, runId: String, event: String, _ detail: (inout [UInt8]) -> Void) {
        let today = stamp.day(time)
        if today != day { rollOver(to: today) }
        if sourceKey.0 != plugin || sourceKey.1 != runId {
            sourceKey = (plugin, runId)
            sourceBytes = Array(" [".utf8)
            TerminalText.appendEscaped(plugin, limit: 100, into: &sourceBytes)
            sourceBytes.append(UInt8(ascii: " "))
            TerminalText.appendEscaped(runId, limit: 100, into: &sourceBytes)
            sourceBytes.append(contentsOf: "] ".utf8)
        }
        out.append { buf in
            stamp.write(time, into: &buf)
            buf.append(contentsOf: sourceBytes)
            buf.append(contentsOf: event.utf8)
            let before = buf.count
            buf.append(UInt8(ascii: " "))
            detail(&buf)
            if buf.count == before + 1 { buf.removeLast() }  // no detail: no trailing space
            buf.append(UInt8(ascii: "\n"))
        }
    }

    private func rollOver(to today: String) {
        let next = Self.file(in: directory, day: today)
        guard let o = try? Self.open(next) else { return }  // keep writing to yesterday's file rather than lose lines
        out.close()
        out = o
        path = next
        day = today
    }

    private func flush(at time: Date) {
        out.flush()
        lastFlush = time
    }

    public func finish() { out.flush() }

    func close() { out.close() }

    static let severityWords: [Severity: [UInt8]] = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, Array($0.rawValue.uppercased().utf8)) })

    /// What one event says in the log. Findings: rule, severity, target and title only.
    static func detail(_ kind: EventKind) -> String {
        switch kind {
        case .pluginStarted(let path, let command):
            return "\(path)" + (command.map { " command=\($0)" } ?? "")
        case .pluginReady(let p):
            return "\(p.name) \(p.version)" + (p.vendor.map { " by \($0)" } ?? "")
        case .rules(let rules):
            return "\(rules.count) rules declared"
        case .finding(let f):
            return "\(f.severity.rawValue.uppercased()) \(f.ruleId) \(TableReporter.location(f.target))"
                + (f.packageSummary.map { " " + $0 } ?? "") + " — \(f.title)"
        case .action(let a):
            return "\(a.status.rawValue) \(a.kind) \(a.target)" + (a.detail.map { " — \($0)" } ?? "")
                + (a.artifacts.isEmpty ? "" : " artifacts=\(a.artifacts.joined(separator: ","))")
        case .progress(let p):
            var text = p.message ?? ""
            if let c = p.current { text += " (\(c)" + (p.total.map { "/\($0)" } ?? "") + ")" }
            return text
        case .log(let l):
            return "\(l.level.rawValue) \(l.message)"
        case .stderr(let text):
            return "| \(text)"
        case .protocolWarning(let text):
            return text
        case .pluginFinished(let r, let d):
            // The journal says a table came back and its size; its rows are data, kept by the JSON formats.
            let table = r.table.map { t in " table=\(t.rows.count)x\(t.columns.count)" + (t.title.map { " \"\($0)\"" } ?? "") } ?? ""
            return "status=\(r.status.rawValue) duration=\(String(format: "%.3f", d))s\(table)" + (r.message.map { " — \($0)" } ?? "")
        case .pluginFailed(let f, let d):
            let status = f.exitStatus.flatMap { f.message.contains($0) ? nil : " (\($0))" } ?? ""
            return "\(f.kind.rawValue): \(f.message)\(status) duration=\(String(format: "%.3f", d))s"
        }
    }
}
