#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Makes this process the parent of every orphan its descendants leave behind (Linux's `PR_SET_CHILD_SUBREAPER`),
/// so that nothing a child starts can leave the tree under this process: a daemon that double-forks or a process
/// that re-forks every few milliseconds is re-parented here, not to init. ``ChildProcess`` then finds a child's
/// leftovers by walking that tree (`/proc/<pid>/task/*/children`), which costs as little as the tree is small and
/// cannot be outrun, instead of scanning every process of the machine.
///
/// Adopted orphans that end are reaped by a thread of this type, so they never pile up as zombies. That thread must
/// never reap a child someone else waits for: enable adoption only in a process that starts all its children through
/// ``ChildProcess`` (whose own children it leaves to their watchers) — the contsec CLI does; a process that also uses
/// Foundation's `Process` must not, as its exit statuses would be stolen.
public enum OrphanAdoption {
    private static let state = State()

    /// Turns adoption on for this process; false where the kernel refuses it or does not list children in /proc
    /// (then ``ChildProcess`` keeps its /proc scan). Call once, early, before any child starts.
    @discardableResult
    public static func enable() -> Bool {
        state.lock.lock()
        defer { state.lock.unlock() }
        if state.enabled { return true }
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        // prctl(2) is variadic in C, which Swift cannot call; every argument here is an integer, passed in registers
        // as a non-variadic call passes them (x86_64 and aarch64 Linux).
        guard let symbol = dlsym(nil, "prctl") else { return false }
        let prctl = unsafeBitCast(symbol, to: Prctl.self)
        let PR_SET_CHILD_SUBREAPER: Int32 = 36
        guard access("/proc/self/task/\(getpid())/children", R_OK) == 0, prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0 else {
            return false
        }
        state.enabled = true
        // A bare thread with a small stack that never allocates in its loop: a Foundation Thread's allocations would
        // open a malloc arena of its own (64 MiB of address space), which a run under a tight `ulimit -v` cannot spare.
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, 128 * 1024)
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        guard pthread_create(&thread, &attributes, { _ in OrphanAdoption.reapForever(); return nil }, nil) == 0 else {
            // Without a reaper, adopted orphans would stay zombies: give adoption back.
            state.enabled = false
            _ = prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)
            return false
        }
        return true
    }

    /// True once ``enable()`` succeeded.
    public static var isEnabled: Bool {
        state.lock.lock(); defer { state.lock.unlock() }
        return state.enabled
    }

    /// Live and zombie children of `pid`, from every one of its threads' `children` lists.
    static func children(of pid: pid_t) -> [pid_t] {
        guard let dir = opendir("/proc/\(pid)/task") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard pid_t(name) != nil else { continue }
            let fd = open("/proc/\(pid)/task/\(name)/children", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            var text: [UInt8] = []
            while true {
                let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                text += buf[0..<n]
            }
            close(fd)
            found += text.split(separator: UInt8(ascii: " ")).compactMap { pid_t(String(decoding: $0, as: UTF8.self)) }
        }
        return found
    }

    // MARK: The spawn registry: children a ChildProcess watcher waits for, which the reaper must leave alone.

    /// Runs `spawn` (a posix_spawn) with the registry locked and records the pid it returns, so the reaper can never
    /// see a started child before it is known.
    static func spawning(_ spawn: () -> pid_t?) -> pid_t? {
        state.lock.lock()
        defer { state.lock.unlock() }
        guard let pid = spawn() else { return nil }
        state.watched.insert(pid)
        state.spawns += 1
        state.lock.broadcast()
        return pid
    }

    /// The watcher has reaped `pid`.
    static func reaped(_ pid: pid_t) {
        state.lock.lock()
        state.watched.remove(pid)
        state.lock.unlock()
    }

    /// Reaps `pid` now if it is an adopted orphan that has ended (a zombie no watcher waits for); false otherwise.
    @discardableResult
    static func reapIfAdopted(_ pid: pid_t) -> Bool {
        state.lock.lock(); defer { state.lock.unlock() }
        guard state.enabled, !state.watched.contains(pid) else { return false }
        var info = siginfo_t()
        // WNOWAIT first: only a child that has ended is reaped, and only this one.
        guard waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0, info._sifields._sigchld.si_pid == pid else { return false }
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid
    }

    static func isWatched(_ pid: pid_t) -> Bool {
        state.lock.lock(); defer { state.lock.unlock() }
        return state.watched.contains(pid)
    }

    /// Waits for any child to end without reaping it (`WNOWAIT`), then reaps it through ``reapIfAdopted(_:)``, the one
    /// place that decides what may be reaped. With no child at all, sleeps until the next spawn: orphans can only come
    /// from children.
    fileprivate static func reapForever() {
        while true {
            state.lock.lock()
            let spawnsBefore = state.spawns
            state.lock.unlock()
            var info = siginfo_t()
            let rc = waitid(P_ALL, 0, &info, WEXITED | WNOWAIT)
            if rc < 0 {
                if errno == EINTR { continue }
                // ECHILD: nothing to wait for until something is spawned (unless that happened meanwhile).
                state.lock.lock()
                if state.spawns == spawnsBefore { _ = state.lock.wait(until: Date().addingTimeInterval(1)) }
                state.lock.unlock()
                continue
            }
            let pid = info._sifields._sigchld.si_pid
            // A watched child's own watcher reaps it in a moment; until then waitid keeps naming it.
            if pid > 0, !reapIfAdopted(pid), isWatched(pid) { usleep(1000) }
        }
    }

    private final class State: @unchecked Sendable {
        let lock = NSCondition()
        var enabled = false
        var watched = Set<pid_t>()
        /// Children started so far: the reaper's wake-up from "no child at all" cannot be missed.
        var spawns = 0
    }
}
