import Foundation
import ContsecProtocol

/// A user name and password for a registry. `description` never shows the password.
public struct RegistryCredential: Sendable, Equatable, CustomStringConvertible {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `Basic base64(user:password)`.
    var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
    public var description: String { "\(username):<password>" }
}

/// Credentials as `docker login` stores them: `auths` in `$DOCKER_CONFIG/config.json` (default `~/.docker/config.json`),
/// each entry's `auth` the base64 of `user:password`. Credential helpers (`credsStore`, `credHelpers`) are not run:
/// a registry they cover is a clear error rather than a silent anonymous attempt.
public struct DockerCredentials: Sendable {
    public enum Lookup: Sendable, Equatable {
        case found(RegistryCredential)
        case none
        /// The config sends this registry to a credential helper.
        case helper(String)
    }

    /// The config file read, or nil when there is none.
    public let file: String?
    private let auths: [String: RegistryCredential]
    private let helpers: [String: String]
    private let defaultHelper: String?

    /// No credentials at all (anonymous access).
    public static let anonymous = DockerCredentials(file: nil, auths: [:], helpers: [:], defaultHelper: nil)

    private init(file: String?, auths: [String: RegistryCredential], helpers: [String: String], defaultHelper: String?) {
        self.file = file
        self.auths = auths
        self.helpers = helpers
        self.defaultHelper = defaultHelper
    }

    /// The config's path: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let folder = environment["DOCKER_CONFIG"], !folder.isEmpty { return folder + "/config.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.docker/config.json"
    }

    /// Reads the docker config; a missing file means no credentials, an unreadable or malformed one is an error.
    public static func load(path: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> DockerCredentials {
        let file = path ?? defaultPath(environment: environment)
        guard FileManager.default.fileExists(atPath: file) else { return anonymous }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw RegistryError.badCredentials(file: file, reason: "cannot be read (check its permissions)")
        }
        let root: JSONValue
        do { root = try JSONParser.parse(Array(data)) } catch {
            throw RegistryError.badCredentials(file: file, reason: "not valid JSON (\(error)); fix or remove it, then docker login again")
        }
        var auths: [String: RegistryCredential] = [:]
        for (key, entry) in root["auths"]?.objectValue ?? [:] {
            var username = entry["username"]?.stringValue
            var password = entry["password"]?.stringValue
            if let encoded = entry["auth"]?.stringValue, !encoded.isEmpty {
                guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw RegistryError.badCredentials(file: file, reason: "the auth entry for \(key) is not base64 of user:password; run docker login \(key) again")
                }
                username = String(decoded[..<colon])
                password = String(decoded[decoded.index(after: colon)...])
            }
            if let username, let password, !username.isEmpty {
                auths[normalize(key)] = RegistryCredential(username: username, password: password)
            }
        }
        var helpers: [String: String] = [:]
        for (key, helper) in root["credHelpers"]?.objectValue ?? [:] {
            if let helper = helper.stringValue { helpers[normalize(key)] = helper }
        }
        return DockerCredentials(file: file, auths: auths, helpers: helpers, defaultHelper: root["credsStore"]?.stringValue)
    }

    /// The credential for `registry` (host[:port] as in image references).
    public func lookup(_ registry: String) -> Lookup {
        let key = Self.normalize(registry)
        if let helper = helpers[key] { return .helper(helper) }
        if let credential = auths[key] { return .found(credential) }
        if let defaultHelper, !defaultHelper.isEmpty { return .helper(defaultHelper) }
        return .none
    }

    /// Config keys are written as `host:port`, `https://host/v1/` (Docker Hub's `https://index.docker.io/v1/`)...
    static func normalize(_ key: String) -> String {
        var host = key
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = String(host.dropFirst(scheme.count)) }
        if let slash = host.firstIndex(of: "/") { host = String(host[..<slash]) }
        return ImageReference.isDockerHub(host) ? "docker.io" : host
    }
}
