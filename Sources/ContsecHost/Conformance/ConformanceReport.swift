import Foundation
import ContsecProtocol

/// The outcome of one conformance check.
public struct ConformanceCheckResult: Sendable {
    public var id: String
    public var title: String
    public var passed: Bool
    /// Passed because it does not apply to this plugin (e.g. no int or bool parameter to mistype).
    public var skipped: Bool
    public var detail: String
    /// The offending line the plugin wrote, truncated.
    public var message: String?

    public init(id: String, title: String, passed: Bool, skipped: Bool = false, detail: String, message: String? = nil) {
        self.id = id
        self.title = title
        self.passed = passed
        self.skipped = skipped
        self.detail = detail
        self.message = message.map(Self.truncate)
    }

    static func truncate(_ s: String) -> String {
        s.count > 300 ? String(s.prefix(300)) + "… (\(s.utf8.count) bytes)" : s
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["id": .string(id), "title": .string(title), "passed": .bool(passed), "detail": .string(detail)]
        if let message { o["message"] = .string(message) }
        if skipped { o["skipped"] = true }
        return .object(o)
    }
}

/// Every check run against one plugin.
public struct ConformanceReport: Sendable {
    public var plugin: String
    public var path: String
    /// Whether the plugin could reach the network while it was tested.
    public var network: String
    public var checks: [ConformanceCheckResult]
    /// The version the plugin chose in the handshake check, when it got that far.
    public var protocolVersion: String?

    public var passed: Int { checks.filter(\.passed).count }
    public var failed: Int { checks.count - passed }
    public var allPassed: Bool { failed == 0 }

    public func check(_ id: String) -> ConformanceCheckResult? { checks.first { $0.id == id } }

    public var json: JSONValue {
        ["plugin": .string(plugin), "path": .string(path), "network": .string(network), "checks": .array(checks.map(\.json)),
         "passed": .int(passed), "failed": .int(failed), "protocolVersion": protocolVersion.map(JSONValue.string) ?? .null]
    }

    public var text: String {
        var lines = ["Conformance of plugin \(plugin) (\(path)); network: \(network)"]
        let width = checks.map(\.id.count).max() ?? 10
        for c in checks {
            let mark = c.passed ? (c.skipped ? "SKIP" : "PASS") : "FAIL"
            lines.append("  \(mark)  \(c.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(c.detail)")
            if let m = c.message { lines.append("        offending message: \(m)") }
        }
        lines.append("\(passed) passed, \(failed) failed" + (failed == 0 ? ": the plugin conforms to protocol \(protocolVersion ?? "?")" : ""))
        return lines.joined(separator: "\n")
    }
}
