#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// `contsec plugin install` / `uninstall`: copies a plugin into the user plugin folder
/// (`~/.contsec/plugins/<name>/`) with a manifest recording its sha256, and removes exactly what it copied.
public struct PluginInstaller: Sendable {
    public struct Refused: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    public struct Installed: Sendable {
        public var name: String
        public var folder: String
        public var manifest: PluginManifest
        public var notes: [String]
    }

    /// The record of what install created, so uninstall removes only that.
    static let recordFile = ".contsec-install.json"

    public let pluginsRoot: String
    /// Where bundled plugins live: the folder of the running contsec.
    public let bundledDir: String
    public let environment: [String: String]

    /// `pluginsRoot`: the plugin folder to install into (`--plugins-dir`; `scripts/install.sh` uses
    /// `<prefix>/lib/contsec/plugins`); by default the user's `~/.contsec/plugins`.
    public init(pluginsRoot: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                executablePath: String = PluginDiscovery.currentExecutable) throws(Refused) {
        if let pluginsRoot {
            self.pluginsRoot = (pluginsRoot as NSString).standardizingPath
        } else {
            guard let home = environment["HOME"], !home.isEmpty else { throw Refused("HOME is not set: cannot find ~/.contsec/plugins") }
            self.pluginsRoot = home + "/.contsec/plugins"
        }
        bundledDir = (executablePath as NSString).deletingLastPathComponent
        self.environment = environment
    }

    // MARK: install

    public func install(_ sourcePath: String, force: Bool) throws(Refused) -> Installed {
        let fm = FileManager.default
        let source = URL(fileURLWithPath: sourcePath).standardizedFileURL.path
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: source, isDirectory: &isDir) else { throw Refused("\(sourcePath) does not exist") }
        var notes: [String] = []
        var manifest: PluginManifest
        let sourceExecutable: String
        if isDir.boolValue {
            guard fm.fileExists(atPath: source + "/plugin.json") else {
                throw Refused("\(source) is a folder without plugin.json; install an executable, or a folder with a manifest (sdk-protocol/MANIFEST.md)")
            }
            do { manifest = try PluginManifest.load(source + "/plugin.json") } catch { throw Refused(error.description) }
            sourceExecutable = manifest.executablePath
        } else {
            sourceExecutable = source
            manifest = try describe(executable: source)
        }
        guard access(sourceExecutable, X_OK) == 0 else { throw Refused("\(sourceExecutable) is not an executable file (chmod +x it)") }
        // Hashed only when a declared hash is checked or re-stamped: the copy is hashed anyway, and plugins are big.
        lazy var sourceHash = PluginTrust.sha256(ofFile: sourceExecutable) ?? ""
        if let declared = manifest.sha256, declared != sourceHash {
            guard force else {
                throw Refused("the manifest \(manifest.file) declares sha256 \(declared), but \(sourceExecutable) has sha256 \(sourceHash): "
                              + "the executable changed after its manifest was written. If you trust it, pass --force to record the new hash.")
            }
            notes.append("recorded the new sha256 \(sourceHash) (the source manifest declared \(declared))")
        }
        let name = manifest.name
        let dest = pluginsRoot + "/" + name

        // Re-stamping an installed plugin in place: only the hash changes.
        if isDir.boolValue && (source as NSString).resolvingSymlinksInPath == (dest as NSString).resolvingSymlinksInPath {
            guard force else { throw Refused("\(source) is the installed copy; pass --force to record its current sha256") }
            manifest.sha256 = sourceHash
            try write(manifest.fileText(), to: dest + "/plugin.json", mode: 0o644)
            manifest.file = dest + "/plugin.json"
            return Installed(name: name, folder: dest, manifest: manifest, notes: notes + ["recorded sha256 \(sourceHash)"])
        }

