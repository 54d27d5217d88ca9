import Foundation
import ContsecProtocol

extension RegistryClient {
    /// Sends one request to the registry, answering an authentication challenge once: Basic with the docker
    /// config's credentials, or Bearer by fetching a token for `scope` from the challenge's realm.
    /// - Parameter path: a path below the registry (`/v2/...`) or an absolute URL the registry gave (upload locations).
    func request(_ method: String, _ path: String, scope: Scope?, headers: [String: String] = [:], body: Data? = nil,
                 maxBytes: Int) async throws -> HTTPResponse {
        let base = try await baseURL()
        guard let url = URL(string: path.hasPrefix("http") ? path : base + path) else {
            throw RegistryError.malformed(url: path, reason: "not a usable URL")
        }
        var sent = headers
        if let authorization = try await authorization(for: scope) { sent["Authorization"] = authorization }
        let first = try await send(method, url, headers: sent, body: body, maxBytes: maxBytes)
        guard first.status == 401 else { return first }

        guard let header = first.header("www-authenticate"), let challenge = AuthChallenge(header: header) else {
            throw RegistryError.authenticationRequired(registry: registry)
        }
        let hadAuthorization = sent["Authorization"] != nil
        switch challenge.scheme {
        case .basic:
            guard try credential() != nil else { throw RegistryError.authenticationRequired(registry: registry) }
            if hadAuthorization && basicChallenged {
                throw RegistryError.authenticationFailed(registry: registry, detail: "HTTP 401 for \(method) \(url.path)")
            }
            markBasic()
        case .bearer:
            try await fetchToken(challenge, scope: scope)
        }
        sent["Authorization"] = try await authorization(for: scope)
        let second = try await send(method, url, headers: sent, body: body, maxBytes: maxBytes)
        if second.status == 401 {
            if try credential() == nil { throw RegistryError.authenticationRequired(registry: registry) }
            throw RegistryError.authenticationFailed(registry: registry, detail: "HTTP 401 for \(method) \(url.path) after authenticating")
        }
        return second
    }

    private func send(_ method: String, _ url: URL, headers: [String: String], body: Data?, maxBytes: Int) async throws -> HTTPResponse {
        do {
            return try await exchange(method, url, headers: headers, body: body, maxBytes: maxBytes)
        } catch let failure as TransportFailure {
            throw map(failure, url: url.absoluteString)
        }
    }

    func exchange(_ method: String, _ url: URL, headers: [String: String] = [:], body: Data? = nil, maxBytes: Int) async throws -> HTTPResponse {
        countRequest()
        return try await transport.send(method, url, headers: headers, body: body, maxBytes: maxBytes)
    }

    private func countRequest() { bump() }

    func map(_ failure: TransportFailure, url: String) -> RegistryError {
        switch failure {
        case .unreachable(let reason): return .unreachable(registry: registry, reason: reason)
        case .notTLS(let reason): return .tlsUntrusted(registry: registry, detail: "TLS handshake failed: \(reason)")
        case .untrustedCertificate(let reason): return .tlsUntrusted(registry: registry, detail: reason)
        case .truncated(let reason): return .malformed(url: url, reason: "the connection closed before the whole answer arrived (\(reason))")
        case .tooLarge(let limit): return .tooLarge(url: url, limit: limit)
        }
    }

    /// The docker config's credential for this registry; a credential helper is an error (contsec does not run them).
    func credential() throws -> RegistryCredential? {
        switch credentials.lookup(registry) {
        case .found(let credential): return credential
        case .none: return nil
        case .helper(let helper): throw RegistryError.credentialHelper(registry: registry, helper: helper)
        }
    }

    private func authorization(for scope: Scope?) async throws -> String? {
        if let bearer {
            let key = scope?.tokenScope ?? ""
            if tokens[key] == nil { try await fetchToken(bearer, scope: scope) }
            return tokens[key].map { "Bearer " + $0 }
        }
        if basicChallenged { return try credential()?.basicAuthorization }
        return nil
    }

