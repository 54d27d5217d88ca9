import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec completion bash|zsh|fish`: a completion script carrying contsec's commands and each plugin's declared
/// commands and typed flags. Plugins are asked once (their answers cached while the executable is unchanged);
/// completing a word executes nothing.
enum CompletionCommand {
    static let help = """
    Usage: contsec completion bash|zsh|fish [--cache-only] [--plugin-path PATH]
      Prints a completion script: contsec's commands and options, plugin names, and each plugin's commands and
      typed flags (paths complete as files, enumerations as their values). What a plugin declares is asked once
      (a handshake, nothing runs) and cached in ~/.cache/contsec/declarations.json while its executable is
      unchanged; --cache-only asks no plugin. Completing a word executes nothing: regenerate the script after
      installing or upgrading a plugin.

      bash:  source <(contsec completion bash)
             contsec completion bash > ~/.local/share/bash-completion/completions/contsec
      zsh:   source <(contsec completion zsh)                  (after compinit)
             contsec completion zsh > "${fpath[1]}/_contsec"
      fish:  contsec completion fish | source
             contsec completion fish > ~/.config/fish/completions/contsec.fish
    """

    static let shells = ["bash", "zsh", "fish"]

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        var cacheOnly = false
        let rest = try g.parseLeading(args.filter { a in
            if a == "--cache-only" { cacheOnly = true; return false }
            return true
        })
        if CLI.wantsHelp(rest) {
            print(help)
            return .success
        }
        guard let shell = rest.first else { throw CLI.missing("completion needs a shell: bash, zsh or fish.", command: "completion") }
        guard shells.contains(shell) else { throw CLIError.usage("completion: unknown shell '\(shell)'; choose bash, zsh or fish") }
        if let extra = try g.parseLeading(Array(rest.dropFirst())).first {
            throw CLIError.usage("unexpected argument '\(extra)' for 'contsec completion'")
        }
        let environment = ProcessInfo.processInfo.environment
        var cache = DeclarationCache(path: DeclarationCache.defaultPath(environment: environment))
        let plugins = CompletionModel.plugins(g.discovery().discover(), cache: &cache, ask: !cacheOnly, environment: environment)
        cache.save()
        let model = CompletionModel(version: ContsecVersion.current, commands: hostCommands, globalOptions: GlobalOptions.completion,
                                    plugins: plugins)
        switch shell {
        case "zsh": print(ZshCompletion.script(model), terminator: "")
        case "fish": print(FishCompletion.script(model), terminator: "")
        default: print(BashCompletion.script(model), terminator: "")
        }
        return .success
    }

    /// contsec's own commands as completion sees them; descriptions are the first line of each command's help.
    static var hostCommands: [CompletionModel.HostCommand] {
        typealias C = CompletionModel.HostCommand
        func about(_ name: String) -> String {
            let help = CLI.commands.first { $0.name == name }?.help ?? ""
            return help.split(separator: "\n").dropFirst().first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        return [
            C("plugins", about("plugins")),
            C("describe", about("describe"), argument: .plugin),
            C("run", about("run"), argument: .plugin),
            C("workflow", about("workflow"), argument: .file),
            C("report", "Merge many hosts' JSON reports into one", subcommands: [
                C("merge", "Merge JSON reports (HOST=FILE names a report's host) into one report, in any --format", argument: .file),
            ]),
            C("plugin", "Test, install or uninstall one plugin", subcommands: [
                C("test", "Check a plugin against the protocol", argument: .pluginOrFile,
                  options: [.init("--format", .choices(["table", "json"], list: false), "Report format"),
                            .init("--allow-network", .none, "Let the plugin reach the network during the checks")]),
                C("install", "Install a plugin into ~/.contsec/plugins", argument: .file,
                  options: [.init("--force", .none, "Replace an installed plugin, or shadow a bundled one"),
                            .init("--plugins-dir", .directory, "Install into DIR instead of ~/.contsec/plugins")]),
                C("uninstall", "Remove a plugin that plugin install installed", argument: .installedPlugin,
                  options: [.init("--plugins-dir", .directory, "Uninstall from DIR instead of ~/.contsec/plugins")]),
            ]),
            C("completion", "Print a shell completion script", argument: .words(shells),
              options: [.init("--cache-only", .none, "Ask no plugin: use the declaration cache and manifests only")]),
            C("version", "Print the version and protocol versions"),
            C("help", "Help for contsec, a command or a plugin", argument: .commandOrPlugin),
        ]
    }
}