        if let bundled = bundledPlugin(name) {
            guard force else {
                throw Refused("a bundled plugin named \(name) exists beside contsec (\(bundled)); bundled plugins come first in the search order, "
                              + "so the installed copy would be hidden by it. Choose another name, or pass --force to install it anyway.")
            }
            notes.append("the bundled \(bundled) comes first in the search order and hides this copy")
        }
        if fm.fileExists(atPath: dest) {
            guard force else {
                let version = (try? PluginManifest.load(dest + "/plugin.json")).map { " (version \($0.version))" } ?? ""
                throw Refused("\(name) is already installed in \(dest)\(version); pass --force to replace it")
            }
            if fm.fileExists(atPath: dest + "/" + Self.recordFile) { _ = try? uninstall(name) }
        }

        try makeFolder(pluginsRoot)
        try makeFolder(dest)
        var created: [String] = []
        if isDir.boolValue {
            try copyFolder(from: source, to: dest, executable: manifest.executable, created: &created)
        } else {
            manifest.executable = (source as NSString).lastPathComponent
            try copyFile(source, to: dest + "/" + manifest.executable, mode: 0o755)
            created.append(manifest.executable)
        }
        let installedExe = dest + "/" + manifest.executable
        guard let hash = PluginTrust.sha256(ofFile: installedExe) else { throw Refused("cannot read back \(installedExe)") }
        manifest.sha256 = hash
        try write(manifest.fileText(), to: dest + "/plugin.json", mode: 0o644)
        created.append("plugin.json")
        created.append(Self.recordFile)
        let record: JSONValue = ["source": .string(source), "installedAt": .string(ISO8601DateFormatter().string(from: Date())),
                                 "files": .array(created.map(JSONValue.string))]
        try write(JSONWriter.string(record) + "\n", to: dest + "/" + Self.recordFile, mode: 0o644)
        manifest.file = dest + "/plugin.json"
        let installed = PluginCandidate(name: name, path: installedExe, source: "user", manifest: manifest)
        if let problem = PluginTrust.permissionProblem(for: installed) {
            notes.append("warning: contsec will refuse to run it: \(problem)")
        }
        return Installed(name: name, folder: dest, manifest: manifest, notes: notes)
    }

    /// A manifest for a bare executable: from its `contsec-<name>.json` when there is one, else from its handshake.
    func describe(executable: String) throws(Refused) -> PluginManifest {
        let file = (executable as NSString).lastPathComponent
        let dir = (executable as NSString).deletingLastPathComponent
        let fileName = file.hasPrefix("contsec-") ? String(file.dropFirst("contsec-".count)) : file
        let sidecar = dir + "/contsec-\(fileName).json"
        if FileManager.default.fileExists(atPath: sidecar) {
            do { return try PluginManifest.load(sidecar) } catch { throw Refused(error.description) }
        }
        // No manifest: ask the plugin who it is (initialize, then shutdown). This also proves it is a plugin.
        signal(SIGPIPE, SIG_IGN)  // something that is not a plugin may exit before reading initialize
        let candidate = PluginCandidate(name: PluginDiscovery.isValidName(fileName) ? fileName : "plugin", path: executable, source: "install")
        switch PluginRun.declaration(of: candidate, environment: environment) {
        case .failure(let f): throw Refused("\(executable) is not a working contsec plugin: \(f.message)")
        case .success(let info):
            let name = file.hasPrefix("contsec-") ? fileName : info.plugin.name
            guard PluginDiscovery.isValidName(name) else { throw Refused("plugin name '\(name)' does not match \(PluginDiscovery.namePattern)") }
            return PluginManifest(name: name, version: info.plugin.version, vendor: info.plugin.vendor, description: info.plugin.description,
                                  protocolVersions: [info.protocolVersion], executable: file)
        }
    }

    /// A plugin of this name bundled with the running contsec (beside it, or installed with it), if any.
    func bundledPlugin(_ name: String) -> String? {
        let fm = FileManager.default
        let installed = PluginDiscovery.installedPluginsDir(forBinaryIn: bundledDir)
        for dir in [bundledDir, installed] where dir != pluginsRoot {
            for p in [dir + "/contsec-" + name, dir + "/" + name + "/plugin.json"] where fm.fileExists(atPath: p) { return p }
        }
        return nil
    }

    private func makeFolder(_ path: String) throws(Refused) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch { throw Refused("cannot create \(path): \(error.localizedDescription)") }
    }

    private func copyFile(_ from: String, to: String, mode: Int) throws(Refused) {
        guard let data = FileManager.default.contents(atPath: from) else { throw Refused("cannot read \(from)") }
        try write(data, to: to, mode: mode)
    }

    private func write(_ text: String, to path: String, mode: Int) throws(Refused) {
        try write(Data(text.utf8), to: path, mode: mode)
    }

    private func write(_ data: Data, to path: String, mode: Int) throws(Refused) {
        let fm = FileManager.default
        try? fm.removeItem(atPath: path)
        guard fm.createFile(atPath: path, contents: data, attributes: [.posixPermissions: mode]) else {
            throw Refused("cannot write \(path)")
        }
        // createFile's mode is filtered by the umask; the installed modes are part of the contract.
        chmod(path, mode_t(mode))
    }

    /// Copies a plugin folder, following symlinks (an installed plugin must not depend on where it came from).
    private func copyFolder(from source: String, to dest: String, executable: String, created: inout [String]) throws(Refused) {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: source) else { throw Refused("cannot read \(source)") }
        var items: [String] = []
        while let rel = walker.nextObject() as? String { items.append(rel) }
        for rel in items.sorted() {
            let name = (rel as NSString).lastPathComponent
            if rel == "plugin.json" || rel == Self.recordFile || name == "__pycache__" || rel.contains("__pycache__/") || name == ".git" || rel.hasPrefix(".git/") { continue }
            let from = source + "/" + rel
            var st = stat()
            guard stat(from, &st) == 0 else { throw Refused("cannot read \(from) (a dangling symlink?)") }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                try makeFolder(dest + "/" + rel)
                created.append(rel + "/")
            } else if (st.st_mode & S_IFMT) == S_IFREG {
                let mode = rel == executable || st.st_mode & 0o100 != 0 ? 0o755 : 0o644
                try copyFile(from, to: dest + "/" + rel, mode: mode)
                created.append(rel)
            }
        }
        guard fm.fileExists(atPath: dest + "/" + executable) else { throw Refused("the manifest's executable \(executable) is not in \(source)") }
    }

    // MARK: uninstall

    /// Removes what install created; returns the paths removed. Files someone added later stay.
    @discardableResult
    public func uninstall(_ name: String) throws(Refused) -> (removed: [String], kept: [String]) {
        guard PluginDiscovery.isValidName(name) else { throw Refused("'\(name)' is not a plugin name (\(PluginDiscovery.namePattern))") }
        let fm = FileManager.default
        let dest = pluginsRoot + "/" + name
        guard fm.fileExists(atPath: dest) else { throw Refused("no plugin named \(name) is installed in \(pluginsRoot)") }
        guard let data = fm.contents(atPath: dest + "/" + Self.recordFile), let record = try? JSONParser.parse([UInt8](data)),
              let files = record["files"]?.arrayValue?.compactMap(\.stringValue) else {
            throw Refused("\(dest) was not installed by contsec plugin install (no \(Self.recordFile)); remove it yourself if you mean to")
        }
        var removed: [String] = []
        // Files first, then folders deepest first; never anything outside the plugin's folder.
        for rel in files.filter({ !$0.hasSuffix("/") }) where !rel.split(separator: "/").contains("..") && !rel.hasPrefix("/") {
            if (try? fm.removeItem(atPath: dest + "/" + rel)) != nil { removed.append(dest + "/" + rel) }
        }
        for rel in files.filter({ $0.hasSuffix("/") }).sorted(by: { $0.count > $1.count }) where !rel.contains("..") {
            let dir = dest + "/" + rel.dropLast()
            if (try? fm.contentsOfDirectory(atPath: dir))?.isEmpty == true, (try? fm.removeItem(atPath: dir)) != nil { removed.append(dir) }
        }
        let left = (try? fm.contentsOfDirectory(atPath: dest)) ?? []
        if left.isEmpty { try? fm.removeItem(atPath: dest); removed.append(dest) }
        return (removed, left.map { dest + "/" + $0 })
    }
}
