import Foundation

/// Why a registry operation failed. Each message names the registry or URL and says what to do.
public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case invalidReference(String, reason: String)
    case unreachable(registry: String, reason: String)
    /// Something answered, but not as an OCI Distribution registry (an HTML page, a proxy's error page).
    case notARegistry(url: String, detail: String)
    case tlsUntrusted(registry: String, detail: String)
    /// The registry wants credentials and none are configured for it.
    case authenticationRequired(registry: String)
    /// Credentials were sent and refused.
    case authenticationFailed(registry: String, detail: String)
    /// Authenticated, but not allowed (403, or a token without the needed scope).
    case denied(url: String, detail: String)
    case notFound(what: String, detail: String)
    /// The bytes received do not hash to the digest that was asked for or announced.
    case digestMismatch(url: String, expected: String, actual: String)
    case malformed(url: String, reason: String)
    case deleteDisabled(registry: String)
    case credentialHelper(registry: String, helper: String)
    case badCredentials(file: String, reason: String)
    case tooLarge(url: String, limit: Int)
    case unexpectedStatus(method: String, url: String, status: Int, detail: String)

    public var description: String {
        switch self {
        case .invalidReference(let reference, let reason):
            return "'\(reference)' is not a valid image reference: \(reason) (expected [REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST], e.g. 127.0.0.1:5000/team/app:1.0)"
        case .unreachable(let registry, let reason):
            return "registry \(registry) cannot be reached: \(reason); check the address and that the registry is running"
        case .notARegistry(let url, let detail):
            return "\(url) did not answer as an OCI registry (\(detail)); check the registry address and port"
        case .tlsUntrusted(let registry, let detail):
            return "the TLS certificate of \(registry) is not trusted (\(detail)): add its CA certificate to the system store "
                + "(cp ca.crt /usr/local/share/ca-certificates/\(registry.replacingOccurrences(of: ":", with: "_")).crt && update-ca-certificates)"
        case .authenticationRequired(let registry):
            return "registry \(registry) requires authentication and no credentials for it were found: run `docker login \(registry)` "
                + "(contsec reads ~/.docker/config.json, or $DOCKER_CONFIG/config.json)"
        case .authenticationFailed(let registry, let detail):
            return "registry \(registry) refused the credentials from the docker config (\(detail)): run `docker login \(registry)` again"
        case .denied(let url, let detail):
            return "access to \(url) was denied (\(detail)): the account needs permission for this repository and action"
        case .notFound(let what, let detail):
            return detail.isEmpty ? "\(what) not found" : "\(what) not found (\(detail))"
        case .digestMismatch(let url, let expected, let actual):
            return "\(url): the registry sent bytes whose digest is \(actual), not \(expected); refusing them (a corrupted or tampered registry, or a proxy altering content)"
        case .malformed(let url, let reason):
            return "\(url) answered with something unusable: \(reason)"
        case .deleteDisabled(let registry):
            return "registry \(registry) does not allow deletes: enable them in its configuration (storage.delete.enabled: true, "
                + "or REGISTRY_STORAGE_DELETE_ENABLED=true) and restart it"
        case .credentialHelper(let registry, let helper):
            return "the docker config keeps the credentials for \(registry) in the credential helper '\(helper)', which contsec does not run: "
                + "not supported; use `docker login` with a config that stores them in the file (remove credsStore/credHelpers), or use another account"
        case .badCredentials(let file, let reason):
            return "\(file): \(reason)"
        case .tooLarge(let url, let limit):
            return "\(url) sent more than \(limit) bytes; refusing it"
        case .unexpectedStatus(let method, let url, let status, let detail):
            return detail.isEmpty ? "\(method) \(url) failed with HTTP \(status)" : "\(method) \(url) failed with HTTP \(status): \(detail)"
        }
    }

    public var errorDescription: String? { description }
}
