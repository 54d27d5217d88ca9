import Foundation

/// A plugin executable found on disk. Nothing has been executed to find it.
public struct PluginCandidate: Sendable, Hashable {
    public var name: String
    public var path: String
    /// Where it was found: "--plugin-path", "CONTSEC_PLUGIN_PATH", "beside contsec", "user", "system", "PATH".
    public var source: String
}

/// A candidate that was not used, and why.
public struct RejectedCandidate: Sendable, Hashable {
    public var path: String
    public var source: String
    public var reason: String
}

public struct DiscoveryResult: Sendable {
    /// The plugins that will run, first match per name, sorted by name.
    public var plugins: [PluginCandidate]
    /// Later matches hidden by an earlier one of the same name.
    public var shadowed: [(candidate: PluginCandidate, by: PluginCandidate)]
    public var invalid: [RejectedCandidate]

    public func find(_ name: String) -> PluginCandidate? { plugins.first { $0.name == name } }
}

/// Finds `contsec-<name>` executables in the documented search order (README, "Plugin discovery").
public struct PluginDiscovery: Sendable {
    public var searchDirs: [(dir: String, source: String)]

    /// The search order: `--plugin-path`, `CONTSEC_PLUGIN_PATH`, the folder of the running binary,
    /// `~/.contsec/plugins`, `/usr/local/lib/contsec/plugins`, then `PATH`.
    public init(pluginPaths: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                executablePath: String = PluginDiscovery.currentExecutable) {
        var dirs: [(String, String)] = []
        for p in pluginPaths { dirs.append((p, "--plugin-path")) }
        for p in (environment["CONTSEC_PLUGIN_PATH"] ?? "").split(separator: ":") where !p.isEmpty {
            dirs.append((String(p), "CONTSEC_PLUGIN_PATH"))
        }
        dirs.append(((executablePath as NSString).deletingLastPathComponent, "beside contsec"))
        if let home = environment["HOME"] { dirs.append((home + "/.contsec/plugins", "user")) }
        dirs.append(("/usr/local/lib/contsec/plugins", "system"))
        for p in (environment["PATH"] ?? "").split(separator: ":") where !p.isEmpty { dirs.append((String(p), "PATH")) }
        searchDirs = dirs
    }

    /// The running binary's real path (so a symlinked `contsec` still finds the plugins built beside it).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public static let namePattern = "^[a-z][a-z0-9-]*$"

    public static func isValidName(_ name: String) -> Bool {
        name.range(of: namePattern, options: .regularExpression) != nil
    }

    public func discover() -> DiscoveryResult {
        var first: [String: PluginCandidate] = [:]
        var shadowed: [(PluginCandidate, PluginCandidate)] = []
        var invalid: [RejectedCandidate] = []
        var seenPaths = Set<String>()
        let fm = FileManager.default
        for (dir, source) in searchDirs {
            // A --plugin-path may name the executable itself.
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir, isDirectory: &isDir) else { continue }
            let entries: [(String, String)]
            if !isDir.boolValue {
                entries = [((dir as NSString).lastPathComponent, dir)]
            } else {
                let names = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
                entries = names.filter { $0.hasPrefix("contsec-") }.sorted().map { ($0, dir + "/" + $0) }
            }
            for (file, path) in entries {
                let real = (path as NSString).resolvingSymlinksInPath
                guard file.hasPrefix("contsec-"), !seenPaths.contains(real) else { continue }
                let name = String(file.dropFirst("contsec-".count))
                // SwiftPM leaves contsec-x.build, contsec-x.swiftmodule... beside the binaries: not plugins.
                if name.contains(".") { continue }
                var st = stat()
                guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
                guard access(path, X_OK) == 0 else {
                    if source != "PATH" { invalid.append(RejectedCandidate(path: path, source: source, reason: "not executable (chmod +x it)")) }
                    continue
                }
                seenPaths.insert(real)
                guard Self.isValidName(name) else {
                    invalid.append(RejectedCandidate(path: path, source: source,
                                                     reason: "plugin name '\(name)' does not match \(Self.namePattern)"))
                    continue
                }
                let c = PluginCandidate(name: name, path: path, source: source)
                if let winner = first[name] { shadowed.append((c, winner)) } else { first[name] = c }
            }
        }
        return DiscoveryResult(plugins: first.values.sorted { $0.name < $1.name }, shadowed: shadowed, invalid: invalid)
    }
}
