import Foundation
import Testing
@testable import ContainerKit
@testable import ContsecProtocol
@testable import Observability

final class FindingLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(Date, Finding)] = []
    func add(_ f: Finding) { lock.lock(); items.append((Date(), f)); lock.unlock() }
    func first(_ rule: String, _ container: String) -> Date? {
        lock.lock(); defer { lock.unlock() }
        return items.first { $0.1.ruleId == rule && $0.1.target.name == container }?.0
    }
    var all: [Finding] { lock.lock(); defer { lock.unlock() }; return items.map(\.1) }
}

@Suite("monitor: shell detection")
struct ShellExecTests {
    @Test("shells with a terminal or no command are flagged; scripts and other programs are not")
    func shells() {
        #expect(ShellExec.finding(container: "c", command: "sh", tty: false) != nil)
        #expect(ShellExec.finding(container: "c", command: "/bin/bash -i", tty: true) != nil)
        #expect(ShellExec.finding(container: "c", command: "busybox sh", tty: false) != nil)
        #expect(ShellExec.finding(container: "c", command: "sh -c 'curl -f localhost'", tty: false) == nil)
        #expect(ShellExec.finding(container: "c", command: "cat /etc/hosts", tty: true) == nil)
        #expect(ShellExec.finding(container: "c", command: "busybox ls", tty: false) == nil)
    }
}

@Suite("DockerEngine observability: monitor", .serialized, .enabled(if: ObsTestEnvironment.shouldRun, ObsTestEnvironment.skipReason))
struct DockerEngineMonitorTests {
    @Test("findings within two intervals of a memory hog, an exec'd shell and a host-pid start; cancel stops it at once")
    func monitor() async throws {
        let docker = try ObsTestEnvironment.client()
        var o = Monitor.Options()
        o.interval = 2  // "within two intervals" at any interval; 1 s leaves no room for a loaded 2-core test machine
        o.threshold = 50
        let log = FindingLog()
        let m = Monitor(docker: docker, options: o) { log.add($0) }
        let rounds = FindingLog()
        let task = Task { await m.run { _, _ in rounds.add(RuntimeFindings.oomKilled("tick")) } }
        // Let the monitor connect to /events and take its first sample.
        try await Task.sleep(nanoseconds: 1_500_000_000)

        // 1. A memory hog: 24 MiB into /dev/shm of a 32 MiB container, 2 s after it starts.
        let hog = ["sh", "-c", "sleep 2; dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; sleep 300"]
        let hogName = ObsTestEnvironment.uniqueName("hog")
        try await ObsTestEnvironment.withContainer(docker, command: hog, host: HostConfig(memory: 32 << 20), name: hogName) { hogID, _ in
            // When the hog passes the threshold, as the Engine sees it (dd's own time varies with the machine's load).
            let passed = PassedAt()
            let watching = Task {
                for try await s in docker.statsStream(hogID) {
                    if Double(s.memoryStats?.usage ?? 0) > 0.5 * Double(32 << 20) { passed.set(Date()); break }
                }
            }
            defer { watching.cancel() }
            // 2. A container started in the host's pid namespace.
            try await ObsTestEnvironment.withContainer(docker, host: HostConfig(pidMode: "host")) { _, pidName in
                let pidStarted = Date()
                // 3. A shell exec'd into the hog.
                let execAt = Date()
                _ = try await docker.exec(hogID, ExecOptions(["sh"]))
                for _ in 0..<120 {
                    if log.first("OBS-MEM-001", hogName) != nil && log.first("OBS-EXEC-001", hogName) != nil
                        && log.first("OBS-POSTURE-003", pidName) != nil { break }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
                let interval = o.interval
                let pid = try #require(log.first("OBS-POSTURE-003", pidName), "no host-namespace finding: \(log.all.map(\.ruleId))")
                #expect(pid.timeIntervalSince(pidStarted) <= 2 * interval)
                let exec = try #require(log.first("OBS-EXEC-001", hogName), "no exec finding: \(log.all.map(\.ruleId))")
                #expect(exec.timeIntervalSince(execAt) <= 2 * interval)
                let mem = try #require(log.first("OBS-MEM-001", hogName), "no memory finding: \(log.all.map(\.ruleId))")
                // Within two intervals of the Engine's first reading over the threshold (plus a little scheduling slack).
                let over = try #require(passed.value, "the Engine never saw the hog over the threshold")
                #expect(mem.timeIntervalSince(over) <= 2 * interval + 0.5, "\(mem.timeIntervalSince(over)) s")
            }
        }
        // Reported once each, not once per sample (other suites' containers may be watched too: only the hog counts).
        let memory = log.all.filter { $0.ruleId == "OBS-MEM-001" && $0.target.name == hogName }
        #expect(memory.count == 1, "\(memory.map { $0.message ?? "" })")
        let cancelled = Date()
        task.cancel()
        _ = await task.value
        // "At once" means no waiting for a sampling round or a probe; 10 s leaves room for a loaded machine.
        #expect(Date().timeIntervalSince(cancelled) < 10)
        let after = rounds.all.count
        try await Task.sleep(nanoseconds: UInt64((o.interval + 0.5) * 1e9))
        #expect(rounds.all.count == after, "sampling went on after cancel")
    }
}

final class PassedAt: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Date?
    func set(_ t: Date) { lock.lock(); if time == nil { time = t }; lock.unlock() }
    var value: Date? { lock.lock(); defer { lock.unlock() }; return time }
}
