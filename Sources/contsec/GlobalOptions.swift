import Foundation
import ContsecHost
import ContsecProtocol

/// Options every subcommand understands. They may come before the plugin name, or after it when the plugin
/// declares no parameter of the same name.
struct GlobalOptions {
    /// --format/--output pairs, gates, ignore file and log file; its workspace is filled in by `reportOptions()`.
    var report = ReportOptions(workspace: FileManager.default.currentDirectoryPath)
    var timeout: Double?
    var idleTimeout: Double?
    var dryRun = false
    var verbose = false
    var pluginPaths: [String] = []
    var workspace = FileManager.default.currentDirectoryPath
    var json = false

    /// name → whether it takes a value.
    static let names: [String: Bool] = [
        "format": true, "output": true, "timeout": true, "idle-timeout": true, "dry-run": false, "verbose": false,
        "plugin-path": true, "workspace": true, "json": false, "help": false,
        "fail-on": true, "max-findings": true, "ignorefile": true, "log-dir": true, "no-log": false,
    ]

    static let help = """
    Global options:
      --format FORMAT           table|json|jsonl|sarif (default: table); repeatable
      --output FILE             Write the report of the --format before it to FILE instead of stdout
      --fail-on SEVERITY        Exit 1 if a finding is at or above SEVERITY (critical|high|medium|low|info|unknown)
      --max-findings N          Exit 1 if there are more than N findings
      --ignorefile PATH         Ignore rule ids / fingerprints listed there (default: .contsecignore)
      --log-dir DIR             Daily log folder (default: logs/security under the workspace)
      --no-log                  Write no log file
      --timeout SECONDS         Hard limit for a plugin run (default: 3600)
      --idle-timeout SECONDS    Fail a plugin that sends nothing for this long (default: 300)
      --dry-run                 Plugins change nothing and report what they would do
      --verbose, -v             Show plugins' stderr as it arrives
      --plugin-path PATH        Look for plugins here first (a folder or an executable; repeatable)
      --workspace DIR           Folder plugins may write in (default: the current folder)
      --json                    JSON output: the report (run), the list (plugins), the declaration (describe)
      --allow-insecure-plugins  Run plugins whose files others can write (anywhere on the command line)
    """

    /// The global options as completion offers them: the names above, each described by its line of `help`.
    static var completion: [CompletionModel.Option] {
        let values: [String: CompletionModel.Value] = [
            "format": .choices(ReportOptions.formats, list: false), "output": .file, "ignorefile": .file, "log-dir": .directory,
            "plugin-path": .file, "workspace": .directory,
            "fail-on": .choices(Severity.allCases.reversed().map(\.rawValue), list: false),
        ]
        var described: [String: String] = [:]
        for line in help.split(separator: "\n") {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("--"), let gap = text.range(of: "  ") else { continue }
            let flag = text[..<gap.lowerBound].split(separator: " ")[0].split(separator: ",")[0]
            described[String(flag.dropFirst(2))] = text[gap.upperBound...].trimmingCharacters(in: .whitespaces)
        }
        return (names.keys.sorted() + ["allow-insecure-plugins"]).filter { $0 != "help" }.map { name in
            CompletionModel.Option("--" + name, names[name] == true ? values[name] ?? .text : .none, described[name] ?? "")
        }
    }

    mutating func apply(_ name: String, _ value: String?) throws(CLIError) {
        func number() throws(CLIError) -> Double { try DurationLimit.parse(value, what: "--\(name)") }
        switch name {
        case "format": try report.add(format: value ?? "")
        case "output": try report.add(output: value ?? "")
        case "fail-on": report.gate.failOn = try GateOptions.severity(value ?? "")
        case "max-findings": report.gate.maxFindings = try GateOptions.count(value ?? "")
        case "ignorefile": report.ignoreFile = Self.absolute(value ?? "")
        case "log-dir": report.logDir = Self.absolute(value ?? "")
        case "no-log": report.noLog = true
        case "timeout": timeout = try number()
        case "idle-timeout": idleTimeout = try number()
        case "dry-run": dryRun = true
        case "verbose": verbose = true
        case "plugin-path": pluginPaths.append(value ?? "")
        case "workspace":
            workspace = Self.absolute(value ?? ".")
        case "json": json = true
        default: throw CLIError.usage("unknown option --\(name)")
        }
    }

    /// Reads leading options up to the first positional argument; returns the rest. At the top level
    /// (`topLevel`), `--version` is the `version` command, as users of docker and trivy expect.
    mutating func parseLeading(_ args: [String], topLevel: Bool = false) throws(CLIError) -> [String] {
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "-v" { verbose = true; i += 1; continue }
            if topLevel && a == "--version" { return ["version"] + args[(i + 1)...] }
            guard a.hasPrefix("--") else { break }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            guard let takesValue = Self.names[name] else {
                throw CLIError.usage("unknown option '\(a)'. Run 'contsec --help' for the list.")
            }
            if name == "help" { return ["--help"] + args[(i + 1)...] }
            i += 1
            var value = inline
            if takesValue && value == nil {
                guard i < args.count else { throw CLIError.usage("\(a) needs a value") }
                value = args[i]
                i += 1
            }
            try apply(name, value)
        }
        return Array(args[i...])
    }

    func runOptions() -> RunOptions {
        var o = RunOptions(workspace: workspace)
        o.dryRun = dryRun
        o.verbose = verbose
        if let timeout { o.timeout = timeout; o.timeoutIsExplicit = true }
        if let idleTimeout { o.idleTimeout = idleTimeout; o.idleTimeoutIsExplicit = true }
        o.liveStatus = isatty(2) == 1
        // Tuning knobs for tests and slow machines, not worth a flag each; a value out of range is ignored.
        let env = ProcessInfo.processInfo.environment
        if let d = env["CONTSEC_CANCEL_GRACE"].flatMap(Double.init), DurationLimit.problem(d) == nil { o.cancelGrace = d }
        if let d = env["CONTSEC_LADDER_STEP"].flatMap(Double.init), DurationLimit.problem(d) == nil { o.ladderStep = d }
        return o
    }

    func discovery() -> PluginDiscovery {
        PluginDiscovery(pluginPaths: pluginPaths.map {
            URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        })
    }

    /// Applies every global option found in `tokens` and skips the rest: for a plugin that never declared its flags.
    mutating func applyGlobals(in tokens: [String]) throws(CLIError) {
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            guard token.hasPrefix("--") else { continue }
            var name = String(token.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            guard let takesValue = Self.names[name], name != "help" else { continue }
            if takesValue && value == nil {
                guard i < tokens.count else { throw CLIError.usage("\(token) needs a value") }
                value = tokens[i]
                i += 1
            }
            try apply(name, value)
        }
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }

    func reportOptions() -> ReportOptions {
        var r = report
        r.workspace = workspace
        r.verbose = verbose
        return r
    }

    /// The reporters, the log file and the gates behind one policy filter. Warnings (expired ignore entries, a log
    /// that cannot be written) are printed here, before the run starts.
    func reportPipeline() throws -> ReportPipeline {
        let p = try ReportPipeline(options: reportOptions())
        for w in p.warnings { CLI.printError("warning: \(w)") }
        return p
    }
}
