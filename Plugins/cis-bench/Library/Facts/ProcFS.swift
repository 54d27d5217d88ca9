import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// What the benchmark needs from /proc: the daemon's process, mount points, processes per container, listeners.
/// Reading /proc directly keeps the audit's cost flat: one pass over the process table, whatever the container count.
enum ProcFS {
    /// Numeric entries of /proc.
    static func pids(_ proc: String = "/proc") -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: proc) else { return [] }
        return entries.compactMap { Int32($0) }
    }

    static func read(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// A process's name (/proc/<pid>/comm without the newline).
    static func comm(_ pid: Int32) -> String? {
        read("/proc/\(pid)/comm")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A process's argv (/proc/<pid>/cmdline split on NUL).
    static func cmdline(_ pid: Int32) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            .dropLast(data.last == 0 ? 1 : 0).map { $0 }
    }

    static func readlink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The dockerd process: the pid file's pid if it is a dockerd, else the newest process named dockerd
    /// (docker-bench uses `pgrep -n`).
    static func findDockerd(pidFile: String = "/var/run/docker.pid") -> Int32? {
        if let text = read(pidFile), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           comm(pid) == "dockerd" {
            return pid
        }
        return pids().filter { comm($0) == "dockerd" }.max()
    }

    /// Mount points of this mount namespace (ContainerKit's reading of /proc/self/mountinfo, which a one-shot
    /// read would cut at its first page on a host with many container mounts).
    static func mountPoints() -> Set<String> {
        Set(MountTable().entries.map(\.mountPoint))
    }

    /// Process names grouped by container, for containers whose init process (`initPids`: container id → pid)
    /// has a pid namespace of its own. Containers sharing the host's pid namespace, or whose namespace cannot be
    /// read (not root, another host), are left out: the caller asks the engine (`/top`) for those.
    static func processNamesByContainer(initPids: [String: Int32]) -> [String: [String]] {
        let hostNS = readlink("/proc/1/ns/pid")
        var containerByNS: [String: String] = [:]
        for (id, pid) in initPids where pid > 0 {
            guard let ns = readlink("/proc/\(pid)/ns/pid"), ns != hostNS else { continue }
            containerByNS[ns] = id
        }
        guard !containerByNS.isEmpty else { return [:] }
        var names: [String: [String]] = [:]
        for id in containerByNS.values { names[id] = [] }
        for pid in pids() {
            guard let ns = readlink("/proc/\(pid)/ns/pid"), let id = containerByNS[ns], let name = comm(pid) else { continue }
            names[id, default: []].append(name)
        }
        return names
    }

    /// TCP ports listened on, with the local address, from /proc/net/tcp and tcp6 ("0.0.0.0", "::", "127.0.0.1").
    static func tcpListeners() -> [(address: String, port: Int)] {
        var result: [(String, Int)] = []
        for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
            guard let text = read(file) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 3, f[3] == "0A" else { continue }  // 0A = LISTEN
                let local = f[1].split(separator: ":")
                guard local.count == 2, let port = Int(local[1], radix: 16) else { continue }
                let hex = String(local[0])
                let address: String
                if v6 { address = hex.allSatisfy({ $0 == "0" }) ? "::" : hex } else {
                    address = hex == "00000000" ? "0.0.0.0" : hex
                }
                result.append((address, port))
            }
        }
        return result
    }

    /// The uid a process runs as (Uid: line of /proc/<pid>/status, real uid).
    static func uid(_ pid: Int32) -> UInt32? {
        guard let text = read("/proc/\(pid)/status") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("Uid:") {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { UInt32($0) }
        }
        return nil
    }
}
