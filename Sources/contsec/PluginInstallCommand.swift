import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec plugin install <path> [--force]` and `contsec plugin uninstall <name>`.
enum PluginInstallCommand {
    static func install(_ args: [String]) throws -> ExitCode {
        let p = try PluginCommand.parse(args, valued: ["plugins-dir"], switches: ["force", "help"], command: "install")
        if p.set.contains("help") { print(PluginCommand.usage); return .success }
        guard p.positional.count == 1 else { throw CLIError.usage("contsec plugin install takes one path.\n\n\(PluginCommand.usage)") }
        do {
            let done = try PluginInstaller(pluginsRoot: p.values["plugins-dir"]?.last.map(GlobalOptions.absolute))
                .install(p.positional[0], force: p.set.contains("force"))
            let m = done.manifest
            print("installed \(done.name) \(m.version) in \(done.folder)")
            print("  sha256 \(m.sha256 ?? "-") (verified before every run)")
            let perms = m.permissions.map { $0.granted.isEmpty ? "none" : $0.granted.joined(separator: ", ") } ?? "not declared"
            print("  permissions: \(perms)")
            for n in done.notes { print("  note: \(TerminalText.escaped(n))") }
            return .success
        } catch {
            CLI.printError(error.description)
            return .usage
        }
    }

    static func uninstall(_ args: [String]) throws -> ExitCode {
        let p = try PluginCommand.parse(args, valued: ["plugins-dir"], switches: ["help"], command: "uninstall")
        if p.set.contains("help") { print(PluginCommand.usage); return .success }
        guard p.positional.count == 1 else { throw CLIError.usage("contsec plugin uninstall takes one plugin name.\n\n\(PluginCommand.usage)") }
        do {
            let r = try PluginInstaller(pluginsRoot: p.values["plugins-dir"]?.last.map(GlobalOptions.absolute)).uninstall(p.positional[0])
            print("uninstalled \(p.positional[0]): removed \(r.removed.count) item(s)")
            for k in r.kept { print("  kept \(k) (not created by install)") }
            return .success
        } catch {
            CLI.printError(error.description)
            return error.description.hasPrefix("no plugin named") ? .pluginNotFound : .usage
        }
    }
}
