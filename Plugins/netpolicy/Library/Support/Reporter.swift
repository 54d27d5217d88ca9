import ContsecProtocol

/// Where the engines report to: the plugin's run context in production, a collector in tests.
public struct Reporter: Sendable {
    public var finding: @Sendable (Finding) -> Void
    public var action: @Sendable (Action) -> Void
    public var log: @Sendable (LogLevel, String) -> Void
    public var progress: @Sendable (String, Int?, Int?) -> Void

    public init(finding: @escaping @Sendable (Finding) -> Void, action: @escaping @Sendable (Action) -> Void,
                log: @escaping @Sendable (LogLevel, String) -> Void = { _, _ in },
                progress: @escaping @Sendable (String, Int?, Int?) -> Void = { _, _, _ in }) {
        self.finding = finding; self.action = action; self.log = log; self.progress = progress
    }
}

/// A precondition or input problem that stops a command, with what to do about it.
public enum NetPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something needed is missing or down: a network, a container, root.
    case precondition(String)
    /// A flag's value is unusable.
    case invalidParameter(param: String, message: String)
    /// A required program is not installed.
    case toolMissing(tool: String, install: String)
    /// Anything else.
    case failed(String)

    public var description: String {
        switch self {
        case .precondition(let m), .failed(let m): return m
        case .invalidParameter(let p, let m): return "--\(p): \(m)"
        case .toolMissing(let tool, let install): return "\(tool) is not installed: \(install)"
        }
    }
}
