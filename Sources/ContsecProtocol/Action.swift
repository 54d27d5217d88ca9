/// Whether an action happened. Under dry-run a plugin reports `planned` and changes nothing.
public enum ActionStatus: String, Sendable, Codable, CaseIterable {
    case planned, applied, failed, skipped
}

/// Something a plugin did or would do (PROTOCOL.md, "action").
public struct Action: Sendable, Codable, Hashable {
    /// e.g. `file-written`, `network-created`, `profile-applied`, `key-generated`, `image-signed`, `tag-deleted`.
    public var kind: String
    public var target: String
    public var status: ActionStatus
    public var detail: String?
    /// Paths of files the action wrote.
    public var artifacts: [String]

    public init(kind: String, target: String, status: ActionStatus, detail: String? = nil, artifacts: [String] = []) {
        self.kind = kind
        self.target = target
        self.status = status
        self.detail = detail
        self.artifacts = artifacts
    }

    public init(json: JSONValue) throws(ValidationError) {
        let r = try FieldReader(json, prefix: "action")
        kind = try r.required("kind")
        target = try r.required("target")
        status = try r.enumValue("status", ActionStatus.self) { ActionStatus(rawValue: $0.lowercased()) }
        detail = try r.optional("detail", limit: FieldLimits.longText)
        artifacts = try r.strings("artifacts", max: 1000)
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["kind": .string(kind), "target": .string(target), "status": .string(status.rawValue)]
        if let detail { o["detail"] = .string(detail) }
        if !artifacts.isEmpty { o["artifacts"] = .array(artifacts.map(JSONValue.string)) }
        return .object(o)
    }
}

/// A progress notification: all fields optional.
public struct ProgressUpdate: Sendable, Hashable {
    public var message: String?
    public var current: Int?
    public var total: Int?

    public init(message: String? = nil, current: Int? = nil, total: Int? = nil) {
        self.message = message
        self.current = current
        self.total = total
    }

    public init(json: JSONValue) throws(ValidationError) {
        let r = try FieldReader(json, prefix: "progress")
        message = try r.optional("message")
        current = try r.nonNegativeInt("current")
        total = try r.nonNegativeInt("total")
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let message { o["message"] = .string(message) }
        if let current { o["current"] = .int(current) }
        if let total { o["total"] = .int(total) }
        return .object(o)
    }
}

/// Severity of a plugin's log line.
public enum LogLevel: String, Sendable, Codable, CaseIterable, Comparable {
    case debug, info, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A log notification.
public struct LogMessage: Sendable, Hashable {
    public var level: LogLevel
    public var message: String

    public init(level: LogLevel, message: String) {
        self.level = level
        self.message = message
    }

    public init(json: JSONValue) throws(ValidationError) {
        let r = try FieldReader(json, prefix: "log")
        level = try r.enumValue("level", LogLevel.self) { LogLevel(rawValue: $0.lowercased()) }
        message = try r.string("message", limit: FieldLimits.longText, required: false) ?? ""
    }

    public var json: JSONValue { ["level": .string(level.rawValue), "message": .string(message)] }
}
