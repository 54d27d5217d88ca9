/// A named set of syscalls and why programs need it: the unit the templates add and remove, shown by
/// `contsec run seccomp-gen templates`.
public struct SyscallGroup: Sendable, Equatable {
    public var id: String
    public var title: String
    /// Who needs these syscalls (and, for the dangerous ones, why they are left out).
    public var reason: String
    public var names: [String]
}

/// Docker's default seccomp profile (moby/profiles `seccomp/default.json`), as data: the syscalls every container
/// may make, grouped by what they are for, and the rules that depend on argument values, architecture and
/// capabilities. ``profile()`` rebuilds the whole profile; the tests compare it with Docker's own file.
public enum DockerDefault {
    /// The unconditional allow list, in groups (together exactly Docker's first rule).
    public static let groups: [SyscallGroup] = [
        SyscallGroup(id: "process", title: "Processes and program execution",
                     reason: "every program: starting programs (execve), creating and reaping processes, its own "
                         + "process attributes (prctl), sandboxing itself further (seccomp, landlock)",
                     names: ["execve", "execveat", "exit", "exit_group", "fork", "vfork", "wait4", "waitid",
                             "waitpid", "kill", "tgkill", "tkill", "getpid", "getppid", "gettid", "getpgid",
                             "getpgrp", "getsid", "setsid", "setpgid", "prctl", "restart_syscall", "seccomp",
                             "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "pidfd_open",
                             "pidfd_send_signal", "process_mrelease"]),
        SyscallGroup(id: "identity", title: "User and group identity",
                     reason: "reading ids is universal; the setuid/setgid/setgroups/capset family is also what the"
                         + " runtime itself calls to switch to the container user after the filter is installed,"
                         + " so no profile may drop it",
                     names: ["getuid", "getuid32", "geteuid", "geteuid32", "getgid", "getgid32", "getegid",
                             "getegid32", "getgroups", "getgroups32", "getresuid", "getresuid32", "getresgid",
                             "getresgid32", "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32",
                             "setregid", "setregid32", "setresuid", "setresuid32", "setresgid", "setresgid32",
                             "setfsuid", "setfsuid32", "setfsgid", "setfsgid32", "setgroups", "setgroups32", "capget",
                             "capset"]),
        SyscallGroup(id: "memory", title: "Memory management",
                     reason: "every program: the allocator (brk, mmap), loaders (mprotect), caches (madvise)",
                     names: ["brk", "mmap", "mmap2", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync",
                             "membarrier", "memfd_create", "memfd_secret", "pkey_alloc", "pkey_free", "pkey_mprotect",
                             "remap_file_pages", "mseal", "map_shadow_stack", "cachestat"]),
        SyscallGroup(id: "memory-locking", title: "Locking memory in RAM",
                     reason: "keeps pages out of swap: databases and secret stores (Vault, Elasticsearch "
                         + "memory_lock, some crypto libraries) lock keys and buffers",
                     names: ["mlock", "mlock2", "mlockall", "munlock", "munlockall"]),
        SyscallGroup(id: "threads", title: "Threads and futexes",
                     reason: "every threaded program and the C library itself (futex, set_robust_list, rseq)",
                     names: ["futex", "futex_time64", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue",
                             "set_robust_list", "get_robust_list", "set_tid_address", "rseq", "set_thread_area",
                             "get_thread_area"]),
        SyscallGroup(id: "signals", title: "Signals",
                     reason: "every program: handlers, masks, signalfd",
                     names: ["rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
                             "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
                             "sigaltstack", "sigprocmask", "sigreturn", "signalfd", "signalfd4", "pause"]),
        SyscallGroup(id: "time", title: "Clocks and timers",
                     reason: "every program: time, sleeps, timers (setting the clock needs CAP_SYS_TIME and is a "
                         + "separate rule)",
                     names: ["alarm", "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
                             "clock_nanosleep", "clock_nanosleep_time64", "nanosleep", "gettimeofday", "time",
                             "times", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_getoverrun",
                             "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
                             "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64",
                             "adjtimex", "clock_adjtime", "clock_adjtime64"]),
        SyscallGroup(id: "files", title: "File I/O",
                     reason: "every program: open, read, write, pipes, ioctl on its own descriptors",
                     names: ["access", "faccessat", "faccessat2", "open", "openat", "openat2", "creat", "close",
                             "close_range", "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv",
                             "preadv2", "pwritev", "pwritev2", "lseek", "_llseek", "dup", "dup2", "dup3", "fcntl",
                             "fcntl64", "flock", "fsync", "fdatasync", "sync", "syncfs", "sync_file_range",
                             "fallocate", "fadvise64", "fadvise64_64", "readahead", "truncate", "truncate64",
                             "ftruncate", "ftruncate64", "copy_file_range", "sendfile", "sendfile64", "splice", "tee",
                             "vmsplice", "pipe", "pipe2", "ioctl", "umask"]),
        SyscallGroup(id: "file-metadata", title: "File metadata",
                     reason: "stat, chmod, chown, utimes: every program that touches files",
                     names: ["stat", "stat64", "lstat", "lstat64", "fstat", "fstat64", "fstatat64", "newfstatat",
                             "statx", "statfs", "statfs64", "fstatfs", "fstatfs64", "chmod", "fchmod", "fchmodat",
                             "fchmodat2", "chown", "chown32", "fchown", "fchown32", "fchownat", "lchown", "lchown32",
                             "utime", "utimes", "utimensat", "utimensat_time64", "futimesat"]),
        SyscallGroup(id: "directories", title: "Directories and links",
                     reason: "creating, renaming and removing files and directories; mknod of device nodes still "
                         + "needs CAP_MKNOD and the device cgroup",
                     names: ["chdir", "fchdir", "getcwd", "mkdir", "mkdirat", "rmdir", "rename", "renameat",
                             "renameat2", "link", "linkat", "symlink", "symlinkat", "unlink", "unlinkat", "readlink",
                             "readlinkat", "getdents", "getdents64", "mknod", "mknodat"]),
        SyscallGroup(id: "xattrs", title: "Extended attributes",
                     reason: "file capabilities, ACLs and security labels; copies (cp -a, tar) preserve them",
                     names: ["getxattr", "lgetxattr", "fgetxattr", "getxattrat", "setxattr", "lsetxattr", "fsetxattr",
                             "setxattrat", "listxattr", "llistxattr", "flistxattr", "listxattrat", "removexattr",
                             "lremovexattr", "fremovexattr", "removexattrat"]),
        SyscallGroup(id: "file-handles", title: "File handles (name_to_handle_at)",
                     reason: "half of the open_by_handle_at pair the 2014 \"shocker\" container breakout used; "
                         + "only NFS servers and checkpoint/restore tools need it",
                     names: ["name_to_handle_at"]),
        SyscallGroup(id: "mount-info", title: "Mount information",
                     reason: "statmount/listmount read the mount table (newer replacements for "
                         + "/proc/self/mountinfo)",
                     names: ["statmount", "listmount"]),
        SyscallGroup(id: "events", title: "Event loops and file watches",
                     reason: "epoll/poll/select in every server and client library; inotify for config reloads and"
                         + " tail -f",
                     names: ["epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait",
                             "epoll_pwait2", "epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "poll", "ppoll",
                             "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
                             "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
                             "fanotify_mark"]),
        SyscallGroup(id: "network", title: "Network clients",
                     reason: "connect, send and receive on sockets; socket() itself is a separate rule filtered by"
                         + " address family",
                     names: ["socketpair", "connect", "bind", "getpeername", "getsockname", "getsockopt",
                             "setsockopt", "recv", "recvfrom", "recvmsg", "recvmmsg", "recvmmsg_time64", "send",
                             "sendto", "sendmsg", "sendmmsg", "shutdown", "socketcall"]),
        SyscallGroup(id: "server-sockets", title: "Accepting connections",
                     reason: "listen/accept: only programs that serve connections",
                     names: ["listen", "accept", "accept4"]),
        SyscallGroup(id: "sysv-ipc", title: "System V IPC",
                     reason: "shared memory segments and semaphores: PostgreSQL (shared memory and semaphores), "
                         + "Apache httpd (sysvsem accept mutex), Oracle",
                     names: ["ipc", "msgctl", "msgget", "msgrcv", "msgsnd", "semctl", "semget", "semop", "semtimedop",
                             "semtimedop_time64", "shmat", "shmctl", "shmdt", "shmget"]),
        SyscallGroup(id: "posix-mq", title: "POSIX message queues",
                     reason: "mq_open and friends: rarely used by containerised software; queue workers talk to a "
                         + "broker over the network instead",
                     names: ["mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
                             "mq_timedsend", "mq_timedsend_time64", "mq_unlink"]),
        SyscallGroup(id: "kernel-aio", title: "Kernel asynchronous I/O",
                     reason: "io_submit/io_getevents (libaio): InnoDB/MySQL, ScyllaDB, nginx with aio and directio",
                     names: ["io_setup", "io_submit", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
                             "io_cancel", "io_destroy"]),
        SyscallGroup(id: "scheduling", title: "Scheduling and priorities",
                     reason: "CPU affinity, nice values, I/O priority: thread pools and runtimes tune themselves "
                         + "(real-time policies still need CAP_SYS_NICE)",
                     names: ["sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
                             "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
                             "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
                             "sched_setscheduler", "sched_yield", "getpriority", "setpriority", "ioprio_get",
                             "ioprio_set", "getcpu"]),
        SyscallGroup(id: "system-info", title: "System information and limits",
                     reason: "uname, sysinfo, rlimits, getrandom: the C library and every runtime",
                     names: ["uname", "sysinfo", "getrlimit", "setrlimit", "prlimit64", "ugetrlimit", "getrusage",
                             "getrandom"]),
        SyscallGroup(id: "probes", title: "Kernel probes of the architecture",
                     reason: "uretprobe (x86_64 uprobes return path) and riscv_hwprobe: called by the kernel or "
                         + "the C library on their own",
                     names: ["uretprobe", "riscv_hwprobe"]),
    ]

