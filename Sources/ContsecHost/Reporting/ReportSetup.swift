import Foundation
import ContsecProtocol

/// What the user asked for about reports, gates and the log: `--format`/`--output` pairs, `--fail-on`,
/// `--max-findings`, `--ignorefile`, `--log-dir`, `--no-log`. Shared by `contsec run` and `contsec workflow`.
public struct ReportOptions: Sendable {
    public struct Report: Sendable, Hashable {
        public var format: String
        public var output: String?
        public init(format: String, output: String? = nil) { self.format = format; self.output = output }
    }

    public static let formats = ["table", "json", "jsonl", "sarif"]

    public private(set) var reports: [Report] = []
    /// An `--output` given before any `--format`: it belongs to the next `--format` (or the default table).
    private var pendingOutput: String?
    public var workspace: String
    public var gate = GateOptions()
    /// `--ignorefile`; nil means `.contsecignore` in the workspace, if there is one.
    public var ignoreFile: String?
    /// `--log-dir`; nil means `logs/security` under the workspace.
    public var logDir: String?
    public var noLog = false
    /// The table's progress line on a terminal; off for a long-running command, whose live status line shows it.
    public var tableProgress = true
    /// `--verbose`: the table also lists plugins' info and debug log lines (warnings and errors always).
    public var verbose = false

    public init(workspace: String) { self.workspace = workspace }

    /// `--format F`: a new report. Its `--output` is the one that follows it.
    public mutating func add(format: String) throws(CLIError) {
        guard Self.formats.contains(format) else {
            throw CLIError.usage("--format must be one of \(Self.formats.joined(separator: ", ")), got '\(format)'")
        }
        reports.append(Report(format: format, output: pendingOutput))
        pendingOutput = nil
    }

    /// `--output FILE`: for the `--format` just before it.
    public mutating func add(output: String) throws(CLIError) {
        guard !output.isEmpty else { throw CLIError.usage("--output needs a file name") }
        if let last = reports.indices.last, reports[last].output == nil {
            reports[last].output = output
        } else if reports.isEmpty && pendingOutput == nil {
            pendingOutput = output
        } else {
            throw CLIError.usage("--output \(output) has no --format of its own: give each --output right after its --format")
        }
    }

    /// The reports to write: the default table when no `--format` was given.
    public var resolvedReports: [Report] {
        reports.isEmpty ? [Report(format: "table", output: pendingOutput)] : reports
    }

    public var logDirectory: String { logDir ?? workspace + "/logs/security" }
}

/// The sinks of one invocation, built from ``ReportOptions``: the reporters and the log file behind one
/// ``PolicyFilter``, which is what gets subscribed to the bus.
public final class ReportPipeline: @unchecked Sendable {
    public let filter: PolicyFilter
    /// Things the user should know before the run starts: expired ignore entries, a log that cannot be written.
    public let warnings: [String]
    public let logPath: String?

    /// Subscribe this to the bus.
    public var sink: EventSink { filter }
    /// Final once the bus has finished.
    public var verdict: GateVerdict { filter.verdict }

    public init(options: ReportOptions, now: Date = Date()) throws(CLIError) {
        var warnings: [String] = []
        let reports = options.resolvedReports
        let toStdout = reports.filter { $0.output == nil || $0.output == "-" }
        if toStdout.count > 1 {
            throw CLIError.usage("\(toStdout.map(\.format).joined(separator: " and ")) would both write to stdout: give all but one an --output FILE")
        }
        let files = reports.compactMap(\.output).filter { $0 != "-" }
        if Set(files).count < files.count { throw CLIError.usage("two reports would write the same --output file") }

        let ignore: IgnoreList?
        if let path = options.ignoreFile {
            ignore = try IgnoreList.load(path: path, mustExist: true, now: now)
        } else {
            ignore = try IgnoreList.load(path: options.workspace + "/" + IgnoreList.defaultName, mustExist: false, now: now)
        }
        warnings += ignore?.warnings ?? []

        var sinks: [EventSink] = []
        var outputs: [ByteOutput] = []
        var log: LogFileSink?
        if !options.noLog {
            do {
                // The default folder is inside the scanned workspace: a symlink planted there must not send the log
                // elsewhere. A folder the user names is theirs to choose.
                log = try LogFileSink(directory: options.logDirectory, now: now,
                                      noSymlinksBelow: options.logDir == nil ? options.workspace : nil)
            } catch {
                // The default log is a convenience: a read-only workspace must not stop a scan. A folder the user
                // named is a promise, so failing to write there is an error.
                if options.logDir != nil { throw error }
                warnings.append("no log file: \(error)")
            }
        }
        for r in reports {
            let out: ByteOutput
            do {
                if let path = r.output, path != "-" {
                    // JSONL streams into the file as events happen (tail -f); the whole documents replace it at the end.
                    out = r.format == "jsonl" ? try ByteOutput.file(path) : try ByteOutput.replacing(path)
                } else {
                    out = ByteOutput.standardOutput()
                }
            } catch let e as CLIError {
                throw e
            } catch {
                throw CLIError.usage("cannot write \(r.output ?? "stdout"): \(error)")
            }
            outputs.append(out)
            switch r.format {
            case "json":
                do { sinks.append(try JSONReporter(output: out)) } catch { throw CLIError.usage("cannot start the JSON report: \(error)") }
            case "jsonl": sinks.append(JSONLReporter(output: out))
            case "sarif": sinks.append(SARIFReporter(output: out, workspace: options.workspace))
            default: sinks.append(TableReporter(output: out, progress: options.tableProgress,
                                                     logLevel: options.verbose ? .debug : .warning))
            }
        }
        if let log {
            for w in warnings { log.note(w, at: now) }
            sinks.append(log)
        }
        filter = PolicyFilter(sinks: sinks, ignore: ignore, gate: options.gate)
        self.warnings = warnings
        logPath = log?.path
        self.log = log
        self.outputs = outputs
    }

    private let log: LogFileSink?
    private let outputs: [ByteOutput]

    /// Closes the reports (a replaced `--output` file is renamed into place now) and the log. Call once the bus
    /// has finished. Returns every write error of the invocation: each one fails it.
    public func complete() -> [String] {
        for o in outputs { o.close() }
        log?.close()
        return ByteOutput.failures
    }
}
