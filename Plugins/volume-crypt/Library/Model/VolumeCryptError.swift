/// Why a volume-crypt command could not do its job. Every message names the input and says what to do.
public enum VolumeCryptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A parameter is unusable (bad name, missing flag, conflicting options).
    case invalidParameter(param: String, message: String)
    /// An external program is missing; `install` says how to get it.
    case toolMissing(tool: String, install: String)
    /// Something needed is missing, down or in the way (daemon, volume, key, containers using it).
    case precondition(String)
    /// The work itself failed (a tool failed, a write failed); nothing was left half done unless the message says so.
    case failed(String)

    public var description: String {
        switch self {
        case .invalidParameter(let param, let message): return "--\(param): \(message)"
        case .toolMissing(let tool, let install): return "\(tool) is not installed: \(install)"
        case .precondition(let message), .failed(let message): return message
        }
    }
}
