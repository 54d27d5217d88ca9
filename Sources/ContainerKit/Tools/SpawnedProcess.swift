import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the first and last `cap/2` bytes of a stream and counts what fell in between.
struct CappedBuffer {
    let cap: Int
    private(set) var head = Data()
    private(set) var tail = Data()
    private(set) var dropped = 0

    init(cap: Int) { self.cap = max(cap, 2) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var bytes = bytes[...]
        let headRoom = cap / 2 - head.count
        if headRoom > 0 {
            let take = min(headRoom, bytes.count)
            head.append(contentsOf: bytes.prefix(take))
            bytes = bytes.dropFirst(take)
        }
        if bytes.isEmpty { return }
        tail.append(contentsOf: bytes)
        let tailCap = cap - cap / 2
        if tail.count > tailCap * 2 { trim(to: tailCap) }
    }

    private mutating func trim(to size: Int) {
        if tail.count > size {
            dropped += tail.count - size
            tail = Data(tail.suffix(size))
        }
    }

    mutating func finish() -> (Data, Int) {
        trim(to: cap - cap / 2)
        return (head + tail, dropped)
    }
}

/// glibc functions Swift's Glibc module hides behind _GNU_SOURCE, looked up at run time.
private enum GNU {
    private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let pipe2Function: Pipe2? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }
    private static let addChdirFunction: AddChdir? =
        dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: AddChdir.self) }
    private static let spawnLock = NSLock()

    /// A close-on-exec pipe, made atomically so a concurrent spawn elsewhere cannot inherit it and hold it open.
    static func pipe2(_ fds: inout [Int32]) -> Bool {
        if let pipe2Function { return fds.withUnsafeMutableBufferPointer { pipe2Function($0.baseAddress!, O_CLOEXEC) } == 0 }
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    static func addChdir(_ actions: inout posix_spawn_file_actions_t, _ directory: String) -> Bool {
        guard let addChdirFunction else { return false }
        return addChdirFunction(&actions, directory) == 0
    }
}

/// One child process started with posix_spawn in a new process group, with pipes for stdin, stdout and stderr.
final class SpawnedProcess: @unchecked Sendable {
    let executable: String
    let arguments: [String]
    let options: ToolRunOptions
    let pid: pid_t
    private let stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    private let started = Date()
    private let lock = NSLock()
    private var exited = false
    private var timedOut = false

    private static let ignoreSIGPIPE: Void = {
        // Writing stdin to a child that exited early must be an EPIPE error, not the end of this process.
        signal(SIGPIPE, SIG_IGN)
    }()

