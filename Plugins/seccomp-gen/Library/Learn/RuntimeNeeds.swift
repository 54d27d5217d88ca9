/// Syscalls the container runtime makes itself after the seccomp filter is installed and before the program
/// starts: a learned profile must allow them, or no container starts under it.
///
/// runc installs the filter as late as it can, but when `no-new-privileges` is off it must do so before dropping
/// to the container's user, so the filter also sees runc's own last steps: closing inherited descriptors
/// (reading /proc/self/fd), setting groups and ids, capabilities, changing to the working directory, waiting on
/// its exec fifo, checking the program exists, and execve. These names were measured with runc 1.1.5 on Debian 12
/// (a profile of `SCMP_ACT_LOG` for a one-process container, repeated with each round's syscalls allowed until no
/// new one appeared, for root and non-root users), then widened with the equivalents other runc and Go versions
/// use (close_range, faccessat, setresuid/setresgid, the Go runtime's signal, thread and memory calls).
public enum RuntimeNeeds {
    /// Measured: runc 1.1.5 (Go 1.19), x86_64, root and non-root users.
    public static let measured: [String] = [
        "capget", "capset", "chdir", "close", "epoll_ctl", "execve", "faccessat2", "fchown", "fcntl", "fstat",
        "fstatfs", "futex", "getcwd", "getdents64", "getpid", "getppid", "newfstatat", "openat", "prctl", "read",
        "rt_sigreturn", "setgid", "setgroups", "setuid", "write",
    ]

    /// What other runc releases and Go runtimes call at the same point (names an architecture lacks are dropped
    /// when a profile is written).
    public static let equivalents: [String] = [
        "close_range", "faccessat", "access", "stat", "lstat", "setresuid", "setresgid", "fchdir", "epoll_pwait",
        "epoll_wait", "rt_sigaction", "rt_sigprocmask", "sigaltstack", "gettid", "tgkill", "sched_yield",
        "nanosleep", "mmap", "munmap", "madvise", "exit", "exit_group",
    ]

    public static var all: [String] { measured + equivalents }
}
