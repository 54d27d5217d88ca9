#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One child process, spawned the one way the project spawns anything: in a session or process group of its own,
/// with close-on-exec pipes for stdin (a ``PipeWriter``), stdout and stderr, default signal dispositions, and a
/// supervision tag in its environment that its descendants inherit.
///
/// Its exit is watched by a thread blocked in waitpid(2), so the exit is known the moment it happens even while a
/// descendant still holds its stdout open. ``terminate(grace:)`` runs the kill ladder's signal rungs and then
/// ends everything the child left behind: its group, its session, and any tagged process that escaped both.
public final class ChildProcess: @unchecked Sendable {
    /// The environment variable carrying the supervision tag.
    public static let tagVariable = "CONTSEC_SUPERVISION_TAG"

    public let pid: pid_t
    public let executable: String
    public let stdin: PipeWriter
    public let stdoutFD: Int32
    public let stderrFD: Int32
    public let isolation: SpawnOptions.Isolation
    /// `CONTSEC_SUPERVISION_TAG=<value>` as it appears in /proc/<pid>/environ.
    private let tag: [UInt8]
    /// When the child started, in /proc's clock ticks: older processes are not searched for its tag.
    private let startTime: UInt64
    private let cond = NSCondition()
    private var status: ExitStatus?
    private var exitHandlers: [@Sendable (ExitStatus) -> Void] = []

    private static let ignoreSIGPIPE: Void = {
        // A child that exits early closes its stdin: writing to it must be EPIPE, not the end of this process.
        signal(SIGPIPE, SIG_IGN)
    }()
    private static let counter = Counter()

