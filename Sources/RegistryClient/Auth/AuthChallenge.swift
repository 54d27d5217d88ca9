import Foundation

/// A `WWW-Authenticate` challenge from a registry: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
struct AuthChallenge: Sendable, Equatable {
    enum Scheme: String, Sendable { case bearer, basic }
    let scheme: Scheme
    let parameters: [String: String]

    var realm: String? { parameters["realm"] }
    var service: String? { parameters["service"] }
    var scope: String? { parameters["scope"] }

    init(scheme: Scheme, parameters: [String: String]) {
        self.scheme = scheme
        self.parameters = parameters
    }

    /// Parses the header; nil for schemes other than Bearer and Basic.
    init?(header: String) {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard let space = trimmed.firstIndex(of: " ") ?? (trimmed.isEmpty ? nil : trimmed.endIndex) else { return nil }
        guard let scheme = Scheme(rawValue: trimmed[..<space].lowercased()) else { return nil }
        self.scheme = scheme
        var parameters: [String: String] = [:]
        var rest = trimmed[space...].drop(while: { $0 == " " })
        while !rest.isEmpty {
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                while let character = rest.first, character != "\"" {
                    if character == "\\" { rest = rest.dropFirst() }
                    if let next = rest.first { value.append(next); rest = rest.dropFirst() }
                }
                rest = rest.dropFirst()
            } else {
                value = String(rest.prefix { $0 != "," })
                rest = rest.dropFirst(value.count)
            }
            parameters[key] = value
            rest = rest.drop(while: { $0 == "," || $0 == " " })
        }
        self.parameters = parameters
    }
}
