import Foundation
import RegistryClient

/// Turns the plugin's flags into an image reference and a client: `--registry HOST[:PORT]` + `--repo R` + `--tag T`
/// as in the original scripts, or a full reference in `--repo` (or `--image`).
public enum RegistryTarget {
    /// - Parameters:
    ///   - registry: `--registry`; when given, `repo` is a path inside it.
    ///   - repo: `--repo`, possibly a full reference (`127.0.0.1:5000/team/app[:tag]`).
    ///   - tag: `--tag`, overriding a tag in `repo`.
    public static func reference(registry: String?, repo: String, tag: String?) throws -> ImageReference {
        var registryHost = registry?.trimmingCharacters(in: .whitespaces)
        for scheme in ["https://", "http://"] where registryHost?.hasPrefix(scheme) == true {
            registryHost = String(registryHost!.dropFirst(scheme.count))
        }
        if let host = registryHost, host.hasSuffix("/") { registryHost = String(host.dropLast()) }
        let text = (registryHost.map { $0.isEmpty ? "" : $0 + "/" } ?? "") + repo
        let parsed = try ImageReference(parsing: text)
        if let registryHost, !registryHost.isEmpty, parsed.registry != registryHost {
            // "--registry docker.io --repo your-org/app": the parser keeps docker.io's library/ rule; anything else is
            // the registry given.
            return try ImageReference(registry: registryHost, repository: parsed.repository, tag: tag ?? parsed.tag, digest: parsed.digest)
        }
        guard let tag else { return parsed }
        return try ImageReference(registry: parsed.registry, repository: parsed.repository, tag: tag, digest: parsed.digest)
    }

    /// The scheme rule: `--plain-http` allows HTTP to any host; `https://` in `--registry` forces TLS.
    public static func scheme(registryFlag: String?, plainHTTP: Bool) -> SchemePolicy {
        if plainHTTP || registryFlag?.hasPrefix("http://") == true { return .http }
        if registryFlag?.hasPrefix("https://") == true { return .https }
        return .auto
    }
}
