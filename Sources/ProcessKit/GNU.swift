#if canImport(Glibc)
import Glibc
#endif

/// glibc functions Swift's Glibc module hides behind _GNU_SOURCE, looked up at run time.
public enum GNU {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let pipe2Function: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addChdirFunction: AddChdir? =
        dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFromFunction: AddCloseFrom? =
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not export.
    static let spawnSetSID: Int32 = 0x80

    /// A close-on-exec pipe, made atomically: with children spawned in parallel, a pipe end leaked into a sibling
    /// would keep its EOF from ever arriving.
    public static func pipe2(_ fds: inout [Int32]) -> Bool {
        guard let pipe2Function else {
            guard pipe(&fds) == 0 else { return false }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return true
        }
        return fds.withUnsafeMutableBufferPointer { pipe2Function($0.baseAddress!, O_CLOEXEC) } == 0
    }

    static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ directory: String) -> Bool {
        guard let addChdirFunction else { return false }
        return addChdirFunction(&actions, directory) == 0
    }

    /// Closes every descriptor from `lowest` up in the child (glibc 2.34 and later; a no-op before).
    static func addCloseFrom(_ actions: inout posix_spawn_file_actions_t, _ lowest: Int32) {
        _ = addCloseFromFunction?(&actions, lowest)
    }
}
