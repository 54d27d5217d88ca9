import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec plugin test <executable-or-name>`: the conformance kit.
enum PluginTestCommand {
    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        let p = try PluginCommand.parse(args, valued: ["format", "plugin-path"], switches: ["json", "help", "allow-network"], command: "test")
        if p.set.contains("help") {
            print(PluginCommand.usage)
            return .success
        }
        guard p.positional.count == 1, let target = p.positional.first else {
            throw CLIError.usage("contsec plugin test takes one plugin (a path or a name).\n\n\(PluginCommand.usage)")
        }
        let format = p.values["format"]?.last ?? (p.set.contains("json") || globals.json ? "json" : "table")
        guard ["table", "json"].contains(format) else { throw CLIError.usage("--format must be table or json, got '\(format)'") }
        let candidate = try resolve(target, pluginPaths: globals.pluginPaths + (p.values["plugin-path"] ?? []))

        // The kit executes the plugin: the same integrity rules as a run apply first.
        if let refusal = PluginTrust.refusal(for: candidate, environment: ProcessInfo.processInfo.environment) {
            CLI.printError(refusal)
            return .pluginFailed
        }
        var options = ConformanceOptions()
        options.isolateNetwork = !p.set.contains("allow-network")
        let kit = ConformanceKit(candidate: candidate, options: options)
        let live = format == "table" && isatty(1) != 0
        let report = kit.run { r in
            if live { FileHandle.standardError.write(Data("\(r.passed ? "." : "F")".utf8)) }
        }
        if live { FileHandle.standardError.write(Data("\n".utf8)) }
        print(format == "json" ? JSONWriter.string(report.json) : TerminalText.escaped(report.text, keepNewlines: true))
        return report.allPassed ? .success : .pluginFailed
    }

    /// A path (anything with a slash, or an existing file) is tested as it is; a name goes through discovery.
    static func resolve(_ target: String, pluginPaths: [String]) throws -> PluginCandidate {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if target.contains("/") || FileManager.default.fileExists(atPath: target) {
            let path = URL(fileURLWithPath: target, relativeTo: cwd).standardizedFileURL.path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw NotFound(message: "\(target) does not exist") }
            if isDir.boolValue && !FileManager.default.fileExists(atPath: path + "/plugin.json") {
                throw CLIError.usage("\(path) is a folder without plugin.json: name the plugin's executable, or a plugin folder")
            }
            let found = PluginDiscovery(pluginPaths: [path]).discover()
            if let c = found.plugins.first(where: { $0.source == "--plugin-path" }) { return c }
            // Any executable may be tested whatever its file name; a broken manifest still stops it.
            if let bad = found.invalid.first(where: { $0.path.hasPrefix(path) && $0.reason.contains("manifest") }) {
                throw CLIError.usage("\(bad.path) cannot be tested: \(bad.reason)")
            }
            guard access(path, X_OK) == 0 else { throw CLIError.usage("\(path) is not executable (chmod +x it)") }
            let file = (path as NSString).lastPathComponent
            return PluginCandidate(name: file.hasPrefix("contsec-") ? String(file.dropFirst(8)) : file, path: path, source: "argument", manifest: nil)
        }
        let discovery = PluginDiscovery(pluginPaths: pluginPaths.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL.path })
        let found = discovery.discover()
        guard let c = found.find(target) else { throw NotFound.plugin(target, in: found, discovery: discovery) }
        return c
    }
}
