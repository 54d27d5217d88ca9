import Foundation
import ContsecHost
import ContsecProtocol

enum CLI {
    static let usage = """
    contsec \(ContsecVersion.current): container security, one plugin at a time

    Usage:
      contsec plugins [--json]                     List plugins and where they were found
      contsec describe <plugin>                    Show a plugin's commands and flags
      contsec run <plugin> [<command>] [--flags]   Run a plugin (its default command if none is named)
      contsec workflow FILE.json                   Run several plugin steps with one report and one exit code
      contsec report merge [HOST=]FILE.json...     Merge many hosts' JSON reports into one (any --format)
      contsec version                              Print the version
      contsec <command> --help                     Help for a command

    """ + GlobalOptions.help + """


    Exit codes:
      0 success · 1 findings gate tripped · 2 usage error · 3 plugin failed · 4 plugin not found · 130 interrupted
    """

    static func main(_ argv: [String]) -> ExitCode {
        var globals = GlobalOptions()
        do {
            let rest = try globals.parseLeading(argv)
            guard let sub = rest.first else {
                print(usage)
                return .usage
            }
            let args = Array(rest.dropFirst())
            switch sub {
            case "--help", "-h", "help":
                print(usage)
                return .success
            case "version", "--version":
                print("contsec \(ContsecVersion.current) (protocol \(ProtocolInfo.supportedVersions.joined(separator: ", ")))")
                return .success
            case "plugins":
                return try PluginsCommand.run(args, globals: globals)
            case "describe":
                return try DescribeCommand.run(args, globals: globals)
            case "run":
                return try RunCommand.run(args, globals: globals)
            case "plugin": return try PluginCommand.run(args, globals: globals)
            case "workflow":
                return try WorkflowCommand.run(args, globals: globals)
            case "report":
                return try ReportCommand.run(args, globals: globals)
            default:
                throw CLIError.usage("unknown command '\(sub)'. Commands: plugins, describe, run, workflow, report, version.")
            }
        } catch let e as CLIError {
            printError("\(e)")
            return .usage
        } catch let e as NotFound {
            printError(e.message)
            return .pluginNotFound
        } catch {
            printError("\(error)")
            return .pluginFailed
        }
    }

    /// Error text often quotes a plugin or a scanned file: escaped, so it cannot drive the terminal.
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data("contsec: \(TerminalText.escaped(text, keepNewlines: true))\n".utf8))
    }

    /// Closes the reports and the log; a report or log that could not be written fails the invocation (exit 2):
    /// an empty report with exit 0 would let CI pass on nothing.
    static func completing(_ pipeline: ReportPipeline, _ code: ExitCode) -> ExitCode {
        let failures = pipeline.complete()
        for f in failures { printError(f) }
        return failures.isEmpty ? code : ExitDecision.combine([code, .usage])
    }

    static func wantsHelp(_ args: [String]) -> Bool { args.contains("--help") || args.contains("-h") }
}

struct NotFound: Error {
    let message: String

    static func plugin(_ name: String, in result: DiscoveryResult, discovery: PluginDiscovery) -> NotFound {
        // A candidate of that name that discovery rejected (an invalid manifest...): say why, not "not found".
        let rejected = result.invalid.filter { r in
            let file = (r.path as NSString).lastPathComponent
            return file == "contsec-\(name)" || file == name || (r.path as NSString).deletingLastPathComponent.hasSuffix("/contsec-\(name)")
                || (r.path as NSString).deletingLastPathComponent.hasSuffix("/\(name)")
        }
        if !rejected.isEmpty {
            return NotFound(message: "plugin '\(name)' was found but cannot be used:\n"
                + rejected.map { "  \($0.path) (\($0.source)): \($0.reason)" }.joined(separator: "\n")
                + "\nFix it (contsec plugins lists every candidate with its reason), or pass --plugin-path to another copy.")
        }
        let available = result.plugins.map(\.name).joined(separator: ", ")
        let dirs = discovery.searchDirs.filter { $0.source != "PATH" }.map { "  \($0.dir) (\($0.source))" }.joined(separator: "\n")
        return NotFound(message: """
        plugin '\(name)' not found. Available: \(available.isEmpty ? "none" : available).
        Searched, in order:
        \(dirs)
          contsec-* on PATH
        Put an executable named contsec-\(name) in one of them, or pass --plugin-path.
        """)
    }
}
