import Foundation
import ContainerKit

/// The real gocryptfs (and fusermount), run as a user would. The key is always passed as a file (`-passfile`),
/// never on the command line, so it never shows in `ps`; gocryptfs's `-init` always runs with `-q`, which keeps it
/// from printing the master key.
public struct Gocryptfs: Sendable {
    public static let install = "apt-get install gocryptfs fuse3 (FUSE mounts need /dev/fuse and fusermount from fuse3)"
    public var tools: ToolRunner

    public init(tools: ToolRunner = ToolRunner()) { self.tools = tools }

    /// gocryptfs's exit codes (its `exitcodes` package) that volume-crypt tells apart.
    enum ExitCode {
        static let passwordIncorrect: Int32 = 12
        static let fsckErrors: Int32 = 26
    }

    /// What `fsck` found.
    public enum FsckOutcome: Sendable, Equatable {
        case clean
        case wrongKey
        case corrupt(String)
    }

    /// Fails with "not installed" before any change is made when a program the command needs is missing.
    public func requireInstalled(mounting: Bool) throws {
        try resolve("gocryptfs")
        if mounting { _ = try fusermount() }
    }

    /// Creates the cipher directory's config (`gocryptfs.conf`) under the key. `cipherDirectory` must be empty.
    func initialize(cipherDirectory: String, keyFile: String) async throws {
        let result = try await run(["-init", "-q", "-passfile", keyFile, cipherDirectory], timeout: 120)
        guard result.succeeded else {
            throw VolumeCryptError.failed("gocryptfs -init \(cipherDirectory) failed (\(result.termination)): \(Self.tail(result.stderrText))")
        }
    }

    /// Mounts the plaintext view. gocryptfs daemonizes: its output goes to `logFile` (never a pipe to this process,
    /// which ends long before the mount does), and its daemon leaves this process's session on its own.
    /// `-allow_other` lets containers that run as another user than root use the volume, with the files' own
    /// permissions checked (gocryptfs adds `default_permissions` when run as root).
    func mount(volume: String, cipherDirectory: String, mountPoint: String, keyFile: String, logFile: String) async throws {
        let executable = try resolve("gocryptfs")
        let options = ToolRunOptions(timeout: 120, installHint: Self.install, killGroupOnExit: false, outputFile: logFile)
        let result: ToolResult
        do {
            result = try await tools.run(executable, ["-nosyslog", "-allow_other", "-passfile", keyFile, cipherDirectory, mountPoint],
                                         options: options)
        } catch let error as ToolError {
            throw Self.translate(error)
        }
        guard result.succeeded else {
            let log = Self.tail((try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "")
            if result.termination == .exited(ExitCode.passwordIncorrect) {
                throw VolumeCryptError.precondition("wrong key: \(keyFile) does not open volume \(volume) (gocryptfs: \(log)); give the key it was created with (--key)")
            }
            throw VolumeCryptError.failed("gocryptfs could not mount volume \(volume) on \(mountPoint) (\(result.termination)): \(log)")
        }
    }

    /// Unmounts a plaintext mount (`fusermount -u`); the gocryptfs daemon then exits.
    func unmount(mountPoint: String) async throws {
        let result = try await runTool(try fusermount(), ["-u", mountPoint], timeout: 60)
        guard result.succeeded else {
            throw VolumeCryptError.failed("could not unmount \(mountPoint) (\(result.termination)): \(Self.tail(result.stderrText)); "
                + "a process may still have files open in it (fuser -vm \(mountPoint))")
        }
    }

    /// Checks every file of a cipher directory decrypts and authenticates under the key (`gocryptfs -fsck`).
    func fsck(cipherDirectory: String, keyFile: String) async throws -> FsckOutcome {
        let result = try await run(["-fsck", "-q", "-passfile", keyFile, cipherDirectory], timeout: nil)
        switch result.termination {
        case .exited(0): return .clean
        case .exited(ExitCode.passwordIncorrect): return .wrongKey
        case .exited(ExitCode.fsckErrors): return .corrupt(Self.tail(result.stdoutText + "\n" + result.stderrText))
        default:
            throw VolumeCryptError.failed("gocryptfs -fsck \(cipherDirectory) failed (\(result.termination)): \(Self.tail(result.stderrText))")
        }
    }

    // MARK: - Running

    @discardableResult
    private func resolve(_ tool: String) throws -> String {
        do { return try tools.resolve(tool, installHint: Self.install) } catch let error as ToolError { throw Self.translate(error) }
    }

    /// fuse3's fusermount3, or the older fusermount.
    private func fusermount() throws -> String {
        if let path = try? tools.resolve("fusermount3", installHint: Self.install) { return path }
        do { return try tools.resolve("fusermount", installHint: Self.install) } catch {
            throw VolumeCryptError.toolMissing(tool: "fusermount3", install: Self.install)
        }
    }

    private func run(_ arguments: [String], timeout: Double?) async throws -> ToolResult {
        try await runTool(try resolve("gocryptfs"), arguments, timeout: timeout)
    }

    private func runTool(_ executable: String, _ arguments: [String], timeout: Double?) async throws -> ToolResult {
        do {
            return try await tools.run(executable, arguments, options: ToolRunOptions(timeout: timeout, installHint: Self.install))
        } catch let error as ToolError {
            throw Self.translate(error)
        }
    }

    static func translate(_ error: ToolError) -> VolumeCryptError {
        switch error {
        case .toolMissing(let tool, let hint): return .toolMissing(tool: tool, install: hint)
        default: return .failed(error.description)
        }
    }

    /// The last lines of a tool's output, for an error message.
    static func tail(_ text: String, lines: Int = 4) -> String {
        text.split(separator: "\n").suffix(lines).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " / ")
    }
}
