import Foundation
import Testing
@testable import ContainerKit

@Suite("Docker containers (real engine)", .serialized,
       .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineContainerTests {
    let docker: DockerClient
    typealias Env = DockerTestEnvironment

    init() throws { docker = try Env.client() }

    @Test("negotiates the API version and reads /_ping, /version, /info")
    func system() async throws {
        #expect(try await docker.ping())
        let version = try await docker.version()
        let negotiated = try await docker.apiVersion()
        #expect(negotiated == APIVersion.min(version.apiVersion, DockerClient.maxSupportedAPIVersion))
        let info = try await docker.info()
        #expect(info.driver?.isEmpty == false)
        #expect((info.ncpu ?? 0) >= 1)
        let image = try await docker.inspectImage(Env.image)
        #expect(image.rootFS?.layers?.isEmpty == false, "test image missing layers: run scripts/test-env.sh")
    }

    @Test("keep-alive: sequential requests reuse one connection")
    func connectionReuse() async throws {
        _ = try await docker.ping()
        _ = try await docker.listContainers()
        _ = try await docker.listImages()
        #expect(docker.idleConnectionCount == 1)
    }

    @Test("create, start, inspect, exec, top, diff, logs, stop, wait, remove")
    func lifecycle() async throws {
        let host = HostConfig(capAdd: ["NET_ADMIN"], capDrop: ["MKNOD"], securityOpt: ["no-new-privileges"],
                              memory: 64 << 20, pidsLimit: 64, cpuShares: 512,
                              restartPolicy: RestartPolicy(name: "on-failure", maximumRetryCount: 2),
                              ulimits: [Ulimit(name: "nofile", soft: 1024, hard: 2048)])
        try await Env.withContainer(docker, command: ["sh", "-c", "echo hello-log; echo oops >&2; exec sleep 300"],
                                    hostConfig: host) { id, name in
            let inspected = try await docker.inspectContainer(name)
            #expect(inspected.id == id)
            #expect(inspected.state.running)
            #expect(inspected.state.pid ?? 0 > 0)
            #expect(inspected.hostConfig.capAdd == ["NET_ADMIN"])
            #expect(inspected.hostConfig.capDrop == ["MKNOD"])
            #expect(inspected.hostConfig.securityOpt == ["no-new-privileges"])
            #expect(inspected.hostConfig.memory == 64 << 20)
            #expect(inspected.hostConfig.pidsLimit == 64)
            #expect(inspected.hostConfig.cpuShares == 512)
            #expect(inspected.hostConfig.restartPolicy?.name == "on-failure")
            #expect(inspected.hostConfig.ulimits?.first?.hard == 2048)
            #expect(inspected.hostConfig.privileged == false)
            #expect(inspected.config.image == Env.image)

            let listed = try await docker.listContainers(filters: ["name": [name]])
            #expect(listed.map(\.id) == [id])

            let result = try await docker.exec(id, ExecOptions(["sh", "-c", "echo out; echo err >&2; exit 3"]))
            #expect(result.exitCode == 3)
            #expect(result.stdoutText == "out\n")
            #expect(result.stderrText == "err\n")

            let passwd = try await docker.exec(id, ExecOptions(["cat", "/etc/passwd"], user: "nobody"))
            #expect(passwd.exitCode == 0)
            #expect(passwd.stdoutText.contains("nobody:x:65534"))
            // The finished session can still be inspected: who ran what, with which privileges.
            let session = try await docker.inspectExec(passwd.execID)
            #expect(session.containerID == id)
            #expect(!session.running)
            #expect(session.exitCode == 0)
            #expect(session.processConfig?.user == "nobody")
            #expect(session.processConfig?.privileged == false)
            #expect(session.processConfig?.entrypoint == "cat")

            // Effect on the container: a file created by exec shows in the filesystem diff.
            let touched = try await docker.exec(id, ExecOptions(["touch", "/root/contsec-marker"]))
            #expect(touched.exitCode == 0)
            let changes = try await docker.changes(id)
            #expect(changes.contains { $0.path == "/root/contsec-marker" && $0.kind == .added })

            let top = try await docker.top(id)
            #expect(top.processes.contains { $0.joined(separator: " ").contains("sleep 300") })

            var stdout = "", stderr = ""
            for try await chunk in docker.logs(id, options: LogOptions(follow: false)) {
                if chunk.stream == .stderr { stderr += chunk.text } else { stdout += chunk.text }
            }
            #expect(stdout == "hello-log\n")
            #expect(stderr == "oops\n")

            try await docker.stopContainer(id, timeout: 1)
            let stopped = try await docker.inspectContainer(id)
            #expect(!stopped.state.running)
            #expect(stopped.state.status == "exited")
            let waited = try await docker.waitContainer(id)
            #expect(waited.statusCode == stopped.state.exitCode)

            try await docker.removeContainer(id)
            await #expect(throws: DockerError.notFound(kind: .container, name: id)) {
                _ = try await docker.inspectContainer(id)
            }
        }
    }

    @Test("a stats stream yields at least two samples, one-shot stats work")
    func statsStream() async throws {
        try await Env.withContainer(docker) { id, _ in
            let docker = self.docker
            let samples = try await withTimeout(30) {
                var samples: [ContainerStats] = []
                for try await sample in docker.statsStream(id) {
                    samples.append(sample)
                    if samples.count == 2 { break }
                }
                return samples
            }
            #expect(samples.count == 2)
            #expect(samples.allSatisfy { $0.id == id })
            #expect(samples.last?.pidsStats?.current ?? 0 >= 1)
            #expect(samples.last?.memoryStats?.usage ?? 0 > 0)
            let single = try await docker.stats(id)
            #expect(single.cpuStats?.cpuUsage?.totalUsage ?? 0 > 0)
        }
    }

    @Test("followed logs arrive while the container is still running")
    func logsFollowIncrementally() async throws {
        try await Env.withContainer(docker, command: ["sh", "-c", "echo first; sleep 3; echo second >&2"]) { id, _ in
            let docker = self.docker
            let arrivals = try await withTimeout(30) { () -> [(String, Date)] in
                var arrivals: [(String, Date)] = []
                for try await chunk in docker.logs(id, options: LogOptions(follow: true)) {
                    arrivals.append(("\(chunk.stream):\(chunk.text)", Date()))
                }
                return arrivals
            }
            #expect(arrivals.map(\.0) == ["stdout:first\n", "stderr:second\n"])
            if arrivals.count == 2 {
                #expect(arrivals[1].1.timeIntervalSince(arrivals[0].1) > 1, "first line should arrive before the container ends")
            }
        }
    }

    @Test("copy a tar into a container and a path back out")
    func copyInAndOut() async throws {
        let workspace = NSTemporaryDirectory() + Env.uniqueName("copy")
        try FileManager.default.createDirectory(atPath: workspace + "/in", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Data("copied in\n".utf8).write(to: URL(fileURLWithPath: workspace + "/in/note.txt"))
        _ = try await ToolRunner().run("tar", ["-C", workspace + "/in", "-cf", workspace + "/in.tar", "note.txt"]).checked()

        try await Env.withContainer(docker) { id, _ in
            let tar = try FileHandle(forReadingFrom: URL(fileURLWithPath: workspace + "/in.tar"))
            defer { try? tar.close() }
            try await docker.copyIn(id, path: "/tmp", tar: tar)
            #expect(try await docker.exec(id, ExecOptions(["cat", "/tmp/note.txt"])).stdoutText == "copied in\n")

            final class Collector: @unchecked Sendable {
                var data = Data()
            }
            let collector = Collector()
            try await docker.copyOut(id, path: "/etc/passwd") { collector.data.append($0) }
            let entries = try TarReader.entries(collector.data)
            #expect(entries.map(\.name) == ["passwd"])
            let passwd = String(decoding: entries.first?.data ?? Data(), as: UTF8.self)
            #expect(passwd.contains("nobody:x:65534"))

            // A missing path is the daemon's 404 about the file, not "no such container".
            do {
                try await docker.copyOut(id, path: "/no/such/file") { _ in }
                Issue.record("copying a missing path should fail")
            } catch let error as DockerError {
                guard case .daemon(404, let message) = error else {
                    Issue.record("expected the daemon's 404, got \(error)")
                    return
                }
                #expect(message.contains("/no/such/file"))
            }
        }
    }

    @Test("logs of a TTY container are detected as unframed output")
    func ttyLogs() async throws {
        let name = Env.uniqueName("tty")
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: Env.image, cmd: ["sh", "-c", "echo on-a-tty"], tty: true)))
        do {
            try await docker.startContainer(created.id)
            _ = try await docker.waitContainer(created.id)
            var text = ""
            for try await chunk in docker.logs(created.id) {
                #expect(chunk.stream == .stdout)
                text += chunk.text
            }
            #expect(text == "on-a-tty\r\n")
        } catch {
            try? await docker.removeContainer(created.id, force: true)
            throw error
        }
        try await docker.removeContainer(created.id, force: true)
    }

    @Test("the events stream sees a container start")
    func eventsSeeStart() async throws {
        let since = Int(Date().timeIntervalSince1970) - 1
        let docker = self.docker
        try await Env.withContainer(docker, start: false) { id, _ in
            let filters = EventFilters(since: since, until: since + 40,
                                       filters: ["type": ["container"], "event": ["start"], "container": [id]])
            let stream = docker.events(filters)
            try await docker.startContainer(id)
            let event = try await withTimeout(30) { () -> DockerEvent? in
                for try await event in stream where event.actor?.id == id { return event }
                return nil
            }
            #expect(event?.action == "start")
            #expect(event?.type == "container")
            #expect(event?.actor?.attributes?["image"] == Env.image)
        }
    }

    @Test("unknown container: 'no such container' with the name")
    func unknownContainer() async throws {
        let name = Env.uniqueName("missing")
        do {
            _ = try await docker.inspectContainer(name)
            Issue.record("inspect of \(name) should have failed")
        } catch let error as DockerError {
            #expect(error == .notFound(kind: .container, name: name))
            #expect(error.description == "no such container: \(name)")
        }
        await #expect(throws: DockerError.notFound(kind: .container, name: name)) {
            try await docker.startContainer(name)
        }
        // A 404 about the image on create names the image, not a container.
        await #expect(throws: DockerError.notFound(kind: .image, name: "contsec-test/absent:1")) {
            _ = try await docker.createContainer(ContainerCreateOptions(config: ContainerConfig(image: "contsec-test/absent:1")))
        }
    }
}
