import Foundation

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
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: unshare)
        probe.arguments = ["--net", "--", "/bin/true"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch { return .failure(Unavailable("cannot run \(unshare): \(error)")) }
        probe.waitUntilExit()
        guard probe.terminationStatus == 0 else { return .failure(Unavailable("unshare --net is not permitted here (needs root or CAP_SYS_ADMIN)")) }
        return .success([unshare, "--net", "--"])
    }
}
