import Foundation
import ContsecProtocol

/// `plugin.json` (or `contsec-<name>.json`): what a plugin is and may do, readable without executing it.
/// Documented in sdk-protocol/MANIFEST.md; schema in sdk-protocol/schema/plugin-manifest.schema.json.
public struct PluginManifest: Sendable, Hashable {
    public struct Permissions: Sendable, Hashable {
        public var dockerSocket: Bool?
        public var network: Bool?
        public var root: Bool?
        public var writesOutsideWorkspace: Bool?

        public init(dockerSocket: Bool? = nil, network: Bool? = nil, root: Bool? = nil, writesOutsideWorkspace: Bool? = nil) {
            self.dockerSocket = dockerSocket
            self.network = network
            self.root = root
            self.writesOutsideWorkspace = writesOutsideWorkspace
        }

        /// The permissions declared true, in wire names.
        public var granted: [String] {
            [("dockerSocket", dockerSocket), ("network", network), ("root", root), ("writesOutsideWorkspace", writesOutsideWorkspace)]
                .filter { $0.1 == true }.map(\.0)
        }

        var json: JSONValue {
            var o: [String: JSONValue] = [:]
            if let dockerSocket { o["dockerSocket"] = .bool(dockerSocket) }
            if let network { o["network"] = .bool(network) }
            if let root { o["root"] = .bool(root) }
            if let writesOutsideWorkspace { o["writesOutsideWorkspace"] = .bool(writesOutsideWorkspace) }
            return .object(o)
        }
    }

    public var name: String
    public var version: String
    public var vendor: String?
    public var description: String?
    public var protocolVersions: [String]
    /// Relative to the folder holding the manifest.
    public var executable: String
    /// Lower-case hex, when declared.
    public var sha256: String?
    public var permissions: Permissions?
    /// Where the manifest was read from (not part of the file).
    public var file: String = ""

    public init(name: String, version: String, vendor: String? = nil, description: String? = nil,
                protocolVersions: [String], executable: String, sha256: String? = nil, permissions: Permissions? = nil) {
        self.name = name
        self.version = version
        self.vendor = vendor
        self.description = description
        self.protocolVersions = protocolVersions
        self.executable = executable
        self.sha256 = sha256
        self.permissions = permissions
    }

    /// The executable's absolute path.
    public var executablePath: String { ((file as NSString).deletingLastPathComponent as NSString).appendingPathComponent(executable) }

    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "name": .string(name), "version": .string(version),
            "protocolVersions": .array(protocolVersions.map(JSONValue.string)), "executable": .string(executable),
        ]
        if let vendor { o["vendor"] = .string(vendor) }
        if let description { o["description"] = .string(description) }
        if let sha256 { o["sha256"] = .string(sha256) }
        if let permissions { o["permissions"] = permissions.json }
        return .object(o)
    }

    /// Pretty enough for a human to read and edit: one member per line.
    public func fileText() -> String {
        guard case .object(let o) = json else { return "" }
        let order = ["name", "version", "vendor", "description", "protocolVersions", "executable", "sha256", "permissions"]
        let lines = order.compactMap { k in o[k].map { "  \(JSONWriter.string(.string(k))): \(JSONWriter.string($0))" } }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Reads and checks a manifest file. The checks mirror plugin-manifest.schema.json, so discovery needs no
    /// schema files at run time.
    public static func load(_ path: String) throws(Invalid) -> PluginManifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw Invalid(description: "cannot read \(path)") }
        let json: JSONValue
        do { json = try JSONParser.parse([UInt8](data)) } catch {
            throw Invalid(description: "\(path) is not valid JSON: \(error)")
        }
        var m = try parse(json, origin: path)
        m.file = path
        return m
    }

    public static func parse(_ json: JSONValue, origin: String) throws(Invalid) -> PluginManifest {
        func bad(_ why: String) -> Invalid { Invalid(description: "manifest \(origin): \(why)") }
        guard case .object(let o) = json else { throw bad("must be a JSON object") }
        let known: Set<String> = ["name", "version", "vendor", "description", "protocolVersions", "executable", "sha256", "permissions"]
        if let extra = o.keys.sorted().first(where: { !known.contains($0) }) { throw bad("unknown member '\(extra)'") }
        func string(_ key: String, required: Bool) throws(Invalid) -> String? {
            guard let v = o[key] else {
                if required { throw bad("'\(key)' is required") }
                return nil
            }
            guard let s = v.stringValue else { throw bad("'\(key)' must be a string") }
            return s
        }
        guard let name = try string("name", required: true), PluginDiscovery.isValidName(name), name.count <= 64 else {
            throw bad("'name' must match \(PluginDiscovery.namePattern) (at most 64 characters)")
        }
        guard let version = try string("version", required: true), !version.isEmpty else { throw bad("'version' must not be empty") }
        guard case .array(let pv)? = o["protocolVersions"], !pv.isEmpty,
              pv.allSatisfy({ $0.stringValue?.range(of: #"^[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil }) else {
            throw bad("'protocolVersions' must be a non-empty list of versions like \"1.0\"")
        }
        guard let exe = try string("executable", required: true), !exe.isEmpty, !exe.hasPrefix("/"),
              !exe.split(separator: "/").contains("..") else {
            throw bad("'executable' must be a path relative to the manifest's folder, without '..'")
        }
        var sha = try string("sha256", required: false)
        if let s = sha {
            guard s.count == 64, s.allSatisfy(\.isHexDigit) else { throw bad("'sha256' must be 64 hex digits") }
            sha = s.lowercased()
        }
        var permissions: Permissions?
        if let p = o["permissions"] {
            guard case .object(let po) = p else { throw bad("'permissions' must be an object") }
            var perms = Permissions()
            for (k, v) in po {
                guard case .bool(let b) = v else { throw bad("permissions.\(k) must be true or false") }
                switch k {
                case "dockerSocket": perms.dockerSocket = b
                case "network": perms.network = b
                case "root": perms.root = b
                case "writesOutsideWorkspace": perms.writesOutsideWorkspace = b
                default: throw bad("unknown permission '\(k)' (known: dockerSocket, network, root, writesOutsideWorkspace)")
                }
            }
            permissions = perms
        }
        return PluginManifest(name: name, version: version, vendor: try string("vendor", required: false),
                              description: try string("description", required: false),
                              protocolVersions: pv.compactMap(\.stringValue), executable: exe, sha256: sha, permissions: permissions)
    }
}
