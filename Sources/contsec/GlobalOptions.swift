import Foundation
import ContsecHost

/// Options every subcommand understands. They may come before the plugin name, or after it when the plugin
/// declares no parameter of the same name.
struct GlobalOptions {
    var formats: [String] = []
    var outputs: [String] = []
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
    ]

    static let help = """
    Global options:
      --format table|json       Report format (default: table)
      --output FILE             Write the report to FILE instead of stdout
      --timeout SECONDS         Hard limit for a plugin run (default: 3600)
      --idle-timeout SECONDS    Fail a plugin that sends nothing for this long (default: 300)
      --dry-run                 Plugins change nothing and report what they would do
      --verbose, -v             Show plugins' stderr as it arrives
      --plugin-path PATH        Look for plugins here first (a folder or an executable; repeatable)
      --workspace DIR           Folder plugins may write in (default: the current folder)
    """

    mutating func apply(_ name: String, _ value: String?) throws(CLIError) {
        func number() throws(CLIError) -> Double {
            guard let v = value, let d = Double(v), d > 0 else { throw CLIError.usage("--\(name) expects a number of seconds, got '\(value ?? "")'") }
            return d
        }
        switch name {
        case "format":
            guard let v = value, ["table", "json"].contains(v) else {
                throw CLIError.usage("--format must be table or json, got '\(value ?? "")'")
            }
            formats.append(v)
        case "output": outputs.append(value ?? "")
        case "timeout": timeout = try number()
        case "idle-timeout": idleTimeout = try number()
        case "dry-run": dryRun = true
        case "verbose": verbose = true
        case "plugin-path": pluginPaths.append(value ?? "")
        case "workspace":
            let v = value ?? "."
            workspace = URL(fileURLWithPath: v, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        case "json": json = true
        default: throw CLIError.usage("unknown option --\(name)")
        }
    }

    /// Reads leading options up to the first positional argument; returns the rest.
    mutating func parseLeading(_ args: [String]) throws(CLIError) -> [String] {
        var i = 0
        while i < args.count {
            let a = args[i]
            if a == "-v" { verbose = true; i += 1; continue }
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
        if let timeout { o.timeout = timeout }
        if let idleTimeout { o.idleTimeout = idleTimeout }
        // Tuning knobs for tests and slow machines, not worth a flag each.
        let env = ProcessInfo.processInfo.environment
        if let s = env["CONTSEC_CANCEL_GRACE"], let d = Double(s) { o.cancelGrace = d }
        if let s = env["CONTSEC_LADDER_STEP"], let d = Double(s) { o.ladderStep = d }
        return o
    }

    func discovery() -> PluginDiscovery {
        PluginDiscovery(pluginPaths: pluginPaths.map {
            URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
        })
    }

    /// Reporters for the chosen formats, each with its own output (`--format json --output r.json --format table`).
    func reporters() throws -> [EventSink] {
        let fs = formats.isEmpty ? ["table"] : formats
        if outputs.count > fs.count { throw CLIError.usage("more --output than --format options") }
        var sinks: [EventSink] = []
        for (i, f) in fs.enumerated() {
            let out = i < outputs.count ? try ByteOutput.file(outputs[i]) : ByteOutput.standardOutput()
            switch f {
            case "json": sinks.append(try JSONReporter(output: out))
            default: sinks.append(TableReporter(output: out))
            }
        }
        return sinks
    }
}