    /// Asks the challenge's realm for a token covering `scope`, with the docker config's credentials if there are any.
    private func fetchToken(_ challenge: AuthChallenge, scope: Scope?) async throws {
        guard let realm = challenge.realm, var components = URLComponents(string: realm), components.scheme != nil else {
            throw RegistryError.malformed(url: registry, reason: "a Bearer challenge without a usable realm")
        }
        var query = components.queryItems ?? []
        if let service = challenge.service { query.append(URLQueryItem(name: "service", value: service)) }
        if let scope { query.append(URLQueryItem(name: "scope", value: scope.tokenScope)) }
        components.queryItems = query.isEmpty ? nil : query
        var headers: [String: String] = [:]
        let credential = try credential()
        if let credential { headers["Authorization"] = credential.basicAuthorization }
        let url = components.url!
        let response: HTTPResponse
        do { response = try await exchange("GET", url, headers: headers, maxBytes: 1 << 20) } catch let failure as TransportFailure {
            throw map(failure, url: url.absoluteString)
        }
        switch response.status {
        case 200: break
        case 401:
            if credential == nil { throw RegistryError.authenticationRequired(registry: registry) }
            throw RegistryError.authenticationFailed(registry: registry, detail: "the token service \(realm) answered 401")
        case 403: throw RegistryError.denied(url: url.absoluteString, detail: "the token service refused scope \(scope?.tokenScope ?? "(none)")")
        default: throw RegistryError.unexpectedStatus(method: "GET", url: realm, status: response.status, detail: "token request")
        }
        let json = try jsonObject(response)
        guard let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue, !token.isEmpty else {
            throw RegistryError.malformed(url: realm, reason: "the token service's answer has no token")
        }
        storeToken(token, challenge: challenge, scope: scope)
    }

    private func storeToken(_ token: String, challenge: AuthChallenge, scope: Scope?) {
        bearer = AuthChallenge(scheme: .bearer, parameters: challenge.parameters.filter { $0.key != "scope" })
        tokens[scope?.tokenScope ?? ""] = token
    }

    // MARK: - Interpreting answers

    /// The error for an answer with an unexpected status, with the registry's own error code and message.
    func statusError(_ response: HTTPResponse, what: String, notFound: String? = nil) -> RegistryError {
        let url = response.url.absoluteString
        if Self.looksLikeHTML(response) {
            return .notARegistry(url: url, detail: "HTTP \(response.status) with an HTML page")
        }
        let detail = Self.registryErrors(response.body)
        switch response.status {
        case 401: return .authenticationRequired(registry: registry)
        case 403: return .denied(url: url, detail: detail.isEmpty ? "HTTP 403" : detail)
        case 404: return .notFound(what: notFound ?? what, detail: detail)
        case 405 where detail.contains("UNSUPPORTED"): return .deleteDisabled(registry: registry)
        default: return .unexpectedStatus(method: "", url: url, status: response.status, detail: detail)
        }
    }

    /// `CODE: message` of each entry in a Distribution API error body (`{"errors":[{"code","message"}]}`).
    static func registryErrors(_ body: Data) -> String {
        guard let json = try? JSONParser.parse(Array(body.prefix(1 << 16))), let errors = json["errors"]?.arrayValue else {
            return ""
        }
        return errors.compactMap { error -> String? in
            let code = error["code"]?.stringValue ?? ""
            let message = error["message"]?.stringValue ?? ""
            return code.isEmpty && message.isEmpty ? nil : [code, message].filter { !$0.isEmpty }.joined(separator: ": ")
        }.joined(separator: "; ")
    }

    func jsonObject(_ response: HTTPResponse) throws -> JSONValue {
        guard let json = try? JSONParser.parse(Array(response.body)), json.objectValue != nil else {
            if Self.looksLikeHTML(response) {
                throw RegistryError.notARegistry(url: response.url.absoluteString, detail: "an HTML page instead of JSON")
            }
            throw RegistryError.malformed(url: response.url.absoluteString, reason: "expected a JSON object")
        }
        return json
    }

    /// A registry's `/v2/` answers JSON (usually `{}`) and, for Distribution, names the API version.
    func requireRegistryAnswer(_ response: HTTPResponse) throws {
        if response.header("docker-distribution-api-version") != nil { return }
        if Self.looksLikeHTML(response) {
            throw RegistryError.notARegistry(url: response.url.absoluteString, detail: "an HTML page")
        }
        guard (try? JSONParser.parse(Array(response.body))) != nil else {
            throw RegistryError.notARegistry(url: response.url.absoluteString, detail: "neither JSON nor a Docker-Distribution-Api-Version header")
        }
    }

    static func looksLikeHTML(_ response: HTTPResponse) -> Bool {
        if response.header("content-type")?.lowercased().contains("text/html") == true { return true }
        let start = String(decoding: response.body.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        return start.hasPrefix("<!doctype html") || start.hasPrefix("<html")
    }
}
