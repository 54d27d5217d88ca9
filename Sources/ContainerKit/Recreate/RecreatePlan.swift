import ContsecProtocol

/// One step of a re-create, as shown in a `--dry-run` plan and reported while executing.
public struct RecreateStep: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Create the new container under a temporary name (not started).
        case create
        /// Attach the new container to one more network (engines before API 1.44 take one network at create).
        case connect
        /// Stop the original container.
        case stop
        /// Rename the original container aside (it is kept until the new one runs).
        case renameOld = "rename-old"
        /// Give the new container the original name.
        case renameNew = "rename-new"
        /// Start the new container.
        case start
        /// Check that the new container keeps running (and becomes healthy, when it has a healthcheck).
        case verify
        /// Remove the original container (its volumes stay).
        case removeOld = "remove-old"
    }

    public var kind: Kind
    /// The container (name) or network the step acts on.
    public var target: String
    /// One line for a person: "stop web (timeout 10 s)".
    public var description: String

    public init(kind: Kind, target: String, description: String) {
        self.kind = kind
        self.target = target
        self.description = description
    }
}

/// One field that differs between the original create request and the changed one.
public struct ConfigDifference: Sendable, Equatable, CustomStringConvertible {
    /// `Config.User`, `HostConfig.SecurityOpt`, `Networks.backend`...
    public var path: String
    /// Short renderings of the values ("(unset)" when absent). Long strings are cut and fingerprinted; `Env` values
    /// are never shown, only variable names, since they often hold secrets.
    public var before: String
    public var after: String

    public var description: String { "\(path): \(before) → \(after)" }
}

/// What a re-create will do: computed by ``ContainerRecreator/plan(container:change:)`` from reads only, so it is
/// also the `--dry-run` answer. Execute it with ``ContainerRecreator/execute(_:onStep:)``.
public struct RecreatePlan: Sendable {
    /// The container as it was when planned.
    public var original: InspectedContainer
    /// The create request of the new container (the original's, with the change applied).
    public var updated: ContainerCreateSpec
    /// The change's summary.
    public var change: String
    /// The new container's name until the original is out of the way.
    public var temporaryName: String
    /// The name the original container is kept under until the new one runs.
    public var asideName: String
    /// Seconds the original gets to stop before it is killed.
    public var stopTimeout: Int
    /// Fields the change alters.
    public var differences: [ConfigDifference]
    /// Translations made while deriving the create request (see ``InspectedContainer``), and other remarks.
    public var notes: [String]
    /// The steps, in order. Empty when the change alters nothing.
    public var steps: [RecreateStep]

    /// True when the change leaves the configuration as it is: executing does nothing.
    public var isNoChange: Bool { differences.isEmpty }
}

/// Field-by-field comparison of two create requests, for plans.
enum SpecDiff {
    static func differences(_ a: ContainerCreateSpec, _ b: ContainerCreateSpec) -> [ConfigDifference] {
        var out: [ConfigDifference] = []
        compare(.object(a.config), .object(b.config), path: "Config", into: &out)
        compare(.object(a.hostConfig), .object(b.hostConfig), path: "HostConfig", into: &out)
        compare(.object(a.networks.mapValues(JSONValue.object)), .object(b.networks.mapValues(JSONValue.object)),
                path: "Networks", into: &out)
        return out
    }

    /// Objects are compared key by key (absent and null count as the same); anything else as a whole.
    static func compare(_ a: JSONValue?, _ b: JSONValue?, path: String, into out: inout [ConfigDifference]) {
        // (`nil` in a closure returning JSONValue would be JSONValue.null: it is ExpressibleByNilLiteral.)
        let a: JSONValue? = a?.isNull == true ? .none : a, b: JSONValue? = b?.isNull == true ? .none : b
        if a == b { return }
        if let ao = a?.objectValue, let bo = b?.objectValue, path.split(separator: ".").count < 3 {
            for key in Set(ao.keys).union(bo.keys).sorted() {
                compare(ao[key], bo[key], path: "\(path).\(key)", into: &out)
            }
            return
        }
        out.append(ConfigDifference(path: path, before: render(a, path: path), after: render(b, path: path)))
    }

    static func render(_ value: JSONValue?, path: String) -> String {
        guard var value else { return "(unset)" }
        if path == "Config.Env", let entries = value.arrayValue {
            value = .array(entries.map { entry in
                guard let text = entry.stringValue else { return entry }
                return .string(String(text.prefix(while: { $0 != "=" })) + "=…")
            })
        }
        return shorten(value)
    }

    /// Compact JSON with each long string cut to 40 characters plus its length and a fingerprint (a seccomp
    /// profile is tens of kilobytes of JSON inside one `SecurityOpt` string).
    static func shorten(_ value: JSONValue) -> String {
        func cut(_ v: JSONValue) -> JSONValue {
            switch v {
            case .string(let s) where s.utf8.count > 80:
                let digest = SHA256.hex(Array(s.utf8)).prefix(12)
                return .string("\(s.prefix(40))… (\(s.utf8.count) bytes, sha256 \(digest))")
            case .array(let items): return .array(items.map(cut))
            case .object(let o): return .object(o.mapValues(cut))
            default: return v
            }
        }
        return JSONWriter.string(cut(value))
    }
}