    /// All names of the unconditional allow list.
    public static var baseNames: [String] { groups.flatMap(\.names) }

    /// socket(2) for every address family except 38 (AF_ALG, the kernel crypto API: a long line of kernel bugs)
    /// and 40 (AF_VSOCK, host/VM sockets): allowed below 38, at 39 (AF_NFC) and above 40.
    static let socketRules: [SyscallRule] = [
        SyscallRule(names: ["socket"], action: allow, args: [ArgumentCondition(index: 0, value: 38, op: "SCMP_CMP_LT")]),
        SyscallRule(names: ["socket"], action: allow, args: [ArgumentCondition(index: 0, value: 39, op: "SCMP_CMP_EQ")]),
        SyscallRule(names: ["socket"], action: allow, args: [ArgumentCondition(index: 0, value: 40, op: "SCMP_CMP_GT")]),
    ]

    /// personality(2) values Docker allows: PER_LINUX (0), UNAME26 (8), ADDR_NO_RANDOMIZE (0x20000),
    /// UNAME26|ADDR_NO_RANDOMIZE (0x20008) and 0xffffffff (query the current persona).
    static let personalityValues: [UInt64] = [0, 8, 131_072, 131_080, 4_294_967_295]

    /// `CLONE_NEWNS|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|CLONE_NEWCGROUP`: clone() may
    /// create threads and processes but no namespaces unless the container has CAP_SYS_ADMIN.
    public static let namespaceFlags: UInt64 = 2_114_060_288

