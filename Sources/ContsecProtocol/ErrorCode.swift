/// JSON-RPC's own error codes plus contsec's range (PROTOCOL.md, "Error codes").
public enum ErrorCode: Int, Sendable, CaseIterable {
    case parseError = -32700
    case invalidRequest = -32600
    case methodNotFound = -32601
    case invalidParams = -32602
    case internalError = -32603
    case notInitialized = -32002
    case cancelled = -32800
    case unsupportedVersion = -32010
    case toolMissing = -32011
    case preconditionFailed = -32012
    case messageTooLarge = -32013
    case invalidState = -32014
    case runFailed = -32015

    public var name: String {
        switch self {
        case .parseError: return "parse error"
        case .invalidRequest: return "invalid request"
        case .methodNotFound: return "method not found"
        case .invalidParams: return "invalid params"
        case .internalError: return "internal error"
        case .notInitialized: return "not initialized"
        case .cancelled: return "cancelled"
        case .unsupportedVersion: return "unsupported protocol version"
        case .toolMissing: return "tool missing"
        case .preconditionFailed: return "precondition failed"
        case .messageTooLarge: return "message too large"
        case .invalidState: return "invalid state"
        case .runFailed: return "run failed"
        }
    }
}

/// Protocol versions and limits both sides agree on.
public enum ProtocolInfo {
    /// Versions this build speaks, newest first.
    public static let supportedVersions = ["1.1", "1.0"]
    /// Default cap on one frame, excluding its LF.
    public static let defaultMaxMessageBytes = 16 * 1024 * 1024

    /// What a protocol version added over 1.0 (PROTOCOL.md, "Versions").
    public enum Feature: Sendable {
        /// `table` in the `run` result (§8).
        case tableResults
        /// `longRunning` on a CommandSpec (§7).
        case longRunning
        /// `rules` in the initialize result (§6).
        case ruleMetadata
    }

    /// Whether a session that negotiated `version` has `feature`.
    public static func supports(_ feature: Feature, version: String) -> Bool {
        let v = version.split(separator: ".").map { Int($0) ?? 0 }
        switch feature {
        case .tableResults, .longRunning, .ruleMetadata: return !v.lexicographicallyPrecedes([1, 1])
        }
    }

    /// What to do when no version is common: the older side is the one to upgrade (PROTOCOL.md §6).
    public static func mismatchAdvice(plugin theirs: [String], host ours: [String] = supportedVersions) -> String {
        func newest(_ list: [String]) -> [Int] {
            list.map { $0.split(separator: ".").map { Int($0) ?? 0 } }.max { $0.lexicographicallyPrecedes($1) } ?? []
        }
        if !theirs.isEmpty && newest(ours).lexicographicallyPrecedes(newest(theirs)) {
            return "Upgrade contsec to a release that speaks \(theirs.joined(separator: " or ")), or use an older release of the plugin."
        }
        return "Upgrade the plugin, or use a contsec release that speaks \(theirs.isEmpty ? "its version" : theirs.joined(separator: " or "))."
    }

    /// The newest version both sides speak, or nil. Versions compare as dotted integers.
    public static func negotiate(offered: [String], supported: [String] = supportedVersions) -> String? {
        let common = offered.filter(supported.contains)
        return common.max { a, b in
            a.split(separator: ".").map { Int($0) ?? 0 }.lexicographicallyPrecedes(b.split(separator: ".").map { Int($0) ?? 0 })
        }
    }
}

/// Method names on the wire.
public enum Method {
    public static let initialize = "initialize"
    public static let initialized = "initialized"
    public static let run = "run"
    public static let cancel = "cancel"
    public static let shutdown = "shutdown"
    public static let exit = "exit"
    public static let finding = "finding"
    public static let action = "action"
    public static let progress = "progress"
    public static let log = "log"
}
