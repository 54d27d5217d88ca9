import Foundation
import ContsecProtocol

/// A plugin executable found on disk. Nothing has been executed to find it.
public struct PluginCandidate: Sendable, Hashable {
    public var name: String
    public var path: String
    /// Where it was found: "--plugin-path", "CONTSEC_PLUGIN_PATH", "beside contsec", "user", "system", "PATH".
    public var source: String
    /// Its manifest, when it has one (sdk-protocol/MANIFEST.md).
    public var manifest: PluginManifest? = nil
    /// Why the host will not run it (its files are writable by others), found at discovery; nil when it may run.
    /// The sha256 check happens right before each exec (``PluginTrust/refusal(for:environment:)``).
    public var refusal: String? = nil
}

extension PluginCandidate {
    public init(name: String, path: String, source: String, manifest: PluginManifest?) {
        self.init(name: name, path: path, source: source, manifest: manifest, refusal: nil)
    }
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

    /// Winners the host will not run, with the reason in `refusal`. They stay in `plugins` so that running one
    /// says why instead of "not found".
    public var refused: [PluginCandidate] { plugins.filter { $0.refusal != nil } }

    public func find(_ name: String) -> PluginCandidate? { plugins.first { $0.name == name } }
}

/// Finds `contsec-<name>` executables in the documented search order (README, "Plugin discovery").
public struct PluginDiscovery: Sendable {
    public var searchDirs: [(dir: String, source: String)]
    /// `--allow-insecure-plugins` / `CONTSEC_ALLOW_INSECURE_PLUGINS=1`: list group/world-writable plugins as usable.
    public var allowInsecure: Bool

    /// The search order: `--plugin-path`, `CONTSEC_PLUGIN_PATH`, the folder of the running binary, the plugins
    /// installed with it (`<prefix>/lib/contsec/plugins` for `<prefix>/bin/contsec`), `~/.contsec/plugins`,
    /// `/usr/local/lib/contsec/plugins`, then `PATH`.
    public init(pluginPaths: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                executablePath: String = PluginDiscovery.currentExecutable) {
        var dirs: [(String, String)] = []
        for p in pluginPaths { dirs.append((p, "--plugin-path")) }
        for p in (environment["CONTSEC_PLUGIN_PATH"] ?? "").split(separator: ":") where !p.isEmpty {
            dirs.append((String(p), "CONTSEC_PLUGIN_PATH"))
        }
        let binDir = (executablePath as NSString).deletingLastPathComponent
        dirs.append((binDir, "beside contsec"))
        let installed = Self.installedPluginsDir(forBinaryIn: binDir)
        if installed != Self.systemDir { dirs.append((installed, "installed")) }
        if let home = environment["HOME"] { dirs.append((home + "/.contsec/plugins", "user")) }
        dirs.append((Self.systemDir, "system"))
        for p in (environment["PATH"] ?? "").split(separator: ":") where !p.isEmpty { dirs.append((String(p), "PATH")) }
        searchDirs = dirs
        allowInsecure = PluginTrust.insecureAllowed(environment)
    }

    public static let systemDir = "/usr/local/lib/contsec/plugins"

    /// Where `scripts/install.sh --prefix P` puts the bundled plugins of `P/bin/contsec`: `P/lib/contsec/plugins`.
    public static func installedPluginsDir(forBinaryIn binDir: String) -> String {
        (((binDir as NSString).deletingLastPathComponent as NSString).appendingPathComponent("lib/contsec/plugins") as NSString).standardizingPath
    }

    /// The running binary's real path (so a symlinked `contsec` still finds the plugins built beside it).
    public static var currentExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public static let namePattern = HostRules.namePattern

    public static func isValidName(_ name: String) -> Bool { HostRules.isValidName(name) }

    public func discover() -> DiscoveryResult { discover(stoppingAt: nil) }

    /// The plugin `name` would be in ``discover()``'s result, without listing every `PATH` folder when an earlier
    /// folder of the search order (`--plugin-path`, beside contsec, installed...) already holds it: `run` needs the
    /// one winner, and listing /usr/bin cost more than the rest of discovery together. nil when there is none.
    public func find(_ name: String) -> PluginCandidate? { discover(stoppingAt: name).find(name) }