    /// The capability-gated rules: each allows what the capability would be useless without.
    static let capabilityRules: [SyscallRule] = [
        SyscallRule(names: ["open_by_handle_at"], action: allow, includes: RuleFilter(caps: ["CAP_DAC_READ_SEARCH"])),
        SyscallRule(names: ["bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
                            "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount",
                            "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
                            "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare"],
                    action: allow, includes: RuleFilter(caps: ["CAP_SYS_ADMIN"])),
        SyscallRule(names: ["clone"], action: allow,
                    args: [ArgumentCondition(index: 0, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
                    excludes: RuleFilter(caps: ["CAP_SYS_ADMIN"], arches: ["s390", "s390x"])),
        SyscallRule(names: ["clone"], action: allow,
                    args: [ArgumentCondition(index: 1, value: namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
                    comment: "s390 parameter ordering for clone is different",
                    includes: RuleFilter(arches: ["s390", "s390x"]), excludes: RuleFilter(caps: ["CAP_SYS_ADMIN"])),
        // clone3 passes its flags in memory a filter cannot read: ENOSYS makes the C library fall back to clone.
        SyscallRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38, excludes: RuleFilter(caps: ["CAP_SYS_ADMIN"])),
        SyscallRule(names: ["reboot"], action: allow, includes: RuleFilter(caps: ["CAP_SYS_BOOT"])),
        SyscallRule(names: ["chroot"], action: allow, includes: RuleFilter(caps: ["CAP_SYS_CHROOT"])),
        SyscallRule(names: ["delete_module", "init_module", "finit_module"], action: allow,
                    includes: RuleFilter(caps: ["CAP_SYS_MODULE"])),
        SyscallRule(names: ["acct"], action: allow, includes: RuleFilter(caps: ["CAP_SYS_PACCT"])),
        SyscallRule(names: ["kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"],
                    action: allow, includes: RuleFilter(caps: ["CAP_SYS_PTRACE"])),
        SyscallRule(names: ["iopl", "ioperm"], action: allow, includes: RuleFilter(caps: ["CAP_SYS_RAWIO"])),
        SyscallRule(names: ["settimeofday", "stime", "clock_settime", "clock_settime64"], action: allow,
                    includes: RuleFilter(caps: ["CAP_SYS_TIME"])),
        SyscallRule(names: ["vhangup"], action: allow, includes: RuleFilter(caps: ["CAP_SYS_TTY_CONFIG"])),
        SyscallRule(names: ["get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"], action: allow,
                    includes: RuleFilter(caps: ["CAP_SYS_NICE"])),
        SyscallRule(names: ["syslog"], action: allow, includes: RuleFilter(caps: ["CAP_SYSLOG"])),
        SyscallRule(names: ["bpf"], action: allow, includes: RuleFilter(caps: ["CAP_BPF"])),
        SyscallRule(names: ["perf_event_open"], action: allow, includes: RuleFilter(caps: ["CAP_PERFMON"])),
    ]

    /// Syscalls only some architectures have (or need), allowed there.
    static let architectureRules: [SyscallRule] = [
        SyscallRule(names: ["sync_file_range2", "swapcontext"], action: allow, includes: RuleFilter(arches: ["ppc64le"])),
        SyscallRule(names: ["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"],
                    action: allow, includes: RuleFilter(arches: ["arm", "arm64"])),
        SyscallRule(names: ["arch_prctl"], action: allow, includes: RuleFilter(arches: ["amd64", "x32"])),
        SyscallRule(names: ["modify_ldt"], action: allow, includes: RuleFilter(arches: ["amd64", "x32", "x86"])),
        SyscallRule(names: ["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"], action: allow,
                    includes: RuleFilter(arches: ["s390", "s390x"])),
        SyscallRule(names: ["riscv_flush_icache"], action: allow, includes: RuleFilter(arches: ["riscv64"])),
    ]

    /// Reading another process's memory or tracing it: allowed without CAP_SYS_PTRACE only from kernel 4.8, whose
    /// ptrace no longer lets a tracee escape seccomp.
    static let ptraceRule = SyscallRule(names: ["process_vm_readv", "process_vm_writev", "ptrace"], action: allow,
                                        includes: RuleFilter(minKernel: "4.8"))

    /// Docker's `archMap`: each native architecture with the sub-architectures its filter also covers.
    public static let archMap: [SeccompProfile.ArchitectureEntry] = [
        .init("SCMP_ARCH_X86_64", ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]),
        .init("SCMP_ARCH_AARCH64", ["SCMP_ARCH_ARM"]),
        .init("SCMP_ARCH_MIPS64", ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]),
        .init("SCMP_ARCH_MIPS64N32", ["SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"]),
        .init("SCMP_ARCH_MIPSEL64", ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"]),
        .init("SCMP_ARCH_MIPSEL64N32", ["SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"]),
        .init("SCMP_ARCH_S390X", ["SCMP_ARCH_S390"]),
        .init("SCMP_ARCH_RISCV64"),
        .init("SCMP_ARCH_LOONGARCH64"),
    ]

    static let allow = "SCMP_ACT_ALLOW"

    /// The whole default profile, rules in Docker's order.
    public static func profile() -> SeccompProfile {
        var rules = [SyscallRule(names: baseNames, action: allow), ptraceRule] + socketRules
        rules += personalityValues.map {
            SyscallRule(names: ["personality"], action: allow, args: [ArgumentCondition(index: 0, value: $0, op: "SCMP_CMP_EQ")])
        }
        rules += architectureRules + capabilityRules
        return SeccompProfile(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1, archMap: archMap, syscalls: rules)
    }
}
