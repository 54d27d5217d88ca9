import Foundation
import ContsecProtocol
#if canImport(Glibc)
import Glibc
#endif

/// A file a `ConfinedWriter` wrote (or, in dry-run mode, would have written).
public struct WrittenFile: Sendable, Equatable {
    /// Absolute path with symlinked workspace directories resolved.
    public var path: String
    /// Path relative to the workspace root.
    public var relativePath: String
    public var bytes: Int
    /// Permission bits, e.g. 0o600.
    public var mode: UInt32
    /// Hex SHA-256 of the content, when the writer computes digests.
    public var sha256: String?
    /// True when nothing was written because the writer is in dry-run mode.
    public var dryRun: Bool
}

/// Why a write was refused or failed.
public enum ConfinementError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    case workspaceUnusable(path: String, reason: String)
    /// The path leaves the workspace (`..`, an absolute path elsewhere, or a symlink resolving outside).
    case escapesWorkspace(path: String, reason: String)
    /// The file to write is itself a symlink; writing through it could land anywhere.
    case symlinkTarget(path: String)
    case notADirectory(path: String)
    case ioFailed(path: String, operation: String, reason: String)

    public var description: String {
        switch self {
        case .workspaceUnusable(let path, let reason):
            return "workspace \(path) cannot be used: \(reason)"
        case .escapesWorkspace(let path, let reason):
            return "refusing to write \(path): it is outside the workspace (\(reason)); write below the workspace root instead"
        case .symlinkTarget(let path):
            return "refusing to write \(path): it is a symbolic link; remove the link or choose another file name"
        case .notADirectory(let path):
            return "cannot write below \(path): it is not a directory"
        case .ioFailed(let path, let operation, let reason):
            return "could not \(operation) \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}

/// Writes files only inside one workspace directory: atomically (temp file, fsync, rename), with explicit modes
/// that do not depend on the umask, refusing any path that escapes the workspace, including through symlinks.
/// Each write is reported to `onWrite`, so a plugin can emit it as an action.
public final class ConfinedWriter: Sendable {
    /// The workspace root, resolved with realpath.
    public let root: String
    /// When true nothing touches the disk; `write` returns what it would have written.
    public let dryRun: Bool
    public let computeSHA256: Bool
    private let onWrite: (@Sendable (WrittenFile) -> Void)?

    /// - Parameters:
    ///   - workspace: an existing directory; resolved with realpath.
    ///   - onWrite: called after every write (and every dry-run "would write").
    public init(workspace: String, dryRun: Bool = false, computeSHA256: Bool = true,
                onWrite: (@Sendable (WrittenFile) -> Void)? = nil) throws {
        guard let resolved = realpath(workspace, nil) else {
            throw ConfinementError.workspaceUnusable(path: workspace, reason: String(cString: strerror(errno)))
        }
        defer { free(resolved) }
        let root = String(cString: resolved)
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw ConfinementError.workspaceUnusable(path: workspace, reason: "not a directory")
        }
        self.root = root
        self.dryRun = dryRun
        self.computeSHA256 = computeSHA256
        self.onWrite = onWrite
    }

    /// Writes a secret (private key, token): file 0600, new parent directories 0700.
    @discardableResult
    public func writeSecret(_ path: String, _ data: Data) throws -> WrittenFile {
        try write(path, data, mode: 0o600, directoryMode: 0o700)
    }

    /// Writes `data` to `path` (relative to the workspace, or absolute inside it) atomically.
    /// - Parameters:
    ///   - mode: permission bits of the file, set with fchmod so the umask does not matter.
    ///   - directoryMode: permission bits of parent directories this call creates.
    @discardableResult
    public func write(_ path: String, _ data: Data, mode: UInt32 = 0o644, directoryMode: UInt32 = 0o755) throws -> WrittenFile {
        let digest = computeSHA256 ? SHA256.hex(data) : nil
        if dryRun { return try planned(path, bytes: data.count, mode: mode, sha256: digest, directoryMode: directoryMode) }
        let (staged, relative) = try stage(path, directoryMode: directoryMode)
        defer { staged.finish() }
        let fd = try staged.create()
        do {
            defer { close(fd) }
            try data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw Self.ioError(staged.target, "write")
                    }
                    offset += n
                }
            }
            try staged.seal(fd, mode: mode)
        }
        try staged.install()
        return recorded(WrittenFile(path: staged.target, relativePath: relative, bytes: data.count, mode: mode, sha256: digest, dryRun: false))
    }

    /// Writes a file that other code produces, too big to hold in memory (an archive a tool writes), with the
    /// guarantees of `write`: `produce` gets the path of a new, empty 0600 temporary file beside the target and
    /// fills it; the file then gets `mode`, is fsynced and renamed into place. When `produce` throws, nothing is
    /// left behind. In dry-run mode `produce` is not called and the record has 0 bytes.
    @discardableResult
    public func writeProduced(_ path: String, mode: UInt32 = 0o644, directoryMode: UInt32 = 0o755,
                              produce: (String) async throws -> Void) async throws -> WrittenFile {
        if dryRun { return try planned(path, bytes: 0, mode: mode, sha256: nil, directoryMode: directoryMode) }
        let (staged, relative) = try stage(path, directoryMode: directoryMode)
        defer { staged.finish() }
        close(try staged.create())
        try await produce(staged.temporaryPath)

        let fd = openat(staged.directoryFD, staged.temporary, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError(staged.temporaryPath, "reopen") }
        let digest: String?
        let bytes: Int
        do {
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw ConfinementError.ioFailed(path: staged.target, operation: "write", reason: "the temporary file was replaced")
            }
            bytes = Int(info.st_size)
            try staged.seal(fd, mode: mode)
            digest = computeSHA256 ? try FileDigest.sha256(fd: fd, path: staged.target) : nil
        }
        try staged.install()
        return recorded(WrittenFile(path: staged.target, relativePath: relative, bytes: bytes, mode: mode, sha256: digest, dryRun: false))
    }

    /// The record of a dry-run write: the path is checked (nothing created), nothing is written.
    private func planned(_ path: String, bytes: Int, mode: UInt32, sha256: String?, directoryMode: UInt32) throws -> WrittenFile {
        let (parentComponents, name) = try split(path)
        let parent = try checkParent(parentComponents, original: path, create: false, directoryMode: directoryMode)
        return recorded(WrittenFile(path: parent + "/" + name, relativePath: (parentComponents + [name]).joined(separator: "/"),
                                    bytes: bytes, mode: mode, sha256: sha256, dryRun: true))
    }

    private func recorded(_ record: WrittenFile) -> WrittenFile {
        onWrite?(record)
        return record
    }

    /// Checks `path`, creates its missing parents and opens the directory the temporary file will live in.
    private func stage(_ path: String, directoryMode: UInt32) throws -> (StagedFile, String) {
        let (parentComponents, name) = try split(path)
        let (parent, directoryFD) = try openParent(parentComponents, name: name, original: path, directoryMode: directoryMode)
        return (StagedFile(directoryFD: directoryFD, parent: parent, name: name), (parentComponents + [name]).joined(separator: "/"))
    }

    /// A temporary file beside its target, in a directory confirmed to be inside the workspace: created empty
    /// (0600, exclusively), sealed (mode, fsync), then renamed into place; `finish` removes it if it never was.
    private final class StagedFile {
        let directoryFD: Int32
        let parent: String
        let name: String
        let temporary: String
        private var installed = false

        init(directoryFD: Int32, parent: String, name: String) {
            self.directoryFD = directoryFD
            self.parent = parent
            self.name = name
            temporary = ".\(name).contsec-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        }

        var target: String { parent + "/" + name }
        var temporaryPath: String { parent + "/" + temporary }

        /// Creates the temporary file and returns a descriptor open for writing.
        func create() throws -> Int32 {
            let fd = openat(directoryFD, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
            guard fd >= 0 else { throw ConfinedWriter.ioError(temporaryPath, "create") }
            return fd
        }

        func seal(_ fd: Int32, mode: UInt32) throws {
            guard fchmod(fd, mode_t(mode)) == 0 else { throw ConfinedWriter.ioError(target, "set the mode of") }
            guard fsync(fd) == 0 else { throw ConfinedWriter.ioError(target, "fsync") }
        }

        func install() throws {
            guard renameat(directoryFD, temporary, directoryFD, name) == 0 else { throw ConfinedWriter.ioError(target, "rename into place") }
            installed = true
            _ = fsync(directoryFD) // make the rename itself durable
        }

        func finish() {
            if !installed { unlinkat(directoryFD, temporary, 0) }
            close(directoryFD)
        }
    }

    // MARK: - Path checks

    /// Creates the missing parents, opens the parent directory and confirms it is still inside the workspace and
    /// that `name` there is neither a symlink nor a directory. The caller closes the returned descriptor.
    private func openParent(_ components: [String], name: String, original: String, directoryMode: UInt32) throws -> (String, Int32) {
        let parent = try checkParent(components, original: original, create: true, directoryMode: directoryMode)
        let target = parent + "/" + name
        let directoryFD = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw Self.ioError(parent, "open directory") }
        // The directory could have been swapped for a symlink since the check: confirm where the open landed.
        guard let opened = Self.readlink("/proc/self/fd/\(directoryFD)"), Self.isInside(opened, root) else {
            close(directoryFD)
            throw ConfinementError.escapesWorkspace(path: original, reason: "its directory changed while writing")
        }
        var existing = stat()
        if fstatat(directoryFD, name, &existing, AT_SYMLINK_NOFOLLOW) == 0 {
            if (existing.st_mode & S_IFMT) == S_IFLNK { close(directoryFD); throw ConfinementError.symlinkTarget(path: target) }
            if (existing.st_mode & S_IFMT) == S_IFDIR {
                close(directoryFD)
                throw ConfinementError.ioFailed(path: target, operation: "write", reason: "it is a directory")
            }
        }
        return (parent, directoryFD)
    }


    /// Splits into parent components below the root and a final name, refusing `..` and paths outside the root.
    private func split(_ path: String) throws -> ([String], String) {
        var relative = path
        if path.hasPrefix("/") {
            let normalized = "/" + path.split(separator: "/").joined(separator: "/")
            guard Self.isInside(normalized, root) else {
                throw ConfinementError.escapesWorkspace(path: path, reason: "absolute path not below \(root)")
            }
            relative = String(normalized.dropFirst(root.count))
        }
        var components: [String] = []
        for component in relative.split(separator: "/") where component != "." {
            if component == ".." { throw ConfinementError.escapesWorkspace(path: path, reason: "it contains '..'") }
            components.append(String(component))
        }
        guard let name = components.popLast() else {
            throw ConfinementError.escapesWorkspace(path: path, reason: "it names the workspace itself, not a file in it")
        }
        return (components, name)
    }

    /// Walks the parent directories from the root: existing ones (symlinks included) must resolve inside the
    /// workspace; missing ones are created with `directoryMode`. Returns the resolved parent path.
    private func checkParent(_ components: [String], original: String, create: Bool, directoryMode: UInt32) throws -> String {
        var current = root
        var missing = false
        for component in components {
            let next = current + "/" + component
            if missing {
                current = next
                continue
            }
            var info = stat()
            if lstat(next, &info) != 0 {
                guard errno == ENOENT else { throw Self.ioError(next, "inspect") }
                if !create { missing = true; current = next; continue }
                if mkdir(next, mode_t(directoryMode)) != 0 && errno != EEXIST { throw Self.ioError(next, "create directory") }
                // mkdir's mode is filtered by the umask; set the exact bits asked for.
                guard chmod(next, mode_t(directoryMode)) == 0 else { throw Self.ioError(next, "set the mode of") }
                current = next
                continue
            }
            if (info.st_mode & S_IFMT) == S_IFLNK {
                guard let resolved = realpath(next, nil) else {
                    throw ConfinementError.escapesWorkspace(path: original, reason: "\(next) is a dangling symlink")
                }
                defer { free(resolved) }
                let target = String(cString: resolved)
                guard Self.isInside(target, root) || target == root else {
                    throw ConfinementError.escapesWorkspace(path: original, reason: "\(next) is a symlink to \(target)")
                }
                var targetInfo = stat()
                guard stat(target, &targetInfo) == 0, (targetInfo.st_mode & S_IFMT) == S_IFDIR else {
                    throw ConfinementError.notADirectory(path: next)
                }
                current = target
                continue
            }
            guard (info.st_mode & S_IFMT) == S_IFDIR else { throw ConfinementError.notADirectory(path: next) }
            current = next
        }
        return current
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        root == "/" ? path.hasPrefix("/") : (path == root || path.hasPrefix(root + "/"))
    }

    private static func readlink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    fileprivate static func ioError(_ path: String, _ operation: String) -> ConfinementError {
        .ioFailed(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
