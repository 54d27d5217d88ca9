#if canImport(Glibc)
import Glibc
#endif

/// What /proc says about the live processes: enough to find a child's process group, session and every process
/// that carries its supervision tag, whatever it did to leave them (setsid, double fork).
struct ProcessTable {
    struct Entry {
        var pid: pid_t
        var ppid: pid_t
        var pgrp: pid_t
        var session: pid_t
        /// Clock ticks after boot when the process started (/proc/<pid>/stat field 22).
        var startTime: UInt64
        var comm: String
    }

    private(set) var entries: [Entry] = []

    /// Reads every live (non-zombie) process. A process that vanishes while being read is skipped.
    static func snapshot() -> ProcessTable {
        var table = ProcessTable()
        guard let dir = opendir("/proc") else { return table }
        defer { closedir(dir) }
        var buf = [UInt8](repeating: 0, count: 1024)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), let e = Self.entry(of: pid, buffer: &buf) else { continue }
            table.entries.append(e)
        }
        return table
    }

    /// One live (non-zombie) process, nil when it is gone or a zombie.
    static func entry(of pid: pid_t) -> Entry? {
        var buf = [UInt8](repeating: 0, count: 1024)
        return entry(of: pid, buffer: &buf)
    }

    private static func entry(of pid: pid_t, buffer buf: inout [UInt8]) -> Entry? {
        guard let n = read("/proc/\(pid)/stat", into: &buf), n > 0,
              let open = buf[0..<n].firstIndex(of: UInt8(ascii: "(")),
              let close = buf[0..<n].lastIndex(of: UInt8(ascii: ")")), close + 2 < n else { return nil }
        // After "(comm) ": state ppid pgrp session ... (field 3 onwards; starttime is field 22).
        let fields = buf[(close + 2)..<n].split(separator: UInt8(ascii: " "), maxSplits: 20)
        guard fields.count >= 20, fields[0].first != UInt8(ascii: "Z"),
              let ppid = pid_t(String(decoding: fields[1], as: UTF8.self)),
              let pgrp = pid_t(String(decoding: fields[2], as: UTF8.self)),
              let session = pid_t(String(decoding: fields[3], as: UTF8.self)),
              let start = UInt64(String(decoding: fields[19], as: UTF8.self)) else { return nil }
        return Entry(pid: pid, ppid: ppid, pgrp: pgrp, session: session, startTime: start,
                     comm: String(decoding: buf[(open + 1)..<close], as: UTF8.self))
    }

    /// Processes in the group or session `id`, or descended from `id` through parent links.
    func family(of id: pid_t) -> [Entry] {
        var children: [pid_t: [pid_t]] = [:]
        for e in entries { children[e.ppid, default: []].append(e.pid) }
        var inFamily = Set<pid_t>()
        var queue = [id]
        while let p = queue.popLast() {
            for c in children[p] ?? [] where inFamily.insert(c).inserted { queue.append(c) }
        }
        return entries.filter { $0.pid != id && ($0.pgrp == id || $0.session == id || inFamily.contains($0.pid)) }
    }

    /// Processes whose environment carries `tag` (a `NAME=value` string): everything a child started, even what
    /// left its session and was re-parented, unless it scrubbed its environment on purpose.
    /// Only processes started at or after `since` are read: nothing older can descend from the child, and
    /// reading every process's environment on every pass of the kill ladder would cost a busy machine dearly.
    func tagged(_ tag: [UInt8], except: pid_t, since: UInt64 = 0) -> [Entry] {
        entries.filter { $0.pid != except && $0.startTime >= since && $0.ppid != 2 && Self.environment(of: $0.pid, contains: tag) }
    }

    /// The start time of one process (zombie or not), 0 when it cannot be read.
    static func startTime(of pid: pid_t) -> UInt64 {
        var buf = [UInt8](repeating: 0, count: 1024)
        guard let n = read("/proc/\(pid)/stat", into: &buf), n > 0,
              let close = buf[0..<n].lastIndex(of: UInt8(ascii: ")")), close + 2 < n else { return 0 }
        let fields = buf[(close + 2)..<n].split(separator: UInt8(ascii: " "), maxSplits: 20)
        guard fields.count >= 20 else { return 0 }
        return UInt64(String(decoding: fields[19], as: UTF8.self)) ?? 0
    }

    static func environment(of pid: pid_t, contains tag: [UInt8]) -> Bool { carries(tag, pid) ?? false }

    /// Whether the environment of `pid` holds `tag`; nil when nothing could be read (the process is gone, or is
    /// exiting and its memory already released — or it has an empty environment).
    static func carries(_ tag: [UInt8], _ pid: pid_t) -> Bool? {
        let fd = open("/proc/\(pid)/environ", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while data.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            data.append(contentsOf: chunk[0..<n])
        }
        guard !data.isEmpty else { return nil }
        return data.split(separator: 0).contains { $0.elementsEqual(tag) }
    }

    private static func read(_ path: String, into buf: inout [UInt8]) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        return n >= 0 ? n : nil
    }
}
