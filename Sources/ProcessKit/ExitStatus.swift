#if canImport(Glibc)
import Glibc
#endif

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    /// Decodes a waitpid(2) status (WIFEXITED and friends are macros Swift cannot import).
    public init(waitStatus s: Int32) {
        if s & 0x7F == 0 { self = .exited((s >> 8) & 0xFF) } else { self = .signaled(s & 0x7F) }
    }

    public var description: String {
        switch self {
        case .exited(let c): return "exited with status \(c)"
        case .signaled(let s): return "killed by signal \(s) (\(Self.signalName(s)))"
        }
    }

    public static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
                                      SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
                                      SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM"]
        return names[s] ?? "signal \(s)"
    }
}
