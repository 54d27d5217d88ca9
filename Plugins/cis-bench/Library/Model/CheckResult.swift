/// A check's verdict, with docker-bench-security's four words.
public enum CheckStatus: String, Sendable, Codable, CaseIterable {
    case pass = "PASS", warn = "WARN", info = "INFO", note = "NOTE"
}

/// One thing a check found wrong (or worth a look): a container, an image, a file, a user...
public struct Offender: Sendable, Hashable {
    /// "container", "image", "file", "user", "network", "exec".
    public var kind: String
    /// The name a person recognises: container name, image tag, file path.
    public var name: String
    /// The engine's id, when the object has one.
    public var id: String?
    /// What exactly is wrong with this one ("CapAdd: NET_ADMIN", "mode 0664").
    public var detail: String?

    public init(kind: String, name: String, id: String? = nil, detail: String? = nil) {
        self.kind = kind; self.name = name; self.id = id; self.detail = detail
    }
}

/// What one check concluded.
public struct CheckResult: Sendable {
    public var status: CheckStatus
    /// One line for people; nil when the title says it all.
    public var details: String?
    public var offenders: [Offender]
    /// What to do on this host, when it differs from the check's general remediation (e.g. the audit rule for the
    /// dockerd binary actually found, /usr/sbin/dockerd, rather than the benchmark's /usr/bin/dockerd).
    public var remediation: String?

    public init(_ status: CheckStatus, _ details: String? = nil, offenders: [Offender] = [], remediation: String? = nil) {
        self.status = status; self.details = details; self.offenders = offenders; self.remediation = remediation
    }

    public static func pass(_ details: String? = nil) -> CheckResult { CheckResult(.pass, details) }
    public static func warn(_ details: String? = nil, _ offenders: [Offender] = []) -> CheckResult { CheckResult(.warn, details, offenders: offenders) }
    public static func info(_ details: String? = nil, _ offenders: [Offender] = []) -> CheckResult { CheckResult(.info, details, offenders: offenders) }
    public static func note(_ details: String? = nil) -> CheckResult { CheckResult(.note, details) }

    /// WARN naming the offenders when there are any, else PASS: the shape of most per-container checks.
    public static func warnIfAny(_ offenders: [Offender], _ what: String, pass: String? = nil) -> CheckResult {
        offenders.isEmpty ? .pass(pass) : .warn("\(what): " + offenders.map(\.label).joined(separator: ", "), offenders)
    }

    /// INFO listing the offenders when there are any, else PASS (docker-bench's counted-but-unscored checks).
    public static func infoIfAny(_ offenders: [Offender], _ what: String) -> CheckResult {
        offenders.isEmpty ? .pass() : .info("\(what): " + offenders.map(\.label).joined(separator: ", "), offenders)
    }
}

extension Offender {
    /// "web (3f2a1b0c9d8e)" or "web: CapAdd NET_ADMIN".
    public var label: String {
        var text = name
        if let id { text += " (\(id.prefix(12)))" }
        if let detail { text += " [\(detail)]" }
        return text
    }
}