    /// With `name`, stops after the first folder (before `PATH`, whose folders are the big ones) that yields it: the
    /// folders before it are read exactly as a full discovery reads them, so the winner and its refusal are the same.
    func discover(stoppingAt name: String?) -> DiscoveryResult {
        var first: [String: PluginCandidate] = [:]
        var shadowed: [(PluginCandidate, PluginCandidate)] = []
        var invalid: [RejectedCandidate] = []
        var seenPaths = Set<String>()
        let fm = FileManager.default

        func add(_ found: Found, source: String) {
            switch found {
            case .skip: return
            case .invalid(let path, let reason):
                invalid.append(RejectedCandidate(path: path, source: source, reason: reason))
            case .plugin(var c):
                let real = (c.path as NSString).resolvingSymlinksInPath
                guard seenPaths.insert(real).inserted else { return }
                if !allowInsecure, let problem = PluginTrust.permissionProblem(for: c) {
                    c.refusal = PluginTrust.permissionRefusal(c.name, problem)
                }
                if let winner = first[c.name] { shadowed.append((c, winner)) } else { first[c.name] = c }
            }
        }

        for (dir, source) in searchDirs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: dir, isDirectory: &isDir) else { continue }
            let named = source == "--plugin-path" || source == "CONTSEC_PLUGIN_PATH"
            if !isDir.boolValue {
                // A --plugin-path may name the executable itself.
                if named { add(bareExecutable(dir, source: source, direct: true), source: source) }
                if let name, first[name] != nil { break }
                continue
            }
            // A --plugin-path may name a plugin folder (one with a plugin.json).
            if named && fm.fileExists(atPath: dir + "/plugin.json") {
                add(pluginFolder(dir, source: source), source: source)
                if let name, first[name] != nil { break }
                continue
            }
            for file in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                let path = dir + "/" + file
                if file.hasPrefix("contsec-") {
                    add(bareExecutable(path, source: source), source: source)
                } else if source != "PATH" && fm.fileExists(atPath: path + "/plugin.json") {
                    add(pluginFolder(path, source: source), source: source)
                }
            }
            if let name, source != "PATH", first[name] != nil { break }
        }
        return DiscoveryResult(plugins: first.values.sorted { $0.name < $1.name }, shadowed: shadowed, invalid: invalid)
    }

    enum Found {
        case plugin(PluginCandidate)
        case invalid(path: String, reason: String)
        case skip
    }

    /// `contsec-<name>`, with its manifest `contsec-<name>.json` (or a `plugin.json` naming it) when there is one.
    func bareExecutable(_ path: String, source: String, direct: Bool = false) -> Found {
        let file = (path as NSString).lastPathComponent
        let dir = (path as NSString).deletingLastPathComponent
        let name = file.hasPrefix("contsec-") ? String(file.dropFirst("contsec-".count)) : file
        // SwiftPM leaves contsec-x.build, contsec-x.swiftmodule... beside the binaries; contsec-x.json is a manifest.
        if name.contains(".") && !direct { return .skip }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return .skip }
        guard access(path, X_OK) == 0 else {
            return source == "PATH" ? .skip : .invalid(path: path, reason: "not executable (chmod +x it)")
        }
        guard Self.isValidName(name) else {
            return .invalid(path: path, reason: "plugin name '\(name)' does not match \(Self.namePattern)")
        }
        var manifest: PluginManifest?
        let sidecar = dir + "/contsec-\(name).json"
        let shared = dir + "/plugin.json"
        do throws(PluginManifest.Invalid) {
            if FileManager.default.fileExists(atPath: sidecar) {
                let m = try PluginManifest.load(sidecar)
                guard m.executable == file else {
                    return .invalid(path: path, reason: "its manifest \(sidecar) names executable '\(m.executable)', not '\(file)'")
                }
                manifest = m
            } else if FileManager.default.fileExists(atPath: shared), let m = try? PluginManifest.load(shared), m.executable == file {
                manifest = m
            }
        } catch {
            return .invalid(path: path, reason: error.description)
        }
        if let m = manifest {
            if m.name != name { return .invalid(path: path, reason: "its manifest \(m.file) says name '\(m.name)', the file says '\(name)'") }
            if let why = protocolProblem(m) { return .invalid(path: path, reason: why) }
        }
        return .plugin(PluginCandidate(name: name, path: path, source: source, manifest: manifest))
    }

    /// `<folder>/plugin.json` + `<folder>/<executable>`: the name and everything listed come from the manifest.
    func pluginFolder(_ folder: String, source: String) -> Found {
        let manifest: PluginManifest
        do { manifest = try PluginManifest.load(folder + "/plugin.json") } catch {
            return .invalid(path: folder, reason: error.description)
        }
        let exe = manifest.executablePath
        var st = stat()
        guard stat(exe, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            return .invalid(path: folder, reason: "its manifest names executable \(manifest.executable), which is not a file in \(folder)")
        }
        guard access(exe, X_OK) == 0 else { return .invalid(path: exe, reason: "not executable (chmod +x it)") }
        if let why = protocolProblem(manifest) { return .invalid(path: folder, reason: why) }
        return .plugin(PluginCandidate(name: manifest.name, path: exe, source: source, manifest: manifest))
    }

    private func protocolProblem(_ m: PluginManifest) -> String? {
        guard ProtocolInfo.negotiate(offered: m.protocolVersions) == nil else { return nil }
        return "its manifest says it speaks protocol \(m.protocolVersions.joined(separator: ", ")) only; "
            + "this contsec speaks \(ProtocolInfo.supportedVersions.joined(separator: ", "))"
    }
}
