#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How a plugin process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)

    init(waitStatus s: Int32) {
        if s & 0x7F == 0 { self = .exited((s >> 8) & 0xFF) } else { self = .signaled(s & 0x7F) }
    }

    public var description: String {
        switch self {
        case .exited(let c): return "exited with status \(c)"
        case .signaled(let s): return "killed by signal \(s) (\(Self.signalName(s)))"
        }
    }

    static func signalName(_ s: Int32) -> String {
        let names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
                                      SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
                                      SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV", SIGPIPE: "SIGPIPE", SIGTERM: "SIGTERM"]
        return names[s] ?? "signal \(s)"
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public var description: String { "cannot start \(path): \(String(cString: strerror(errno)))" }
}

// pipe2 is not in Swift's Glibc module map. Atomic close-on-exec matters: with plugins started in parallel, a
// pipe end leaked into a sibling would keep its EOF from ever arriving.
@_silgen_name("pipe2")
private func c_pipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32

private func cloexecPipe(_ fds: inout [Int32]) -> Bool {
    fds.withUnsafeMutableBufferPointer { c_pipe2($0.baseAddress!, O_CLOEXEC) } == 0
}

/// glibc's POSIX_SPAWN_SETSID (2.26+), which Swift's Glibc module does not export.
private let spawnSetSID: Int32 = 0x80

/// A running plugin: its pid (= its session and process group id), pipe ends, and a reaper that records its exit.
///
/// Each plugin starts a session of its own, not just a process group: tools a plugin runs often get process
/// groups of their own (Foundation's `Process` does that, so does a careful tool runner), but they stay in the
/// plugin's session, so the host can find and end every one of them.
final class PluginProcess: @unchecked Sendable {
    let pid: pid_t
    let path: String
    private(set) var stdinFD: Int32
    let stdoutFD: Int32
    let stderrFD: Int32
    private let cond = NSCondition()
    private var status: ExitStatus?

    init(path: String, arguments: [String] = [], environment: [String: String]) throws {
        // A plugin that dies early closes its stdin pipe; writing to it must be an error we report, not a
        // SIGPIPE that kills the host.
        signal(SIGPIPE, SIG_IGN)
        self.path = path
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard cloexecPipe(&inPipe), cloexecPipe(&outPipe), cloexecPipe(&errPipe) else {
            throw SpawnError(path: path, errno: errno)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own session (and so own process group); default signal dispositions and an empty mask whatever the host has set.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setflags(&attr, Int16(spawnSetSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, &attr, argv, envp)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw SpawnError(path: path, errno: rc)
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        let reaper = Thread { [self] in
            var s: Int32 = 0
            while waitpid(pid, &s, 0) < 0 && errno == EINTR {}
            cond.lock()
            status = ExitStatus(waitStatus: s)
            cond.broadcast()
            cond.unlock()
        }
        reaper.name = "contsec-reaper-\(child)"
        reaper.start()
    }

    /// Writes a whole frame to the plugin's stdin. False if the plugin no longer reads (pipe closed).
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        cond.lock()
        let fd = stdinFD
        cond.unlock()
        guard fd >= 0 else { return false }
        return bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
    }

    func closeStdin() {
        cond.lock()
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
        cond.unlock()
    }

    var exitStatus: ExitStatus? {
        cond.lock(); defer { cond.unlock() }
        return status
    }

    /// Waits until the process has exited or `deadline` passes.
    @discardableResult
    func waitExit(until deadline: Date) -> ExitStatus? {
        cond.lock(); defer { cond.unlock() }
        while status == nil && cond.wait(until: deadline) {}
        return status
    }

    func signalGroup(_ sig: Int32) {
        _ = kill(-pid, sig)
    }

    /// Live processes of the plugin's session other than the plugin itself, from /proc.
    func sessionMembers() -> [pid_t] {
        guard let dir = opendir("/proc") else { return [] }
        defer { closedir(dir) }
        var found: [pid_t] = []
        var buf = [UInt8](repeating: 0, count: 512)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let p = pid_t(name), p != pid else { continue }
            let fd = open("/proc/\(name)/stat", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard n > 0, let close = buf[0..<n].lastIndex(of: UInt8(ascii: ")")) else { continue }
            // After "(comm)": state ppid pgrp session ...
            let fields = buf[(close + 2)..<n].split(separator: UInt8(ascii: " "), maxSplits: 5)
            guard fields.count >= 4, fields[0].first != UInt8(ascii: "Z"),
                  let session = pid_t(String(decoding: fields[3], as: UTF8.self)), session == pid else { continue }
            found.append(p)
        }
        return found
    }

    private func signalSession(_ sig: Int32) -> Bool {
        signalGroup(sig)
        let members = sessionMembers()
        for m in members { kill(m, sig) }
        return !members.isEmpty || kill(-pid, 0) == 0
    }

    /// True while any process the plugin started (in its session) is alive.
    var groupAlive: Bool { kill(-pid, 0) == 0 || !sessionMembers().isEmpty }

    /// The kill ladder's last two rungs, then the group's stragglers: SIGTERM, wait, SIGKILL.
    /// Returns what was needed, for the failure report.
    @discardableResult
    func terminateGroup(grace: TimeInterval) -> String? {
        var used: String?
        if exitStatus == nil {
            signalGroup(SIGTERM)
            used = "SIGTERM"
            if waitExit(until: Date().addingTimeInterval(grace)) == nil {
                signalGroup(SIGKILL)
                used = "SIGKILL"
                waitExit(until: Date().addingTimeInterval(5))
            }
        }
        // The plugin is gone; anything left in its session (a scanner it started) goes too: no orphans.
        if signalSession(SIGTERM) {
            let end = Date().addingTimeInterval(min(grace, 1))
            while groupAlive && Date() < end { usleep(10_000) }
            if groupAlive { _ = signalSession(SIGKILL) }
        }
        return used
    }

    deinit {
        if stdinFD >= 0 { close(stdinFD) }
        close(stdoutFD)
        close(stderrFD)
    }
}
