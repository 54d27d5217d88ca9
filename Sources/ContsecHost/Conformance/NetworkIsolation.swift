import Foundation
import ProcessKit

/// Runs plugins under test in a network namespace of their own (`unshare --net`), so that checks that make a
/// plugin do real work (a run with made-up arguments) can never reach beyond the machine. Unix sockets (the Docker
/// Engine's) still work; TCP, even to loopback, does not.
public enum NetworkIsolation {
    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
        init(_ d: String) { description = d }
    }

    /// The launcher to put before the plugin's path, or why isolation is not available here.
    public static func launcher() -> Result<[String], Unavailable> {
        guard let unshare = ["/usr/bin/unshare", "/bin/unshare"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return .failure(Unavailable("unshare(1) is not installed (util-linux)"))
        }
        // Creating a network namespace needs CAP_SYS_ADMIN: try it once.
        // Through ChildProcess, as every child of contsec: its orphan reaper must know each child it starts.
        let probe: ChildProcess
        do { probe = try ChildProcess(SpawnOptions(executable: unshare, arguments: ["--net", "--", "/bin/true"])) } catch {
            return .failure(Unavailable("cannot run \(unshare): \(error)"))
        }
        probe.stdin.close()
        let status = probe.waitExit(until: Date().addingTimeInterval(30))
        if status == nil { probe.terminate(grace: 0.5) }
        guard status == .exited(0) else { return .failure(Unavailable("unshare --net is not permitted here (needs root or CAP_SYS_ADMIN)")) }
        return .success([unshare, "--net", "--"])
    }
}
