#if canImport(Glibc)
import Glibc
#endif

/// What to start and how to isolate it.
public struct SpawnOptions: Sendable {
    public enum Isolation: Sendable {
        /// A session of its own (and so a process group): for plugins, whose tools often take process groups of
        /// their own but stay in the plugin's session.
        case session
        /// A process group of its own, in the caller's session: for tools a plugin runs.
        case processGroup
    }

    /// The program's path, also its argv[0] and the name in error messages.
    public var executable: String
    public var arguments: [String]
    /// nil inherits this process's environment.
    public var environment: [String: String]?
    public var workingDirectory: String?
    public var isolation: Isolation
    /// An open descriptor of the file to execute instead of looking `executable` up again: the inode that was
    /// verified (hashed) is the one that runs, whatever happens to the path meanwhile. The child sees its path as
    /// `/proc/self/fd/3`; scripts find their folder with realpath.
    public var executableDescriptor: Int32?
    /// Most bytes a child that does not read its stdin may have waiting (see ``PipeWriter``).
    public var stdinQueueLimit: Int
    /// When set, stdout and stderr go to this file (created 0600, truncated, never through a symlink) instead of the
    /// pipes, whose readers then see end-of-file at once: for tools that leave a daemon behind.
    public var outputFile: String?

    public init(executable: String, arguments: [String] = [], environment: [String: String]? = nil,
                workingDirectory: String? = nil, isolation: Isolation = .processGroup,
                executableDescriptor: Int32? = nil, stdinQueueLimit: Int = 1 << 20, outputFile: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.isolation = isolation
        self.executableDescriptor = executableDescriptor
        self.stdinQueueLimit = stdinQueueLimit
        self.outputFile = outputFile
    }
}

/// posix_spawn or a pipe failed.
public struct SpawnError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public let reason: String

    init(path: String, errno: Int32, reason: String? = nil) {
        self.path = path
        self.errno = errno
        self.reason = reason ?? String(cString: strerror(errno))
    }

    public var description: String { "cannot start \(path): \(reason)" }
}
