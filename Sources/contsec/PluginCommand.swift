import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec plugin test|install|uninstall`: working with one plugin rather than running it.
enum PluginCommand {
    static let usage = """
    Usage:
      contsec plugin test <executable-or-name> [--format table|json] [--plugin-path PATH] [--allow-network]
          Drive a plugin through the protocol's conformance checks (exit 3 if any fails). The plugin runs
          in a network namespace of its own when the machine allows it; --allow-network lets it out
      contsec plugin install <executable-or-folder> [--force] [--plugins-dir DIR]
          Copy a plugin into ~/.contsec/plugins/<name>/ (or DIR/<name>/) with a manifest recording its sha256
      contsec plugin uninstall <name> [--plugins-dir DIR]
          Remove what install created

    A plugin whose files others can write is refused; override with --allow-insecure-plugins
    or CONTSEC_ALLOW_INSECURE_PLUGINS=1. Manifests: sdk-protocol/MANIFEST.md.
    """

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        guard let sub = args.first else { throw CLI.missing("plugin needs a command: test, install or uninstall.", command: "plugin") }
        if CLI.wantsHelp([sub]) || sub == "help" {
            print(usage)
            return .success
        }
        let rest = Array(args.dropFirst())
        switch sub {
        case "test": return try PluginTestCommand.run(rest, globals: globals)
        case "install": return try PluginInstallCommand.install(rest)
        case "uninstall": return try PluginInstallCommand.uninstall(rest)
        default: throw CLIError.usage("unknown plugin command '\(sub)'. Commands: test, install, uninstall.")
        }
    }

    /// Splits `--flag`, `--flag value` and `--flag=value` from positional arguments.
    /// `valued` names the flags that take a value; any other flag not in `switches` is a usage error.
    static func parse(_ args: [String], valued: Set<String>, switches: Set<String>, command: String) throws(CLIError)
        -> (positional: [String], values: [String: [String]], set: Set<String>) {
        var positional: [String] = []
        var values: [String: [String]] = [:]
        var set = Set<String>()
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            if a == "-h" { set.insert("help"); continue }
            guard a.hasPrefix("--") else { positional.append(a); continue }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") { inline = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
            if valued.contains(name) {
                guard let v = inline ?? (i < args.count ? args[i] : nil) else { throw CLIError.usage("--\(name) needs a value") }
                if inline == nil { i += 1 }
                values[name, default: []].append(v)
            } else if switches.contains(name) {
                set.insert(name)
            } else {
                throw CLIError.usage("unknown option '\(a)' for 'contsec plugin \(command)'.\n\n\(usage)")
            }
        }
        return (positional, values, set)
    }
}
