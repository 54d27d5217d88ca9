import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec describe <plugin>`: starts the plugin, asks it what it offers, stops it.
enum DescribeCommand {
    static let help = """
    Usage: contsec describe <plugin> [--json] [--plugin-path PATH]
      Starts the plugin, prints its commands and their typed flags (--json: its whole initialize answer), and stops it.
      Nothing else runs. contsec run <plugin> [<command>] --help shows the same for one command.
    """

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        let rest = try g.parseLeading(args)
        if CLI.wantsHelp(rest) {
            print(help)
            return .success
        }
        guard let name = rest.first else { throw CLI.missing("describe needs a plugin name.", command: "describe") }
        // Options may follow the plugin name too (`describe iac-scan --json --plugin-path DIR`), as with `run`.
        try g.applyGlobals(in: Array(rest.dropFirst()))
        let discovery = g.discovery()
        guard let candidate = discovery.find(name) else { throw NotFound.plugin(name, in: discovery.discover(), discovery: discovery) }
        let run = PluginRun(candidate: candidate, options: g.runOptions(), bus: EventBus())
        defer { run.stop() }
        switch run.start() {
        case .failure(let f):
            CLI.printError(RunCommand.describe(f))
            return .pluginFailed
        case .success(let info):
            // What it declared, for `contsec completion` (which then need not start it again).
            var cache = DeclarationCache(path: DeclarationCache.defaultPath(environment: ProcessInfo.processInfo.environment))
            cache.store(candidate, info)
            cache.save()
            if g.json {
                print(JSONWriter.string((try? JSONValue(encoding: info)) ?? .null))
                return .success
            }
            let p = info.plugin
            print(TerminalText.escaped("\(p.name) \(p.version)\(p.vendor.map { " by \($0)" } ?? "") — \(p.description ?? "")"))
            print(TerminalText.escaped("path: \(candidate.path) · protocol \(info.protocolVersion)") + "\n")
            for c in info.commands {
                print(TerminalText.escaped(FlagMapping.help(for: c, plugin: p.name), keepNewlines: true) + (c.name == info.defaultCommand?.name ? "\n  (default command)" : "") + "\n")
            }
            return .success
        }
    }

    /// `contsec run <plugin> --help`: what the plugin is, its commands (the default marked), and the default
    /// command's flags, so a plugin with several commands (iac-scan's `rules`) shows all of them.
    static func pluginHelp(_ info: InitializeResult, plugin name: String) -> String {
        let p = info.plugin
        var lines = ["Usage: contsec run \(name) [<command>] [--flags]",
                     "  \(p.name) \(p.version)\(p.vendor.map { " by \($0)" } ?? "")\(p.description.map { ": \($0)" } ?? "")",
                     "Commands:"]
        let width = min(24, info.commands.map(\.name.count).max() ?? 0)
        for c in info.commands {
            let mark = c.name == info.defaultCommand?.name ? " (default)" : ""
            lines.append("  \(c.name.padding(toLength: max(width, c.name.count), withPad: " ", startingAt: 0))  \(c.description)\(mark)")
        }
        if let d = info.defaultCommand {
            lines.append("")
            lines.append(FlagMapping.help(for: d, plugin: name))
        }
        lines.append("")
        lines.append("contsec run \(name) <command> --help: one command's flags. Global options: contsec help run.")
        return lines.joined(separator: "\n")
    }
}
