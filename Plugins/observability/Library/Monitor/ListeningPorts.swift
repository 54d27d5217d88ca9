import Foundation

/// TCP ports a container listens on, read from the host's view of its network namespace
/// (`/proc/<pid>/net/tcp` and `tcp6`, state 0A = LISTEN) — no exec into the container.
enum ListeningPorts {
    static func of(pid: Int) -> Set<Int> {
        guard pid > 0 else { return [] }
        var ports = Set<Int>()
        for file in ["tcp", "tcp6"] {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/net/\(file)", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let f = line.split(separator: " ", omittingEmptySubsequences: true)
                guard f.count > 3, f[3] == "0A", let colon = f[1].lastIndex(of: ":"), let port = Int(f[1][f[1].index(after: colon)...], radix: 16) else { continue }
                ports.insert(port)
            }
        }
        return ports
    }
}
