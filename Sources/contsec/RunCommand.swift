import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec run <plugin> [<command>] [--flags]`.
enum RunCommand {
    static let help = """
    Usage: contsec run <plugin> [<command>] [--flags] [global options]
      Runs one of a plugin's commands (its default command when none is named). Flags are the ones the command
      declares, typed: contsec run <plugin> --help lists its commands, contsec run <plugin> <command> --help
      that command's flags. Global options go before the plugin name, or after it when the plugin declares no
      flag of the same name.

    Examples:
      contsec run iac-scan --dir examples/insecure-app
      contsec run iac-scan rules
      contsec run cis-bench --check 5.4,5.10 --format json --output cis.json

    """ + GlobalOptions.help

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        var rest = try g.parseLeading(args)
        // Discovery needs --plugin-path before the plugin starts, wherever the user typed it.
        while let i = rest.firstIndex(where: { $0 == "--plugin-path" || $0.hasPrefix("--plugin-path=") }), i > 0 {
            if rest[i].hasPrefix("--plugin-path=") {
                try g.apply("plugin-path", String(rest[i].dropFirst("--plugin-path=".count)))
                rest.remove(at: i)
            } else {
                guard i + 1 < rest.count else { throw CLIError.usage("--plugin-path needs a value") }
                try g.apply("plugin-path", rest[i + 1])
                rest.removeSubrange(i...(i + 1))
            }
        }
        if rest.first.map({ CLI.wantsHelp([$0]) }) ?? false {
            print(help)
            return .success
        }
        guard let name = rest.first, !name.hasPrefix("-") else {
            throw CLI.missing(rest.first.map { "unknown option '\($0)' for 'contsec run'." } ?? "run needs a plugin name (contsec plugins lists them).",
                              command: "run")
        }
        let discovery = g.discovery()
        guard let candidate = discovery.find(name) else { throw NotFound.plugin(name, in: discovery.discover(), discovery: discovery) }

        Interrupt.shared.installSignalHandlers()
        let bus = EventBus()
        var run = PluginRun(candidate: candidate, options: g.runOptions(), bus: bus)
        var pluginTokens = Array(rest.dropFirst())

        // Handshake first: the plugin's declared parameters decide how the remaining flags parse.
        let initResult: InitializeResult
        switch run.start() {
        case .failure(let f):
            // Still reported (CI reads the JSON or SARIF; the log keeps the failure). The plugin declared no flags, so
            // report and gate options after its name are read as global options.
            var rg = g
            guard (try? rg.applyGlobals(in: pluginTokens)) != nil, let pipeline = try? rg.reportPipeline() else {
                run.stop()
                CLI.printError(describe(f))
                return f.kind == .interrupted ? .interrupted : .pluginFailed
            }
            bus.subscribe(pipeline.sink)
            let record = run.finish(command: nil, .failure(f))
            bus.finish()
            CLI.printError(describe(f))
            return CLI.completing(pipeline, ExitDecision.code(records: [record], verdict: pipeline.verdict))
        case .success(let r): initResult = r
        }

        // `run <plugin> --help` with no command named: the plugin's commands, then its default command's flags.
        let declaresHelp = initResult.defaultCommand?.params.contains { $0.name == "help" } ?? false
        if CLI.wantsHelp(pluginTokens), pluginTokens.first?.hasPrefix("-") == true, !declaresHelp {
            run.stop()
            print(DescribeCommand.pluginHelp(initResult, plugin: name))
            return .success
        }
        var command = initResult.defaultCommand
        if let first = pluginTokens.first, !first.hasPrefix("-") {
            guard let c = initResult.commands.first(where: { $0.name == first }) else {
                run.stop()
                throw CLIError.usage("plugin \(name) has no command '\(first)'. Commands: \(initResult.commands.map(\.name).joined(separator: ", ")).")
            }
            command = c
            pluginTokens.removeFirst()
        }
        guard let command else {
            run.stop()
            throw CLIError.usage("plugin \(name) has several commands and no default; name one: \(initResult.commands.map(\.name).joined(separator: ", ")).")
        }
        if CLI.wantsHelp(pluginTokens) && !command.params.contains(where: { $0.name == "help" }) {
            run.stop()
            print(FlagMapping.help(for: command, plugin: name))
            return .success
        }
        let mapped: (args: [String: JSONValue], globals: [(String, String?)])
        do {
            mapped = try FlagMapping(command: command, pluginName: name, globalOptions: GlobalOptions.names).map(pluginTokens)
            for (k, v) in mapped.globals { try g.apply(k, v) }
        } catch {
            run.stop()
            throw error
        }
        // Options that the handshake carries (dry-run, workspace, verbose) may have come after the plugin name:
        // then the plugin must hear them in a fresh handshake before it runs anything.
        let handshook = run.options
        let wanted = g.runOptions()
        if wanted.dryRun != handshook.dryRun || wanted.workspace != handshook.workspace || wanted.verbose != handshook.verbose {
            run.stop()
            run = PluginRun(candidate: candidate, options: wanted, bus: bus)
            if case .failure(let f) = run.start() {
                run.stop()
                CLI.printError(describe(f))
                return f.kind == .interrupted ? .interrupted : .pluginFailed
            }
        }
        run.options = wanted
        // `--json` is `--format json` for `run`, as for `plugins` and `describe` (it used to be ignored silently).
        if g.json { try g.report.add(format: "json") }
        // A long-running command has its own live status line; the table's progress line would fight it.
        if command.longRunning { g.report.tableProgress = false }
        let pipeline: ReportPipeline
        do {
            pipeline = try g.reportPipeline()
        } catch {
            run.stop()
            throw error
        }
        bus.subscribe(pipeline.sink)

        let outcome = run.run(command: command.name, args: mapped.args)
        let record = run.finish(command: command.name, outcome)
        bus.finish()

        if let f = record.failure { CLI.printError(describe(f)) }
        let verdict = pipeline.verdict
        if verdict.tripped { CLI.printError("gate tripped: " + verdict.reasons.map { TerminalText.escaped($0) }.joined(separator: "; ")) }
        return CLI.completing(pipeline, ExitDecision.code(records: [record], verdict: verdict))
    }

    /// A failure in words, with the tail of the plugin's stderr when it helps.
    static func describe(_ f: PluginFailure) -> String {
        // The plugin wrote these: one line each, escaped (printError keeps only the newlines added here).
        var text = TerminalText.escaped(f.message)
        if !f.stderrTail.isEmpty && f.kind != .usage {
            text += "\nlast lines of its stderr:\n" + f.stderrTail.suffix(10).map { "  | \(TerminalText.escaped($0))" }.joined(separator: "\n")
        }
        return text
    }
}
