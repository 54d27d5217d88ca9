import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec describe <plugin>`: starts the plugin, asks it what it offers, stops it.
enum DescribeCommand {
    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        let rest = try g.parseLeading(args)
        if CLI.wantsHelp(rest) || rest.isEmpty {
            print("Usage: contsec describe <plugin> [--json]\n  Starts the plugin, prints its commands and their flags, and stops it.")
            return rest.isEmpty && !CLI.wantsHelp(rest) ? .usage : .success
        }
        let name = rest[0]
        // Options may follow the plugin name too (`describe iac-scan --json --plugin-path DIR`), as with `run`.
        try g.applyGlobals(in: Array(rest.dropFirst()))
        let discovery = g.discovery()
        let found = discovery.discover()
        guard let candidate = found.find(name) else { throw NotFound.plugin(name, in: found, discovery: discovery) }
        let run = PluginRun(candidate: candidate, options: g.runOptions(), bus: EventBus())
        defer { run.stop() }
        switch run.start() {
        case .failure(let f):
            CLI.printError(RunCommand.describe(f))
            return .pluginFailed
        case .success(let info):
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
}
