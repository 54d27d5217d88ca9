import Foundation
import Testing
@testable import ContainerKit
@testable import Observability

/// Threads of process `pid` reading an Engine stream (ContainerKit names them `docker-stream`): each open stats or
/// events stream holds one until its connection is shut. Counted in the plugin's own process, where nothing else runs.
func engineStreamThreads(pid: Int32) -> Int {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.filter { (try? String(contentsOfFile: "/proc/\(pid)/task/\($0)/comm", encoding: .utf8))?.hasPrefix("docker-stream") == true }.count
}

/// Polls `condition` every 100 ms for up to `seconds`.
func eventually(_ seconds: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        try? await Task.sleep(nanoseconds: 100_000_000)
    }
    return await condition()
}

@Suite("DockerEngine observability: live collector", .serialized, .enabled(if: ObsTestEnvironment.shouldRun, ObsTestEnvironment.skipReason))
struct DockerEngineCollectorTests {
    @Test("one stats stream per running container, following start/stop/removal; no stream outlives its container or the run")
    func streamsFollowContainers() async throws {
        let docker = try ObsTestEnvironment.client()
        let names = (0..<3).map { _ in ObsTestEnvironment.uniqueName("live") }
        // Only this test's containers: other suites' containers come and go meanwhile.
        let collector = Collector(docker: docker, selection: ContainerSelection(names))
        let collecting = Task { await collector.run() }
        var ids: [String] = []
        defer {
            collecting.cancel()
            for id in ids { Task { try? await docker.removeContainer(id, force: true) } }
        }
        // Two started before the collector listed, one after (seen through /events).
        for name in names.prefix(2) { ids.append(try await start(docker, name)) }
        let first = await collector.snapshot()
        #expect(first.error == nil)
        ids.append(try await start(docker, names[2]))

        func state() async -> (Snapshot, [String: ContainerSample]) {
            let s = await collector.snapshot()
            return (s, Dictionary(uniqueKeysWithValues: s.containers.map { ($0.name, $0) }))
        }
        let allSampled = await eventually(30) { let (s, byName) = await state(); return s.streams == 3 && names.allSatisfy { byName[$0]?.usage != nil } }
        var now = await state().0
        #expect(allSampled, "\(now.containers.map(\.name)), streams \(now.streams)")
        // Samples keep coming: the counters are read by the Engine about once a second.
        let t0 = await state().1[names[0]]?.usage?.sampledAt
        #expect(await eventually(15) { await state().1[names[0]]?.usage?.sampledAt ?? .distantPast > t0 ?? .distantFuture })

        // Stopped (not removed): dockerd would keep that stream open forever, sending zeros. It must close.
        try await docker.stopContainer(ids[0], timeout: 0)
        // Removed: its entry goes too.
        try await docker.removeContainer(ids[1], force: true)
        let closed = await eventually(30) { let (s, byName) = await state(); return s.streams == 1 && byName.count == 1 && byName[names[2]] != nil }
        now = await state().0
        #expect(closed, "\(now.containers.map(\.name)), streams \(now.streams)")

        // Started again: a new stream, and samples from the new run (its CPU counter starts near zero again).
        try await docker.startContainer(ids[0])
        #expect(await eventually(30) { let (s, byName) = await state(); return s.streams == 2 && byName[names[0]]?.usage != nil })

        // The run ends, and with it every stream (the exporter test counts the reading threads in the plugin process).
        collecting.cancel()
        await collecting.value
        let left = await collector.openStreams
        #expect(left == 0)
    }

    @Test("a restarting container keeps its entry and gets a fresh stream after each start")
    func restartLoop() async throws {
        let docker = try ObsTestEnvironment.client()
        let name = ObsTestEnvironment.uniqueName("restart")
        let collector = Collector(docker: docker, selection: ContainerSelection([name]))
        let collecting = Task { await collector.run() }
        defer { collecting.cancel() }
        // Exits after a second, restarted by the Engine (with its growing back-off).
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: ObsTestEnvironment.image, cmd: ["sleep", "1"], labels: ["contsec-test": "1"]),
            hostConfig: HostConfig(restartPolicy: RestartPolicy(name: "always"))))
        defer { Task { try? await docker.removeContainer(created.id, force: true) } }
        try await docker.startContainer(created.id)
        let restarted = await eventually(15) { (await collector.snapshot()).containers.first?.restartCount ?? 0 >= 2 }
        let seen = await collector.snapshot().containers.first?.restartCount ?? -1
        #expect(restarted, "restarts seen: \(seen)")
        let streams = await collector.openStreams
        #expect(streams <= 1)
    }

    private func start(_ docker: DockerClient, _ name: String) async throws -> String {
        let c = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: ObsTestEnvironment.image, cmd: ["sleep", "300"], labels: ["contsec-test": "1"])))
        try await docker.startContainer(c.id)
        return c.id
    }
}
