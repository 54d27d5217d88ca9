#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// Whether the host may execute a plugin: its files must not be writable by others, and its executable must
/// hash to what its manifest declares. Checked at discovery (permissions, for listing) and again right before
/// every exec (permissions and sha256).
public enum PluginTrust {
    public static let overrideFlag = "--allow-insecure-plugins"
    public static let overrideEnv = "CONTSEC_ALLOW_INSECURE_PLUGINS"

    /// True when the user asked to run plugins whose files others could change.
    public static func insecureAllowed(_ environment: [String: String]) -> Bool {
        environment[overrideEnv] == "1"
    }

    /// The files and folders whose integrity the plugin depends on.
    static func guardedPaths(for c: PluginCandidate) -> [String] {
        var paths = [c.path, (c.path as NSString).deletingLastPathComponent]
        let real = (c.path as NSString).resolvingSymlinksInPath
        if real != c.path { paths += [real, (real as NSString).deletingLastPathComponent] }
        if let m = c.manifest { paths += [m.file, (m.file as NSString).deletingLastPathComponent] }
        var seen = Set<String>()
        return paths.filter { seen.insert($0).inserted }
    }

    /// Why others could change the plugin, or nil. Root and the current user may own its files; nobody else may
    /// write them. A sticky world-writable folder (like /tmp) is fine: others cannot replace what we own there.
    public static func permissionProblem(for c: PluginCandidate) -> String? {
        let me = geteuid()
        for path in guardedPaths(for: c) {
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            let isDir = (st.st_mode & S_IFMT) == S_IFDIR
            let what = isDir ? "folder" : "file"
            if st.st_uid != 0 && st.st_uid != me {
                return "its \(what) \(path) is owned by \(userName(st.st_uid)), not by you or root"
            }
            let sticky = isDir && st.st_mode & S_ISVTX != 0
            if st.st_mode & S_IWOTH != 0 && !sticky { return "its \(what) \(path) is world-writable (mode \(mode(st)))" }
            if st.st_mode & S_IWGRP != 0 && !sticky { return "its \(what) \(path) is group-writable (mode \(mode(st)))" }
        }
        return nil
    }

    /// The message for a permission refusal: why, how to fix, how to override.
    public static func permissionRefusal(_ name: String, _ problem: String) -> String {
        "refusing to run plugin \(name): \(problem), so another user could change what contsec executes. "
            + "Fix it (chmod go-w, or chown to yourself), or override with \(overrideFlag) or \(overrideEnv)=1."
    }

    /// Everything that stops an exec right now, or nil when the plugin may run.
    public static func refusal(for c: PluginCandidate, environment: [String: String]) -> String? {
        if !insecureAllowed(environment), let problem = permissionProblem(for: c) {
            return permissionRefusal(c.name, problem)
        }
        return hashMismatch(for: c)
    }

    public struct Refusal: Error { public let message: String }

    /// Everything that stops an exec, checked on an open descriptor of the executable when its manifest pins a
    /// sha256: the descriptor is what must be executed (see ``ChildProcess``'s `executableDescriptor`), so the bytes
    /// hashed are the bytes run. nil descriptor: nothing is pinned, the path is executed.
    public static func verifiedExecutable(for c: PluginCandidate, environment: [String: String]) -> Result<Int32?, Refusal> {
        if !insecureAllowed(environment), let problem = permissionProblem(for: c) {
            return .failure(Refusal(message: permissionRefusal(c.name, problem)))
        }
        guard let m = c.manifest, m.sha256 != nil else { return .success(nil) }
        let fd = open(c.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(Refusal(message: "refusing to run plugin \(c.name): cannot read \(c.path) to verify it")) }
        if let mismatch = hashMismatch(for: c, actual: sha256(ofDescriptor: fd)) {
            close(fd)
            return .failure(Refusal(message: mismatch))
        }
        return .success(fd)
    }

    /// Compares the executable's sha256 with its manifest's, when the manifest declares one.
    public static func hashMismatch(for c: PluginCandidate) -> String? {
        guard c.manifest?.sha256 != nil else { return nil }  // hash only what is pinned: plugins can be large
        return hashMismatch(for: c, actual: sha256(ofFile: c.path))
    }

    static func hashMismatch(for c: PluginCandidate, actual: String?) -> String? {
        guard let m = c.manifest, let expected = m.sha256 else { return nil }
        guard let actual else { return "refusing to run plugin \(c.name): cannot read \(c.path) to verify it" }
        guard actual != expected.lowercased() else { return nil }
        return """
        refusing to run plugin \(c.name): \(c.path) has sha256 \(actual), but its manifest \(m.file) declares \(expected). \
        The executable changed after the manifest was written. Reinstall the plugin from a copy you trust \
        (contsec plugin install --force <path>), or, if you changed it yourself, record the new hash with \
        contsec plugin install --force <plugin folder> (or edit sha256 in the manifest).
        """
    }

    /// Lower-case hex sha256 of a file's bytes, read in chunks.
    public static func sha256(ofFile path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return sha256(ofDescriptor: fd)
    }

    /// Lower-case hex sha256 of what `fd` reads from its current offset to the end.
    static func sha256(ofDescriptor fd: Int32) -> String? {
        var hasher = SHA256()
        var buf = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            hasher.update(buf[0..<n])
        }
        return SHA256.hexString(hasher.finalize())
    }

    static func mode(_ st: stat) -> String { String(st.st_mode & 0o7777, radix: 8) }

    static func userName(_ uid: uid_t) -> String {
        if let pw = getpwuid(uid), let n = pw.pointee.pw_name { return "user \(String(cString: n)) (uid \(uid))" }
        return "uid \(uid)"
    }
}
