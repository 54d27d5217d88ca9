import Foundation
import ContsecHost
import ContsecProtocol

enum CLI {
    static let usage = """
    contsec \(ContsecVersion.current): container security, one plugin at a time

    Usage:
      contsec plugins [--json]                     List plugins and where they were found (executes nothing)
      contsec describe <plugin> [--json]           Show a plugin's commands and flags
      contsec run <plugin> [<command>] [--flags]   Run a plugin (its default command if none is named)
      contsec workflow FILE.(yaml|json)            Run several plugin steps with one report and one exit code
      contsec report merge [HOST=]FILE.json...     Merge many hosts' JSON reports into one (any --format)
      contsec plugin test <plugin-or-path>         Check a plugin against the protocol
      contsec plugin install <path> [--force]      Install a plugin into ~/.contsec/plugins
      contsec plugin uninstall <name>              Remove a plugin that plugin install installed
      contsec completion bash|zsh|fish             Print a shell completion script
      contsec version                              Print the version and protocol versions (also --version)
      contsec help [<command>]                     Help for contsec or one command (also <command> --help)

    """ + GlobalOptions.help + """


    Exit codes:
      0 success · 1 findings gate tripped · 2 usage error · 3 plugin failed · 4 plugin not found · 130 interrupted

    More: man contsec (exit codes, files, environment), and README.md in the source tree.
    """

    /// The commands, in the order `contsec --help` lists them; `help <command>` and completion use the same list.
    static let commands: [(name: String, help: String)] = [
        ("plugins", PluginsCommand.help),
        ("describe", DescribeCommand.help),
        ("run", RunCommand.help),
        ("workflow", WorkflowCommand.help),
        ("report", ReportCommand.usage),
        ("plugin", PluginCommand.usage),
        ("completion", CompletionCommand.help),
        ("version", "Usage: contsec version   (or contsec --version)\n  Prints contsec's version and the protocol versions it speaks."),
        ("help", "Usage: contsec help [<command> | <plugin>]\n  Help for contsec, one of its commands, or a plugin (its commands and flags)."),
    ]

    static var versionLine: String {
        "contsec \(ContsecVersion.current) (protocol \(ProtocolInfo.supportedVersions.joined(separator: ", ")))"
    }

    static func main(_ argv: [String]) -> ExitCode {
        var globals = GlobalOptions()
        do {
            let rest = try globals.parseLeading(argv, topLevel: true)
            guard let sub = rest.first else {
                // A usage error like any other: stderr, exit 2, nothing on stdout.
                printError("no command given.\n\n\(usage)")
                return .usage
            }
            let args = Array(rest.dropFirst())
            switch sub {
            case "--help", "-h", "help":
                return try help(args, globals: globals)
            case "version", "--version":
                if wantsHelp(args) { print(commands.first { $0.name == "version" }!.help); return .success }
                if let extra = args.first { throw CLIError.usage("unexpected argument '\(extra)' for 'contsec version'") }
                print(versionLine)
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
            case "completion":
                return try CompletionCommand.run(args, globals: globals)
            default:
                throw CLIError.usage("unknown command '\(sub)'. Commands: \(commands.map(\.name).joined(separator: ", ")).\n"
                                     + "Run 'contsec --help' for usage\(sub.hasPrefix("-") ? "" : ", or 'contsec run \(sub)' to run a plugin of that name").")
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

    /// `contsec help`, `contsec help <command>`, `contsec help plugin <sub>`, and `contsec help <plugin>` (which is
    /// `contsec run <plugin> --help`: the plugin's commands and flags).
    static func help(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        guard let topic = args.first else {
            print(usage)
            return .success
        }
        if let command = commands.first(where: { $0.name == topic }) {
            print(command.help)
            return .success
        }
        guard PluginDiscovery.isValidName(topic) else {
            throw CLIError.usage("no help for '\(topic)'. Commands: \(commands.map(\.name).joined(separator: ", ")).")
        }
        return try RunCommand.run([topic] + args.dropFirst() + ["--help"], globals: globals)
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

    /// A usage error for a command that is missing its argument: one line saying what is missing, the command's
    /// usage, on stderr (thrown, so `main` prints it and exits 2).
    static func missing(_ what: String, command: String) -> CLIError {
        let help = commands.first { $0.name == command }?.help ?? usage
        return CLIError.usage("\(what)\n\n\(help)")
    }
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
