import Foundation

/// The mounts this process sees (`/proc/self/mountinfo`): whether a path is a mount point, and of what file system.
public struct MountTable: Sendable {
    public struct Entry: Sendable, Equatable {
        /// Field 5, unescaped.
        public var mountPoint: String
        /// After the " - " separator, e.g. "ext4", "tmpfs", "fuse.gocryptfs".
        public var fileSystemType: String
        public var source: String
    }

    public let entries: [Entry]

    /// - Parameter mountinfo: the table's text; by default this process's own.
    public init(mountinfo: String? = MountTable.readProcFile("/proc/self/mountinfo")) {
        entries = (mountinfo ?? "").split(separator: "\n").compactMap(Self.parse)
    }

    /// Reads a /proc file to its end. Such files report a size of 0 and arrive a page at a time; a one-shot read
    /// of a busy host's mountinfo (hundreds of container mounts) came back cut short.
    public static func readProcFile(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The mount at exactly `path` (the last one when several are stacked there), nil when nothing is mounted on it.
    public func entry(at path: String) -> Entry? {
        entries.last { $0.mountPoint == path }
    }

    /// `36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue` (proc(5)).
    static func parse(_ line: Substring) -> Entry? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 10, let dash = fields.firstIndex(of: "-"), dash + 2 < fields.count, dash > 4 else { return nil }
        return Entry(mountPoint: unescape(fields[4]), fileSystemType: String(fields[dash + 1]), source: unescape(fields[dash + 2]))
    }

    /// mountinfo writes space, tab, newline and backslash as 3-digit octal escapes (`\040`).
    static func unescape(_ field: Substring) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let raw = Array(field.utf8)
        var i = 0
        while i < raw.count {
            if raw[i] == 0x5C, i + 4 <= raw.count,
               let value = UInt8(String(decoding: raw[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(raw[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
