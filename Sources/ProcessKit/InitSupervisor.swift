#if canImport(Glibc)
import Glibc
#endif

/// contsec as a container's entry point is PID 1: the kernel hands it every orphan in the container to reap, and
/// delivers it no signal it has no handler for. Reaping strangers inside the supervision of our own children would
/// race with it (a `waitpid(-1)` steals the exit status a child's watcher waits for), so PID 1 becomes a minimal
/// init instead, as `docker run --init` (tini) does: it runs contsec again as its only child, forwards termination
/// signals to it, reaps every process that ends, and exits with the child's status.
public enum InitSupervisor {
    /// Returns at once unless this process is PID 1; otherwise supervises and never returns.
    public static func superviseIfPID1(arguments: [String] = CommandLine.arguments) {
        guard getpid() == 1 else { return }
        exit(supervise(arguments: arguments))
    }

    static let forwarded: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2]

    static func supervise(arguments: [String]) -> Int32 {
        // Held back until the handlers are in place; the child starts with an empty mask and default dispositions.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for s in forwarded { sigaddset(&blocked, s) }
        sigprocmask(SIG_BLOCK, &blocked, nil)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/proc/self/exe", nil, &attributes, argv, environ)
        guard rc == 0 else {
            let text = Array("contsec: as PID 1, cannot start itself under a reaper: \(String(cString: strerror(rc)))\n".utf8)
            _ = write(2, text, text.count)
            return 127
        }
        supervisedChild = child
        for s in forwarded {
            var action = sigaction()
            action.__sigaction_handler.sa_sigaction = forwardSignal
            action.sa_flags = SA_SIGINFO | SA_RESTART
            sigemptyset(&action.sa_mask)
            sigaction(s, &action, nil)
        }
        sigprocmask(SIG_UNBLOCK, &blocked, nil)

        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid == child {
                switch ExitStatus(waitStatus: status) {
                case .exited(let code): return code
                case .signaled(let s): return 128 + s
                }
            }
            if pid < 0 && errno == ECHILD { return 1 }  // cannot happen while the child lives; never spin
        }
    }
}

/// Set once, before the handlers are installed (a C handler cannot capture).
nonisolated(unsafe) private var supervisedChild: pid_t = 0

/// A signal the terminal sent (Ctrl-C: `si_code` SI_KERNEL) reached the child's process group already; one sent
/// with kill(2) (`docker stop`, `kill`) was for PID 1 alone and is passed on. Async-signal-safe.
private func forwardSignal(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _ context: UnsafeMutableRawPointer?) {
    let fromTerminal = info.map { $0.pointee.si_code == 0x80 } ?? false  // SI_KERNEL
    if supervisedChild > 0 && !fromTerminal { kill(supervisedChild, signal) }
}
