import Foundation

/// An image reference as users write it: `[REGISTRY/]REPOSITORY[:TAG][@sha256:DIGEST]`, checked against the
/// distribution reference grammar. A first component with a `.` or `:`, or `localhost`, is a registry host;
/// otherwise the registry is Docker Hub, whose single-component repositories live under `library/`.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Registry host[:port] as written (`docker.io` for Docker Hub).
    public let registry: String
    /// Repository path inside the registry, e.g. `team/app`.
    public let repository: String
    public let tag: String?
    public let digest: Digest?

    public init(registry: String, repository: String, tag: String? = nil, digest: Digest? = nil) throws {
        let shown = registry + "/" + repository + (tag.map { ":" + $0 } ?? "")
        try Self.checkRepository(repository, shown: shown)
        if let tag { try Self.checkTag(tag, shown: shown) }
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Parses a full reference. `defaultRegistry` applies when the reference names none.
    public init(parsing text: String, defaultRegistry: String = "docker.io") throws {
        guard !text.isEmpty else { throw RegistryError.invalidReference(text, reason: "it is empty") }
        guard !text.contains("://") else {
            throw RegistryError.invalidReference(text, reason: "leave out the scheme (http:// or https://)")
        }
        var rest = Substring(text)
        var digest: Digest?
        if let at = rest.firstIndex(of: "@") {
            guard let parsed = Digest(String(rest[rest.index(after: at)...])) else {
                throw RegistryError.invalidReference(text, reason: "the part after '@' must be sha256: and 64 lower-case hex digits")
            }
            digest = parsed
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[rest.index(after: colon)...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = defaultRegistry
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            registry = first
            components.removeFirst()
        }
        guard !registry.isEmpty, !registry.contains(where: { $0.isWhitespace }) else {
            throw RegistryError.invalidReference(text, reason: "the registry host is empty or has spaces")
        }
        var repository = components.joined(separator: "/")
        if Self.isDockerHub(registry) && components.count == 1 { repository = "library/" + repository }
        try Self.checkRepository(repository, shown: text)
        if let tag { try Self.checkTag(tag, shown: text) }
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// `registry/repository` (cosign's `docker-reference`).
    public var name: String { registry + "/" + repository }

    public var description: String {
        name + (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0.description } ?? "")
    }

    /// The same repository with another tag (and no digest).
    public func with(tag: String) throws -> ImageReference {
        try ImageReference(registry: registry, repository: repository, tag: tag)
    }

    /// The same repository pinned to a digest (the tag kept for display).
    public func with(digest: Digest) -> ImageReference {
        // The parts were checked when self was made.
        try! ImageReference(registry: registry, repository: repository, tag: tag, digest: digest)
    }

    public static func isDockerHub(_ registry: String) -> Bool {
        ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(registry)
    }

    private static func checkRepository(_ repository: String, shown: String) throws {
        guard !repository.isEmpty else { throw RegistryError.invalidReference(shown, reason: "the repository name is empty") }
        guard repository.utf8.count <= 255 else { throw RegistryError.invalidReference(shown, reason: "the repository name is longer than 255 characters") }
        for component in repository.split(separator: "/", omittingEmptySubsequences: false) where !isPathComponent(component) {
            throw RegistryError.invalidReference(shown, reason: "'\(component)' is not a valid repository path component "
                + "(lower-case letters and digits, separated by '.', '_', '__' or dashes)")
        }
    }

    private static func checkTag(_ tag: String, shown: String) throws {
        let bytes = Array(tag.utf8)
        let word: (UInt8) -> Bool = { isAlnum($0) || $0 == UInt8(ascii: "_") }
        guard let first = bytes.first, word(first), bytes.count <= 128,
              bytes.allSatisfy({ word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            throw RegistryError.invalidReference(shown, reason: "'\(tag)' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')")
        }
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    static func isPathComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else { return false }
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if isLowerAlnum(byte) { i += 1; continue }
            var j = i
            while j < bytes.count && !isLowerAlnum(bytes[j]) { j += 1 }
            let separator = bytes[i..<j]
            let ok = separator.elementsEqual([UInt8(ascii: ".")]) || separator.elementsEqual([UInt8(ascii: "_")])
                || separator.elementsEqual([UInt8(ascii: "_"), UInt8(ascii: "_")]) || separator.allSatisfy { $0 == UInt8(ascii: "-") }
            if !ok { return false }
            i = j
        }
        return true
    }

    private static func isLowerAlnum(_ b: UInt8) -> Bool { (0x61...0x7A).contains(b) || (0x30...0x39).contains(b) }
    private static func isAlnum(_ b: UInt8) -> Bool { isLowerAlnum(b) || (0x41...0x5A).contains(b) }
}
