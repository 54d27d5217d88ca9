import Foundation

/// The policies of one application: every `*-policy.json` in a folder, by service name.
public struct PolicySet: Sendable {
    public private(set) var policies: [String: ServicePolicy]
    /// File each policy came from, for messages.
    public private(set) var files: [String: String]

    public init(_ policies: [ServicePolicy] = []) {
        self.policies = Dictionary(policies.map { ($0.service, $0) }, uniquingKeysWith: { _, b in b })
        files = [:]
    }

    /// Loads every `*-policy.json` below `folder` (not recursive). A folder that does not exist is an empty set.
    public static func load(folder: String) throws -> PolicySet {
        var set = PolicySet()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return set }
        for name in names.sorted() where name.hasSuffix("-policy.json") {
            let path = folder + "/" + name
            let policy = try load(file: path)
            if let previous = set.files[policy.service] {
                throw PolicyError(file: path, path: "$.service", message: "service '\(policy.service)' already has a policy in \(previous); keep one file per service")
            }
            set.insert(policy, file: path)
        }
        return set
    }

    /// Reads one policy file.
    public static func load(file: String) throws(PolicyError) -> ServicePolicy {
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot be read (check its permissions)" : "does not exist (create it with create-policy)"
            throw PolicyError(file: file, path: "$", message: reason)
        }
        return try PolicyDecoder.decode([UInt8](data), file: file)
    }

    public mutating func insert(_ policy: ServicePolicy, file: String? = nil) {
        policies[policy.service] = policy
        if let file { files[policy.service] = file }
    }

    public subscript(service: String) -> ServicePolicy? { policies[service] }
    public var services: [String] { policies.keys.sorted() }
    public var isEmpty: Bool { policies.isEmpty }
}
