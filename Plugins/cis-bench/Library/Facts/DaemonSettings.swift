import Foundation
import ContsecProtocol

/// The daemon's configuration as its command line and its daemon.json state it.
public struct DaemonSettings: Sendable {
    /// dockerd's pid, when found.
    public var pid: Int32?
    /// The dockerd executable (from /proc/<pid>/exe), when readable.
    public var executable: String?
    /// argv without argv[0].
    public var arguments: [String]
    /// Where the arguments came from ("/proc/29412/cmdline", "CONTSEC_CIS_DOCKERD_CMDLINE", "not found").
    public var argumentsSource: String
    /// The daemon.json consulted (--config-file, else /etc/docker/daemon.json, or an injected path).
    public var configPath: String
    public var configExists: Bool
    /// Top-level keys of daemon.json (empty when missing or unreadable).
    public var config: [String: JSONValue]
    /// Why daemon.json could not be used, when it exists but is not a JSON object.
    public var configError: String?

    public init(pid: Int32? = nil, executable: String? = nil, arguments: [String], argumentsSource: String,
                configPath: String, configExists: Bool, config: [String: JSONValue], configError: String? = nil) {
        self.pid = pid; self.executable = executable; self.arguments = arguments; self.argumentsSource = argumentsSource
        self.configPath = configPath; self.configExists = configExists; self.config = config; self.configError = configError
    }

    /// dockerd's boolean flags: given alone they mean true, so the next word is not their value.
    static let booleanFlags: Set<String> = [
        "icc", "iptables", "ip6tables", "ip-forward", "ip-masq", "userland-proxy", "live-restore", "no-new-privileges",
        "tls", "tlsverify", "debug", "experimental", "selinux-enabled", "disable-legacy-registry", "raw-logs",
        "init", "ipv6", "validate", "rootless", "help", "version",
    ]
    /// Short flags dockerd accepts, mapped to their long names.
    static let shortFlags: [String: String] = ["H": "host", "D": "debug", "l": "log-level", "G": "group", "g": "data-root",
                                               "p": "pidfile", "b": "bridge", "v": "version", "h": "help"]

    /// The command line as (flag, value) pairs in order; a boolean flag alone has value "true".
    public var flags: [(name: String, value: String)] { Self.parse(arguments) }

    static func parse(_ arguments: [String]) -> [(name: String, value: String)] {
        var result: [(String, String)] = []
        var i = 0
        while i < arguments.count {
            let token = arguments[i]
            i += 1
            guard token.hasPrefix("-"), token.count > 1 else { continue }
            let long = token.hasPrefix("--")
            var body = String(token.dropFirst(long ? 2 : 1))
            var value: String?
            if let eq = body.firstIndex(of: "=") {
                value = String(body[body.index(after: eq)...])
                body = String(body[..<eq])
            }
            let name = long ? body : (shortFlags[body] ?? body)
            if value == nil {
                if booleanFlags.contains(name) {
                    value = "true"
                } else if i < arguments.count, !arguments[i].hasPrefix("-") {
                    value = arguments[i]
                    i += 1
                } else {
                    value = ""
                }
            }
            result.append((name, (value ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))))
        }
        return result
    }

    /// Every value given for `name` (flags that may repeat: -H, --insecure-registry...).
    public func flagValues(_ name: String) -> [String] { flags.filter { $0.name == name }.map(\.value) }
    /// The effective (last) value of `name` on the command line.
    public func flag(_ name: String) -> String? { flagValues(name).last }

    /// A daemon.json key.
    public func configValue(_ key: String) -> JSONValue? { config[key] }

    /// daemon.json's boolean `key`, accepting true/false and "true"/"false".
    public func configBool(_ key: String) -> Bool? {
        guard let v = config[key] else { return nil }
        if let b = v.boolValue { return b }
        if let s = v.stringValue { return Bool(s.lowercased()) }
        return nil
    }

    /// A boolean setting from the command line (wins, as for dockerd which refuses both) or daemon.json.
    public func boolSetting(_ name: String) -> Bool? {
        if let f = flag(name) { return Bool(f.lowercased()) ?? (f.isEmpty ? true : nil) }
        return configBool(name)
    }

    /// A daemon.json value as strings: a string, or the strings of an array.
    public func configStrings(_ key: String) -> [String] {
        guard let v = config[key] else { return [] }
        if let s = v.stringValue { return [s] }
        return v.arrayValue?.compactMap(\.stringValue) ?? []
    }

    /// True when daemon.json has `key` with a non-empty value (not "", [], {} or null).
    public func configIsSet(_ key: String) -> Bool {
        switch config[key] {
        case nil, .null?: return false
        case .string(let s)?: return !s.isEmpty
        case .array(let a)?: return !a.isEmpty
        case .object(let o)?: return !o.isEmpty
        default: return true
        }
    }

    /// Reads daemon.json at `path`: missing → empty and configExists false; not a JSON object → configError.
    static func readConfig(_ path: String) -> (exists: Bool, config: [String: JSONValue], error: String?) {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return (exists, [:], exists ? "cannot read \(path)" : nil)
        }
        do {
            let value = try JSONDecoder().decode(JSONValue.self, from: data)
            guard let object = value.objectValue else { return (true, [:], "\(path) is not a JSON object") }
            return (true, object, nil)
        } catch {
            return (true, [:], "\(path) is not valid JSON: \(error.localizedDescription)")
        }
    }
}