    public init(_ options: SpawnOptions) throws(SpawnError) {
        _ = Self.ignoreSIGPIPE
        executable = options.executable
        isolation = options.isolation
        let tagValue = "\(getpid())-\(Self.counter.next())-\(UInt32.random(in: 0...UInt32.max))"
        tag = Array("\(Self.tagVariable)=\(tagValue)".utf8)

        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard GNU.pipe2(&inPipe) else { throw SpawnError(path: options.executable, errno: errno) }
        guard GNU.pipe2(&outPipe) else {
            let e = errno
            Self.closeAll(inPipe)
            throw SpawnError(path: options.executable, errno: e)
        }
        guard GNU.pipe2(&errPipe) else {
            let e = errno
            Self.closeAll(inPipe + outPipe)
            throw SpawnError(path: options.executable, errno: e)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        var outputFD: Int32 = -1
        defer { if outputFD >= 0 { Glibc.close(outputFD) } }
        if let outputFile = options.outputFile {
            outputFD = open(outputFile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
            guard outputFD >= 0 else {
                let e = errno
                Self.closeAll(inPipe + outPipe + errPipe)
                throw SpawnError(path: options.executable, errno: e, reason: "cannot open \(outputFile): \(String(cString: strerror(e)))")
            }
            // The pipes' write ends are closed below without being handed on, so their readers see end-of-file at once.
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        }
        var path = options.executable
        if let fd = options.executableDescriptor {
            // dup2 clears close-on-exec on the copy: the kernel (and a script's interpreter) opens the very inode.
            posix_spawn_file_actions_adddup2(&actions, fd, 3)
            path = "/proc/self/fd/3"
        }
        // The child gets stdin, stdout, stderr (and the executable's descriptor) only. Descriptors this process
        // inherited without close-on-exec (a parent's process-exit socket, say) would otherwise live on in whatever
        // the child leaves running — a FUSE daemon — and keep that parent waiting for an end-of-file that never comes.
        GNU.addCloseFrom(&actions, options.executableDescriptor == nil ? 3 : 4)
        if let directory = options.workingDirectory, !GNU.addChdir(&actions, directory) {
            Self.closeAll(inPipe + outPipe + errPipe)
            throw SpawnError(path: options.executable, errno: ENOSYS, reason: "cannot set working directory \(directory)")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default signal dispositions and an empty mask whatever this process has set: a child must not be born
        // ignoring SIGPIPE or SIGTERM.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        switch options.isolation {
        case .session: flags |= GNU.spawnSetSID
        case .processGroup:
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var environment = options.environment ?? ProcessInfo.processInfo.environment
        environment[Self.tagVariable] = tagValue
        let argv = ([options.executable] + options.arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var rc: Int32 = 0
        // Registered before the orphan reaper can see it: its exit status is its watcher's alone.
        let child = OrphanAdoption.spawning { () -> pid_t? in
            var spawned: pid_t = 0
            rc = posix_spawn(&spawned, path, &actions, &attributes, argv, envp)
            return rc == 0 ? spawned : nil
        } ?? 0
        Glibc.close(inPipe[0]); Glibc.close(outPipe[1]); Glibc.close(errPipe[1])
        guard rc == 0 else {
            Self.closeAll([inPipe[1], outPipe[0], errPipe[0]])
            throw SpawnError(path: options.executable, errno: rc)
        }
        pid = child
        stdin = PipeWriter(fd: inPipe[1], queueLimit: options.stdinQueueLimit)
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        startTime = ProcessTable.startTime(of: child)
        let watcher = Thread { [self] in watchExit() }
        watcher.name = "contsec-reaper-\(child)"
        watcher.start()
    }

    private static func closeAll(_ fds: [Int32]) { for fd in fds { Glibc.close(fd) } }

    private func watchExit() {
        var s: Int32 = 0
        while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
        OrphanAdoption.reaped(pid)
        let exit = ExitStatus(waitStatus: s)
        cond.lock()
        status = exit
        let handlers = exitHandlers
        exitHandlers.removeAll()
        cond.broadcast()
        cond.unlock()
        for h in handlers { h(exit) }
    }

    /// Calls `handler` once the child has exited (at once if it already has), on the watcher's thread.
    public func onExit(_ handler: @escaping @Sendable (ExitStatus) -> Void) {
        cond.lock()
        if let status {
            cond.unlock()
            handler(status)
            return
        }
        exitHandlers.append(handler)
        cond.unlock()
    }

    public var exitStatus: ExitStatus? {
        cond.lock(); defer { cond.unlock() }
        return status
    }

    /// Waits until the child has exited or `deadline` passes.
    @discardableResult
    public func waitExit(until deadline: Date) -> ExitStatus? {
        cond.lock(); defer { cond.unlock() }
        while status == nil && cond.waitSafely(until: deadline) {}
        return status
    }

    /// Signals the child's process group (which is its pid in both isolations).
    public func signalGroup(_ sig: Int32) {
        guard !pidReused else { return }
        _ = kill(-pid, sig)
    }

    /// True once the child has been reaped and another process has taken its pid: then the group and session
    /// numbered like it are someone else's (a pid is reused only after its group and session have emptied; with
    /// Linux's default pid_max of 32768 a busy machine wraps in minutes).
    private var pidReused: Bool {
        exitStatus != nil && ProcessTable.startTime(of: pid) != 0
    }

    /// Live processes the child started, still in its group or session, or carrying its tag: not the child itself.
    public func descendants() -> [pid_t] { liveFamily().map(\.pid) }

    /// True while any process the child started is alive.
    public var descendantsAlive: Bool { !descendants().isEmpty }

    private func family(_ table: ProcessTable) -> [ProcessTable.Entry] {
        var seen = Set<pid_t>()
        let related = pidReused ? [] : table.family(of: pid)
        return (related + table.tagged(tag, except: pid, since: startTime)).filter { $0.pid != pid && seen.insert($0.pid).inserted }
    }

    /// The child's live family: a /proc walk of the tree under it and under the orphans of it this process adopted
    /// (``OrphanAdoption``), or, where adoption is off, a scan of every process on the machine.
    private func liveFamily() -> [ProcessTable.Entry] {
        OrphanAdoption.isEnabled ? adoptedFamily() : family(ProcessTable.snapshot())
    }

    /// With adoption on, everything the child started is below it or below one of this process's children: the
    /// orphans it left, recognised by its session, its group or its tag (other children's orphans carry theirs).
    private func adoptedFamily() -> [ProcessTable.Entry] {
        let me = getpid()
        var found: [ProcessTable.Entry] = []
        var seen = Set<pid_t>([pid, me])
        // A process that ends between being listed and being read (a re-forker's incarnation lives ~2 ms) handed its
        // children to this process in that moment: list and walk again until a pass sees nothing end, for half a
        // second at most. A count of passes was not enough: zombies waiting for the reaper can make each pass slow.
        let deadline = Date().addingTimeInterval(0.5)
        while true {
            var vanished = false
            var queue: [pid_t] = pidReused ? [] : OrphanAdoption.children(of: pid)
            // Newest first: orphans are appended as they are adopted, and a re-forker's live incarnation is the last.
            for candidate in OrphanAdoption.children(of: me).reversed() where !seen.contains(candidate) && !OrphanAdoption.isWatched(candidate) {
                guard let e = ProcessTable.entry(of: candidate) else {
                    // Ended: reaped here if no one waits for it, so a pile of zombies cannot slow the next look.
                    OrphanAdoption.reapIfAdopted(candidate)
                    vanished = true
                    continue
                }
                var ours = e.pgrp == pid || e.session == pid
                if !ours {
                    // An exiting process's environment is gone before it turns zombie: undecided, so look again.
                    switch ProcessTable.carries(tag, candidate) {
                    case true?: ours = true
                    case false?: break
                    case nil: vanished = true
                    }
                }
                if ours { queue.append(candidate) }
            }
            while let next = queue.popLast() {
                guard !seen.contains(next) else { continue }
                guard let e = ProcessTable.entry(of: next) else { vanished = true; continue }
                seen.insert(next)
                found.append(e)
                queue += OrphanAdoption.children(of: next)
            }
            if !vanished || Date() > deadline { break }
        }
        return found
    }

    /// What ``terminate(grace:)`` had to do.
    public struct Cleanup: Sendable {
        /// "SIGTERM" or "SIGKILL" when the child itself needed it.
        public var signal: String?
        /// Processes that had left the child's group and session (setsid, double fork) and were still alive:
        /// "pid 1234 (sleep)". The protocol forbids them; callers warn.
        public var escaped: [String] = []
    }

    /// The kill ladder's signal rungs for the child (SIGTERM to its group, `grace`, SIGKILL), then everything it
    /// left: its group and session get SIGTERM and, after at most `grace` (1 s at most), SIGKILL; processes that
    /// escaped both but carry the child's tag get SIGKILL at once, repeatedly, until none is left (a process that
    /// keeps forking cannot outrun it: each new fork inherits the tag).
    @discardableResult
    public func terminate(grace: TimeInterval) -> Cleanup {
        var cleanup = Cleanup()
        if exitStatus == nil {
            signalGroup(SIGTERM)
            cleanup.signal = "SIGTERM"
            if waitExit(until: Date().addingTimeInterval(grace)) == nil {
                signalGroup(SIGKILL)
                cleanup.signal = "SIGKILL"
                waitExit(until: Date().addingTimeInterval(5))
            }
        }
        var left = liveFamily()
        let session = isolation == .session ? pid : getsid(0)
        let escaped = left.filter { $0.pgrp != pid && $0.session != session }
        cleanup.escaped = escaped.prefix(20).map { "pid \($0.pid) (\($0.comm))" }
        // Escaped processes go at once, before they can fork again; the group and session get a chance to stop.
        for e in escaped { killEscaped(e) }
        if left.count > escaped.count {
            signalGroup(SIGTERM)
            for e in left where e.pgrp == pid || e.session == pid { kill(e.pid, SIGTERM) }
            let end = Date().addingTimeInterval(min(grace, 1))
            while !left.isEmpty && Date() < end {
                usleep(20_000)
                left = liveFamily()
            }
        }
        let end = Date().addingTimeInterval(5)
        while !left.isEmpty && Date() < end {
            signalGroup(SIGKILL)
            for e in left { killEscaped(e) }
            usleep(20_000)
            left = liveFamily()
        }
        return cleanup
    }

    /// SIGKILL for a process the child left behind and, when it made a group of its own outside our session
    /// (setsid), for that whole group: one kill(2) reaches every member at once, so a process that forks and
    /// exits every few milliseconds cannot slip between reading /proc and signalling a pid that is already gone.
    private func killEscaped(_ e: ProcessTable.Entry) {
        kill(e.pid, SIGKILL)
        if e.pgrp > 1, e.pgrp != getpgrp(), e.session != getsid(0), e.pgrp != pid || !pidReused {
            kill(-e.pgrp, SIGKILL)
        }
    }

    deinit {
        Glibc.close(stdoutFD)
        Glibc.close(stderrFD)
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        value += 1
        return value
    }
}
