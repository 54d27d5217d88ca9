import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Ownership, mode and type of a path on the host, as `stat` (following symlinks, as `[ -f ]` does) reports it.
public struct FileFacts: Sendable, Equatable {
    public enum Kind: String, Sendable { case file, directory, socket, other }
    public var path: String
    public var kind: Kind
    public var uid: UInt32
    public var gid: UInt32
    /// Permission bits only (0o7777).
    public var mode: UInt32

    public var owner: String { Self.userName(uid) }
    public var group: String { Self.groupName(gid) }
    public var octal: String { String(mode, radix: 8) }

    /// "more restrictive than `allowed`": no permission bit outside it (0640 is within 0644; 0606 is not).
    /// docker-bench compares the octal digits as a decimal number, which lets 0606 pass "644 or stricter".
    public func modeWithin(_ allowed: UInt32) -> Bool { mode & ~allowed == 0 }

    static func userName(_ uid: UInt32) -> String {
        guard let pw = getpwuid(uid), let name = pw.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }

    static func groupName(_ gid: UInt32) -> String {
        guard let gr = getgrgid(gid), let name = gr.pointee.gr_name else { return String(gid) }
        return String(cString: name)
    }
}

/// Reads file facts from the host. Stateless and cheap: each check asks for the paths it needs.
public enum HostFiles {
    public static func stat(_ path: String) -> FileFacts? {
        guard !path.isEmpty else { return nil }
        guard let st = systemStat(path) else { return nil }
        let kind: FileFacts.Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFSOCK: kind = .socket
        default: kind = .other
        }
        return FileFacts(path: path, kind: kind, uid: st.st_uid, gid: st.st_gid, mode: UInt32(st.st_mode) & 0o7777)
    }

    /// docker-bench's get_service_file: the first of /etc/systemd/system, /lib/systemd/system, /run (searched),
    /// then /usr/lib/systemd/system. Without spawning systemctl, which the audit does not need for this.
    public static func systemdUnit(_ name: String) -> String {
        for dir in ["/etc/systemd/system", "/lib/systemd/system"] where stat("\(dir)/\(name)")?.kind == .file {
            return "\(dir)/\(name)"
        }
        for dir in ["/run/systemd/system", "/run/systemd/generator", "/run/systemd/transient"] where stat("\(dir)/\(name)") != nil {
            return "\(dir)/\(name)"
        }
        return "/usr/lib/systemd/system/\(name)"
    }

    /// Regular files under `directory` whose name ends with `suffix`, recursively (3.7/3.8's `find -name '*.crt'`).
    public static func files(under directory: String, suffix: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
        var result: [String] = []
        while let relative = walker.nextObject() as? String {
            let full = (directory as NSString).appendingPathComponent(relative)
            if relative.hasSuffix(suffix), stat(full)?.kind == .file { result.append(full) }
        }
        return result.sorted()
    }

    /// Members of a group: `getent group NAME` semantics, read from /etc/group.
    public static func groupMembers(_ name: String, groupFile: String = "/etc/group") -> [String]? {
        guard let text = ProcFS.read(groupFile) else { return nil }
        for line in text.split(separator: "\n") {
            let f = line.split(separator: ":", omittingEmptySubsequences: false)
            guard f.count >= 4, f[0] == name else { continue }
            return f[3].split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return nil
    }
}

/// stat(2), outside `HostFiles` whose own `stat` would shadow it.
private func systemStat(_ path: String) -> stat? {
    var st = stat()
    return stat(path, &st) == 0 ? st : nil
}
