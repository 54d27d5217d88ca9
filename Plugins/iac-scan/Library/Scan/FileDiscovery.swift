#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file to scan: absolute path for reading, root-relative path for reports.
public struct DiscoveredFile: Sendable, Equatable {
    public var absolutePath: String
    public var relativePath: String
    public var candidate: FileCandidate
    /// Why this path could not be looked into (a folder that cannot be opened); reported, never skipped silently.
    public var problem: String? = nil
}

/// Why a file's bytes could not be had.
public enum ReadProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String)
    case notRegular
    case tooLarge(Int)

    public var description: String {
        switch self {
        case .unreadable(let reason): return "cannot be read (\(reason))"
        case .notRegular: return "is not a regular file"
        case .tooLarge(let size): return "is \(size) bytes, over the \(FileDiscovery.maxFileBytes)-byte limit per file"
        }
    }
}

public struct DiscoveryError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Walks the scan root with readdir (no per-file stat where d_type answers), skipping vendored
/// folders, `--exclude` globs and the root's `.gitignore`.
public enum FileDiscovery {
    public static let vendoredFolders: Set<String> = [".git", "node_modules", "vendor", ".terraform", ".build", "third_party", ".hg", ".svn"]

    public static func discover(root: String, excludes: [String]) throws -> [DiscoveredFile] {
        guard isDirectory(root) else {
            throw DiscoveryError(description: "\(root) is not a directory (or cannot be read); pass an existing folder")
        }
        var rules = IgnoreRules()
        if let gi = readText(root + "/.gitignore") {
            rules.add(gi.split(separator: "\n", omittingEmptySubsequences: true).map(String.init))
        }
        // Command-line excludes come last so they win over .gitignore negations.
        rules.add(excludes)
        var out: [DiscoveredFile] = []
        walk(root, "", rules, &out)
        out.sort { $0.relativePath < $1.relativePath }
        return out
    }

    static func walk(_ abs: String, _ rel: String, _ rules: IgnoreRules, _ out: inout [DiscoveredFile]) {
        guard let dir = opendir(abs) else {
            // A folder the scan cannot enter could hide anything: it is reported, not passed over.
            let reason = String(cString: strerror(errno))
            if !rel.isEmpty {
                out.append(DiscoveredFile(absolutePath: abs, relativePath: rel, candidate: .dockerfile,
                                          problem: "the folder cannot be opened (\(reason))"))
            }
            return
        }
        defer { closedir(dir) }
        while let ent = readdir(dir) {
            let name = withUnsafePointer(to: ent.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            let childAbs = abs + "/" + name
            let childRel = rel.isEmpty ? name : rel + "/" + name
            var type = Int32(ent.pointee.d_type)
            if type == Int32(DT_UNKNOWN) || type == Int32(DT_LNK) {
                var st = stat()
                // Follow symlinks to files, never into directories (no loops).
                if stat(childAbs, &st) != 0 { continue }
                let isDir = (st.st_mode & S_IFMT) == S_IFDIR
                if isDir && type == Int32(DT_LNK) { continue }
                // Only regular files are read: a symlink named Dockerfile that points at a FIFO or a device is not.
                guard isDir || (st.st_mode & S_IFMT) == S_IFREG else { continue }
                type = isDir ? Int32(DT_DIR) : Int32(DT_REG)
            }
            if type == Int32(DT_DIR) {
                if vendoredFolders.contains(name) || rules.isIgnored(childRel, isDirectory: true) { continue }
                walk(childAbs, childRel, rules, &out)
            } else if type == Int32(DT_REG) {
                guard let cand = FileScanner.candidate(forName: name), !rules.isIgnored(childRel, isDirectory: false) else { continue }
                out.append(DiscoveredFile(absolutePath: childAbs, relativePath: childRel, candidate: cand))
            }
        }
    }

    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    static func readText(_ path: String) -> String? {
        guard let b = readFile(path) else { return nil }
        return String(decoding: b, as: UTF8.self)
    }

    /// The most bytes read from one file: real Dockerfiles and manifests are far smaller, and the work (and memory)
    /// per file stays bounded whatever a repository holds.
    public static let maxFileBytes = 4 << 20

    /// Reads a whole file with one open and as few reads as possible. nil when it cannot be read.
    public static func readFile(_ path: String, maxBytes: Int = maxFileBytes) -> [UInt8]? {
        try? load(path, maxBytes: maxBytes).get()
    }

    /// Reads a regular file whole, or says why not. Opened without blocking (a FIFO put in place after discovery
    /// cannot hang the scan) and checked with fstat, so what is read is what was checked.
    public static func load(_ path: String, maxBytes: Int = maxFileBytes) -> Result<[UInt8], ReadProblem> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        if fd < 0 { return .failure(.unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { return .failure(.notRegular) }
        let size = Int(st.st_size)
        if size > maxBytes { return .failure(.tooLarge(size)) }
        var buf = [UInt8](repeating: 0, count: max(size, 0))
        var got = 0
        while got < size {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, size - got) }
            if n <= 0 { break }
            got += n
        }
        if got < size { buf.removeLast(size - got) }
        return .success(buf)
    }
}
