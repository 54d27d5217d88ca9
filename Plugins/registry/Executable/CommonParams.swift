import Foundation
import ContsecPluginKit
import CryptoTools
import RegistryClient
import RegistryPlugin

/// Flags every registry command shares, and the translation of the libraries' errors into the kit's.
enum CommonParams {
    static let passwordVariable = "CONTSEC_SIGNING_PASSWORD"

    static let target: [ParamSpec] = [
        ParamSpec(name: "registry", type: .string, description: "Registry host[:port] (with --repo a path in it); https:// or http:// forces the scheme"),
        ParamSpec(name: "repo", type: .string, required: true, description: "Repository, or a full reference such as 127.0.0.1:5000/team/app:1.0"),
        ParamSpec(name: "tag", type: .string, description: "Tag (default: the one in --repo)"),
    ]
    static let connection: [ParamSpec] = [
        ParamSpec(name: "plain-http", type: .bool, description: "Allow plain HTTP to a non-loopback registry (loopback registries may use it anyway)"),
        ParamSpec(name: "docker-config", type: .path, description: "Docker config with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json)"),
    ]

    static func reference(_ a: Arguments, tagRequired: Bool = true) throws -> ImageReference {
        let reference = try RegistryTarget.reference(registry: a.string("registry"), repo: a.string("repo") ?? "", tag: a.string("tag"))
        if tagRequired && reference.tag == nil && reference.digest == nil {
            throw PluginError.invalidParams(param: "tag", message: "name a tag (--tag T, or repo:tag in --repo)")
        }
        return reference
    }

    static func credentials(_ a: Arguments) throws -> DockerCredentials {
        try DockerCredentials.load(path: a.path("docker-config"))
    }

    static func client(_ a: Arguments, registry: String, anonymous: Bool = false) throws -> RegistryClient {
        RegistryClient(registry: registry, credentials: anonymous ? .anonymous : try credentials(a),
                       scheme: RegistryTarget.scheme(registryFlag: a.string("registry"), plainHTTP: a.bool("plain-http")))
    }

    static func openssl() throws -> OpenSSL { try OpenSSL() }

    static var passphrase: Passphrase? { Passphrase.fromEnvironment(passwordVariable) }
}

/// Runs `body`, translating library errors into the kit's (missing openssl → tool missing; bad references → usage).
func translatingErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as CryptoError {
        switch error {
        case .opensslMissing: throw PluginError.toolMissing(tool: "openssl", install: OpenSSL.installHint)
        case .passphraseRequired, .wrongPassphrase, .notAKey, .io: throw PluginError.preconditionFailed(error.description)
        default: throw PluginError.failed(error.description)
        }
    } catch let error as RegistryError {
        switch error {
        case .invalidReference: throw PluginError.invalidParams(param: "repo", message: error.description)
        case .unreachable, .tlsUntrusted, .authenticationRequired, .authenticationFailed, .credentialHelper, .badCredentials,
             .deleteDisabled, .notFound, .denied, .notARegistry:
            throw PluginError.preconditionFailed(error.description)
        default: throw PluginError.failed(error.description)
        }
    } catch let error as RetentionError {
        if case .invalid(let param, let message) = error { throw PluginError.invalidParams(param: param, message: message) }
        throw PluginError.failed(error.description)
    } catch is CancellationError {
        throw PluginError.cancelled
    }
}
