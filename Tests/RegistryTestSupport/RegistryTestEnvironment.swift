import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The registries `scripts/test-env.sh` starts (facts in /tmp/contsec-test-env): an open one with deletes enabled,
/// and one with Basic auth over TLS (self-signed certificate, trusted through the system store).
public enum RegistryTestEnvironment {
    public static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    public static let facts: [String: String] = {
        guard let text = try? String(contentsOfFile: "/tmp/contsec-test-env", encoding: .utf8) else { return [:] }
        var facts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            facts[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return facts
    }()

    /// The open registry, host:port.
    public static let registry = facts["CONTSEC_TEST_REGISTRY"] ?? "127.0.0.1:5000"
    public static let storage = facts["CONTSEC_TEST_REGISTRY_STORAGE"] ?? "/var/lib/contsec-registry"
    /// The Basic-auth + TLS registry.
    public static let authRegistry = facts["CONTSEC_TEST_AUTH_REGISTRY"] ?? "127.0.0.1:5443"
    public static let authUser = facts["CONTSEC_TEST_AUTH_REGISTRY_USER"] ?? "contsec-test"
    public static var authPassword: String {
        let file = facts["CONTSEC_TEST_AUTH_REGISTRY_PASSWORD_FILE"] ?? "/etc/contsec-test/registry-auth/password"
        return ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Registry tests run when the open registry accepts a TCP connection, and always under CI=true (where a
    /// missing registry must fail them).
    public static let shouldRun: Bool = isCI || canConnect(registry)
    public static let authShouldRun: Bool = isCI || canConnect(authRegistry)
    public static let skipReason =
        "registry test skipped: no registry answers on \(registry) (run scripts/test-env.sh as root to start it)"

    /// `contsec-test-registry-<8 hex>/<what>`: unique per test, since other engineers share the registry.
    public static func uniqueRepository(_ what: String = "app") -> String {
        "contsec-test-registry-\(UUID().uuidString.prefix(8).lowercased())/\(what)"
    }

    /// A fresh temporary folder (removed by the caller).
    public static func temporaryFolder(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "contsec-registry-test-\(label)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A docker config folder whose config.json holds `auths` for the auth registry (or `content` verbatim).
    public static func dockerConfig(content: String? = nil, password: String? = nil) throws -> String {
        let folder = try temporaryFolder("docker-config")
        let auth = Data("\(authUser):\(password ?? authPassword)".utf8).base64EncodedString()
        let json = content ?? #"{"auths":{"\#(authRegistry)":{"auth":"\#(auth)"}}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: folder + "/config.json"))
        return folder
    }

    public static func canConnect(_ hostPort: String) -> Bool {
        guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr(String(hostPort[..<colon]))
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
