import Foundation

/// An argument naming something that is not there: a check id or section outside the benchmark, a container that
/// no `--container` entry matches, a `--daemon-json` that does not exist. A usage error (exit 2), never a silent pass.
public struct AuditInputError: Error, Sendable, CustomStringConvertible {
    /// The parameter at fault: "check", "exclude", "section", "container", "daemon-json".
    public var param: String
    public var message: String
    public var description: String { "--\(param): \(message)" }
}