    init(executable: String, arguments: [String], options: ToolRunOptions) throws {
        _ = Self.ignoreSIGPIPE
        self.executable = executable
        self.arguments = arguments
        self.options = options

        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard GNU.pipe2(&inPipe), GNU.pipe2(&outPipe), GNU.pipe2(&errPipe) else {
            throw ToolError.spawnFailed(tool: executable, reason: "pipe: \(String(cString: strerror(errno)))")
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        var outputFD: Int32 = -1
        defer { if outputFD >= 0 { close(outputFD) } }
        if let outputFile = options.outputFile {
            outputFD = open(outputFile, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
            guard outputFD >= 0 else {
                let reason = String(cString: strerror(errno))
                [inPipe, outPipe, errPipe].joined().forEach { close($0) }
                throw ToolError.spawnFailed(tool: executable, reason: "cannot open \(outputFile): \(reason)")
            }
            // The pipes' write ends are closed below without being handed on, so the readers see end-of-file at once.
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        } else {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        }
        if let directory = options.workingDirectory {
            guard GNU.addChdir(&actions, directory) else {
                throw ToolError.spawnFailed(tool: executable, reason: "cannot set working directory \(directory)")
            }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Own process group (pgid = pid) so a timeout can signal the tool and everything it started;
        // default signal dispositions and an empty mask so the tool is not born ignoring SIGPIPE or SIGTERM.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        var environmentMap = options.environment
        if !options.environmentOverrides.isEmpty {
            environmentMap = (environmentMap ?? ProcessInfo.processInfo.environment)
                .merging(options.environmentOverrides) { _, override in override }
        }
        let environment = environmentMap.map { $0.map { "\($0.key)=\($0.value)" } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup($0) } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }

        var child: pid_t = 0
        let result: Int32
        if let envp {
            result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        }
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard result == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw ToolError.spawnFailed(tool: executable, reason: String(cString: strerror(result)))
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
    }

    /// Signals the whole process group (no-op once it is gone).
    func killGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// Feeds stdin, drains both outputs concurrently, enforces the timeout, reaps the child. Blocks.
    func waitForCompletion(onLine: (@Sendable (String) -> Void)?, onStderrLine: (@Sendable (String) -> Void)? = nil) -> ToolResult {
        let group = DispatchGroup()
        let cap = options.outputCap
        nonisolated(unsafe) var stdoutResult = (Data(), 0)
        nonisolated(unsafe) var stderrResult = (Data(), 0)
        let outFD = stdoutFD, errFD = stderrFD

        startThread(group) { [self] in stdoutResult = drain(outFD, cap: cap, onLine: onLine) }
        startThread(group) { [self] in stderrResult = drain(errFD, cap: cap, onLine: onStderrLine) }
        let inFD = stdinFD
        let input = options.stdin
        startThread(group) {
            if let input { Self.writeAll(inFD, input) }
            close(inFD)
        }

        if let timeout = options.timeout {
            let grace = options.killGrace
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                guard markTimedOutIfRunning() else { return }
                killGroup(SIGTERM)
                DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
                    if isRunning { killGroup(SIGKILL) }
                }
            }
        }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.lock()
        exited = true
        let didTimeOut = timedOut
        lock.unlock()
        // Leftover members of the group (background children) would otherwise hold the pipes open forever.
        if options.killGroupOnExit || didTimeOut { killGroup(SIGKILL) }
        // A process that left the group (setsid, a daemonizing tool) may keep the pipes open forever:
        // read what is there for a short while after the exit, then stop waiting for end-of-file.
        lock.lock()
        drainDeadline = Date().addingTimeInterval(Self.drainGrace)
        lock.unlock()
        group.wait()
        close(outFD)
        close(errFD)

        // WIFEXITED / WTERMSIG are macros, so decode the wait status by hand.
        let termination: Termination = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .signaled(status & 0x7f)
        return ToolResult(executable: executable, arguments: arguments, pid: pid, termination: termination,
                          stdout: stdoutResult.0, stderr: stderrResult.0, stdoutDropped: stdoutResult.1,
                          stderrDropped: stderrResult.1, timedOut: didTimeOut, duration: Date().timeIntervalSince(started))
    }

    /// Set once the child exited: readers give up on end-of-file after this moment.
    private var drainDeadline: Date?
    private static let drainGrace: TimeInterval = 2

    private var readersShouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return drainDeadline.map { Date() >= $0 } ?? false
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return !exited }

    private func markTimedOutIfRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if exited { return false }
        timedOut = true
        return true
    }

    private func startThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        Thread {
            body()
            group.leave()
        }.start()
    }

    private static func writeAll(_ fd: Int32, _ data: Data) {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return } // EPIPE: the tool stopped reading
                offset += n
            }
        }
    }

    private func drain(_ fd: Int32, cap: Int, onLine: (@Sendable (String) -> Void)?) -> (Data, Int) {
        var buffer = CappedBuffer(cap: cap)
        var pendingLine = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // poll with a short timeout so the reader can notice the post-exit deadline.
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready < 0 { if errno == EINTR { continue }; break }
            if ready == 0 {
                if readersShouldStop { break }
                continue
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            chunk.withUnsafeBytes { buffer.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            if let onLine {
                pendingLine.append(contentsOf: chunk[0..<n])
                while let newline = pendingLine.firstIndex(of: 0x0A) {
                    var line = pendingLine[pendingLine.startIndex..<newline]
                    if line.last == 0x0D { line = line.dropLast() }
                    onLine(String(decoding: line, as: UTF8.self))
                    pendingLine.removeSubrange(pendingLine.startIndex...newline)
                }
                // A line longer than the cap is delivered in pieces rather than held without bound.
                if pendingLine.count > cap {
                    onLine(String(decoding: pendingLine, as: UTF8.self))
                    pendingLine.removeAll()
                }
            }
        }
        if let onLine, !pendingLine.isEmpty { onLine(String(decoding: pendingLine, as: UTF8.self)) }
        return buffer.finish()
    }
}
