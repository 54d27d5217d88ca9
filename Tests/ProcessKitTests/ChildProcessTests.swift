#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ProcessKit

/// Live processes whose environment holds `CONTSEC_TEST_TAG=<tag>`: everything one test started, wherever it went.
func processes(taggedWith tag: String) -> [pid_t] {
    ProcessTable.snapshot().tagged(Array("CONTSEC_TEST_TAG=\(tag)".utf8), except: getpid()).map(\.pid)
}

func spawnShell(_ script: String, tag: String = UUID().uuidString, isolation: SpawnOptions.Isolation = .session) throws -> ChildProcess {
    var env = ProcessInfo.processInfo.environment
    env["CONTSEC_TEST_TAG"] = tag
    return try ChildProcess(SpawnOptions(executable: "/bin/sh", arguments: ["-c", script], environment: env, isolation: isolation))
}

/// Reads a pipe to EOF on a thread of its own, within `timeout`.
func readAll(_ fd: Int32, timeout: TimeInterval = 10) -> String {
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 100) > 0 else { continue }
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        out += chunk[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}

@Suite("Child processes")
struct ChildProcessTests {
    @Test("writing to a child that never reads its stdin never blocks")
    func writesNeverBlock() throws {
        let child = try spawnShell("exec sleep 30")
        defer { child.terminate(grace: 0.2) }
        let frame = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000) + [0x0A]
        let started = Date()
        var outcomes: [PipeWriter.Outcome] = []
        for _ in 0..<10 { outcomes.append(child.stdin.send(frame)) }
        // The pipe takes 64 KiB, the queue one more frame up to its 1 MiB limit; the rest is refused, at once.
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(outcomes.first == .accepted)
        #expect(outcomes.contains(.full))
        #expect(child.stdin.pendingBytes <= child.stdin.queueLimit + frame.count)
    }

    @Test("queued frames reach a child that reads late, whole and in order")
    func queuedFramesArrive() throws {
        let child = try spawnShell("sleep 0.5; exec wc -l")
        let frame = [UInt8](repeating: UInt8(ascii: "y"), count: 100_000) + [0x0A]
        for _ in 0..<5 { #expect(child.stdin.send(frame) == .accepted) }
        child.stdin.finish()
        #expect(readAll(child.stdoutFD).trimmingCharacters(in: .whitespacesAndNewlines) == "5")
        #expect(child.waitExit(until: Date().addingTimeInterval(10)) == .exited(0))
    }

    @Test("the exit is seen while a grandchild still holds stdout")
    func exitSeenDespiteOpenStdout() throws {
        let child = try spawnShell("sleep 30 & exit 3")
        defer { child.terminate(grace: 0.2) }
        let started = Date()
        #expect(child.waitExit(until: Date().addingTimeInterval(10)) == .exited(3))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test("a setsid grandchild is found, reported as escaped and killed")
    func setsidGrandchildIsKilled() throws {
        let tag = UUID().uuidString
        let child = try spawnShell("setsid sleep 60 & sleep 0.3; exit 0", tag: tag)
        #expect(child.waitExit(until: Date().addingTimeInterval(10)) == .exited(0))
        #expect(!processes(taggedWith: tag).isEmpty)
        let cleanup = child.terminate(grace: 0.5)
        #expect(cleanup.escaped.count == 1)
        #expect(cleanup.escaped.first?.contains("sleep") == true)
        #expect(processes(taggedWith: tag).isEmpty)
    }

    @Test("a grandchild that keeps re-forking: the sweep's known limit, and nothing of it left after the test", arguments: 0..<5)
    func reforkingGrandchildIsKilled(round: Int) throws {
        let tag = UUID().uuidString
        let sidFile = NSTemporaryDirectory() + "processkit-sid-\(tag)"
        defer { try? FileManager.default.removeItem(atPath: sidFile) }
        // A detached process that forks and lets its parent exit, over and over: its pid changes every few ms. Its
        // session id does not (every fork inherits it), so the test counts what is left by session, not by pid or
        // tag, which a re-forker outruns as easily as a cleanup that looks for it that way.
        let python = "import os,time\nos.setsid()\nopen(\"\(sidFile)\", \"w\").write(str(os.getsid(0)))\n"
            + "while True:\n    if os.fork(): os._exit(0)\n    time.sleep(0.002)"
        let child = try spawnShell("python3 -c '\(python)' & sleep 0.3; exit 0", tag: tag)
        #expect(child.waitExit(until: Date().addingTimeInterval(10)) == .exited(0))
        // python3 may be a pyenv shim that takes a while to start: wait for the re-forker to say it runs.
        var sid: pid_t = 0
        let started = Date().addingTimeInterval(20)
        while sid <= 1 && Date() < started {
            sid = (try? String(contentsOfFile: sidFile, encoding: .utf8)).flatMap { pid_t($0) } ?? 0
            if sid <= 1 { usleep(20_000) }
        }
        #expect(sid > 1, "the re-forker did not start")
        // kill(-sid, 0) asks the kernel whether the group (= the session the re-forker made) has any member left:
        // no scan of /proc, so no race with the forks.
        func running() -> Bool { sid > 1 && kill(-sid, 0) == 0 }
        #expect(running(), "round \(round): the re-forker was not running before the cleanup")
        child.terminate(grace: 0.5)
        usleep(200_000)
        // Known limit of the /proc sweep, which this test process uses (it also starts children through Foundation's
        // Process, so it cannot adopt orphans): each incarnation lives about 2 ms, less than a scan of /proc takes,
        // so the sweep rarely sees one and cannot kill its group. The contsec CLI adopts orphans (OrphanAdoption)
        // and does end it: HostilePluginTests.reforkingGrandchildIsKilled. The old form of this test looked for
        // survivors by tag, through the same kind of scan, and so passed while the re-forker ran on after the test.
        withKnownIssue("a process that re-forks every 2 ms outruns the /proc sweep", isIntermittent: true) {
            #expect(!running(), "round \(round): the re-forker outran the cleanup")
        }
        // Whatever the assertion said, nothing may outlive the test: a re-forker left running burns a pid every
        // 2 ms and wraps the pid space within a minute. Its session is its group, which goes in one kill(2).
        if sid > 1 { kill(-sid, SIGKILL) }
    }

    @Test("children(of:) lists a process's children from /proc, the list adoption's tree walk is made of")
    func childrenListing() throws {
        let child = try spawnShell("exec sleep 30")
        defer { child.terminate(grace: 0.2) }
        #expect(OrphanAdoption.children(of: getpid()).contains(child.pid))
        #expect(OrphanAdoption.children(of: child.pid).isEmpty)
        let parent = try spawnShell("sleep 30 & wait")
        defer { parent.terminate(grace: 0.2) }
        var grandchildren: [pid_t] = []
        for _ in 0..<100 where grandchildren.isEmpty {
            usleep(20_000)
            grandchildren = OrphanAdoption.children(of: parent.pid)
        }
        #expect(grandchildren.count == 1)
        #expect(grandchildren.first.flatMap { ProcessTable.entry(of: $0) }?.comm == "sleep")
    }

    @Test("the kill ladder ends a child that ignores SIGTERM, and its group")
    func ladderEndsStubbornChild() throws {
        let tag = UUID().uuidString
        let child = try spawnShell("trap '' TERM; sleep 60 & while :; do sleep 1; done", tag: tag)
        usleep(200_000)
        let cleanup = child.terminate(grace: 0.3)
        #expect(cleanup.signal == "SIGKILL")
        #expect(child.exitStatus == .signaled(SIGKILL))
        #expect(processes(taggedWith: tag).isEmpty)
    }

    @Test("an executable descriptor runs the inode that was opened, whatever the path points to later")
    func descriptorRunsTheOpenedInode() throws {
        let dir = NSTemporaryDirectory() + "processkit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/tool"
        try "#!/bin/sh\necho verified\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o755)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        #expect(fd >= 0)
        defer { close(fd) }
        // Another file is renamed onto the path after the check.
        try "#!/bin/sh\necho swapped\n".write(toFile: dir + "/other", atomically: false, encoding: .utf8)
        chmod(dir + "/other", 0o755)
        #expect(rename(dir + "/other", path) == 0)
        let child = try ChildProcess(SpawnOptions(executable: path, executableDescriptor: fd))
        child.stdin.close()
        #expect(readAll(child.stdoutFD) == "verified\n")
        #expect(child.waitExit(until: Date().addingTimeInterval(10)) == .exited(0))
    }
}
