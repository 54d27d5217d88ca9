import Foundation
import Testing
@testable import ContainerKit
@testable import ContsecProtocol
@testable import Observability

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func listening(_ port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var sa = sockaddr_in()
    sa.sin_family = sa_family_t(AF_INET)
    sa.sin_port = port.bigEndian
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr)
    return withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
}

/// exporter, monitor and dashboard are long-running (protocol 1.1): through the real `contsec`, Ctrl-C is their
/// normal end, and nothing of them is left afterwards.
@Suite("DockerEngine observability: long-running commands through contsec", .serialized,
       .enabled(if: ObsTestEnvironment.shouldRun, ObsTestEnvironment.skipReason))
struct DockerEngineLongRunningTests {
    @Test("exporter: one stream thread per running container while it serves; Ctrl-C ends it with its summary, port closed, no process left")
    func exporterCtrlC() async throws {
        let docker = try ObsTestEnvironment.client()
        let workspace = try tempDir("lr-exporter")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let names = (0..<3).map { _ in ObsTestEnvironment.uniqueName("exp") }
        var ids: [String] = []
        defer { for id in ids { Task { try? await docker.removeContainer(id, force: true) } } }
        for name in names {
            let c = try await docker.createContainer(name: name, ContainerCreateOptions(
                config: ContainerConfig(image: ObsTestEnvironment.image, cmd: ["sleep", "300"], labels: ["contsec-test": "1"])))
            ids.append(c.id)
            try await docker.startContainer(c.id)
        }
        let port = freePort()
        let bg = try ContsecCLI.Background(["exporter", "--listen", "127.0.0.1:\(port)", "--container", names.joined(separator: ",")],
                                           workspace: workspace)
        var up = false
        for _ in 0..<300 {
            if let (status, _) = try? await http("http://127.0.0.1:\(port)/healthz", timeout: 2), status == 200 { up = true; break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        try #require(up, "the exporter did not answer /healthz: \(bg.stderr)")
        for _ in 0..<3 { _ = try await http("http://127.0.0.1:\(port)/metrics") }
        let plugin = try #require(ContsecCLI.descendants(of: bg.pid).first, "no plugin process under contsec")
        let session = ContsecCLI.processTable()[plugin]?.sid ?? -1
        func streamsGauge() async -> Int {
            guard let (_, body) = try? await http("http://127.0.0.1:\(port)/metrics") else { return -1 }
            let line = String(decoding: body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("contsec_exporter_stats_streams ") }
            return line.flatMap { Int($0.split(separator: " ")[1]) } ?? -1
        }
        // Three containers: three stats streams and the events stream, each with its reading thread in the plugin.
        let three = await eventually(10) { await streamsGauge() == 3 && engineStreamThreads(pid: plugin) == 4 }
        var gauge = await streamsGauge()
        #expect(three, "streams \(gauge), threads \(engineStreamThreads(pid: plugin))")
        // One stopped, one removed: their streams and threads go.
        try await docker.stopContainer(ids[0], timeout: 0)
        try await docker.removeContainer(ids[1], force: true)
        let one = await eventually(10) { await streamsGauge() == 1 && engineStreamThreads(pid: plugin) == 2 }
        gauge = await streamsGauge()
        #expect(one, "streams \(gauge), threads \(engineStreamThreads(pid: plugin))")

        bg.interrupt()
        let exited = try await offPool { bg.wait(timeout: 15) }
        #expect(exited, "contsec still running 15 s after Ctrl-C")
        #expect(bg.process.terminationStatus == 0, "\(bg.stderr)")
        let entry = bg.plugin
        #expect(entry["status"] as? String == "ok", "\(entry)")
        #expect((entry["message"] as? String)?.hasPrefix("stopped after ") == true, "\(entry)")
        #expect(((entry["summary"] as? [String: Any])?["scrapes"] as? Int ?? 0) >= 3, "\(entry)")
        #expect(!listening(port), "port \(port) still open")
        #expect(ContsecCLI.processTable()[plugin] == nil, "the plugin process \(plugin) is still there")
        #expect(ContsecCLI.processTable().filter { $0.value.sid == session }.isEmpty, "processes left in the plugin's session")
    }

    @Test("monitor: samples until Ctrl-C, ends with its summary and no process; analyze --from-log reads what it logged")
    func monitorCtrlCThenAnalyzeFromLog() async throws {
        let docker = try ObsTestEnvironment.client()
        let workspace = try tempDir("lr-monitor")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try await ObsTestEnvironment.withContainer(docker) { _, name in
            let bg = try ContsecCLI.Background(["monitor", "--container", name, "--interval", "1"], workspace: workspace)
            // Wait for three sample lines of the container in the daily log (the host writes the plugin's stderr there).
            func logged() -> Int {
                let dir = workspace + "/logs/security"
                let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
                return files.reduce(0) { n, f in
                    n + ((try? String(contentsOfFile: dir + "/" + f, encoding: .utf8)) ?? "").components(separatedBy: "sample container=\(name) ").count - 1
                }
            }
            var samples = 0
            for _ in 0..<300 where samples < 3 {
                samples = logged()
                try await Task.sleep(nanoseconds: 100_000_000)
            }
            try #require(samples >= 3, "monitor logged \(samples) samples: \(bg.stderr)")
            let plugin = try #require(ContsecCLI.descendants(of: bg.pid).first)
            bg.interrupt()
            let exited = try await offPool { bg.wait(timeout: 15) }
            #expect(exited)
            #expect(bg.process.terminationStatus == 0, "\(bg.stderr)")
            #expect(bg.plugin["status"] as? String == "ok")
            #expect(((bg.plugin["summary"] as? [String: Any])?["samples"] as? Int ?? 0) >= 3, "\(bg.plugin)")
            #expect(ContsecCLI.processTable()[plugin] == nil, "the plugin process \(plugin) is still there")

            // The history monitor left, read back: as many samples as it logged, its processes, and a table.
            let logs = logged()
            let out = try await offPool { try ContsecCLI.run(["analyze", "--container", name, "--from-log", "--window", "10m"], workspace: workspace) }
            #expect(out.status == 0, "\(out.stderr)")
            let entry = ((out.report["plugins"] as? [[String: Any]]) ?? []).first ?? [:]
            #expect((entry["summary"] as? [String: Any])?["samples"] as? Int == logs, "\(entry["summary"] ?? "")")
            let table = try #require(entry["table"] as? [String: Any], "no table in \(entry)")
            let rows = (table["rows"] as? [[String: Any]]) ?? []
            #expect(rows.first { $0["aspect"] as? String == "processes" }?["value"] as? String == "sleep", "\(rows)")
            #expect((table["title"] as? String)?.contains("daily log") == true)
        }
    }

    @Test("describe: exporter, monitor and dashboard run until stopped with no timeout unless one is given; the others keep theirs")
    func declaredLongRunning() async throws {
        let bin = try ContsecCLI.buildDirectory()
        let r = try await offPool {
            try run(bin + "/contsec", ["describe", "observability", "--plugin-path", bin + "/contsec-observability"])
        }
        #expect(r.status == 0, "\(r.output)")
        let note = "Runs until stopped (Ctrl-C or SIGTERM); no timeout unless --timeout / --idle-timeout is given."
        // Each command's block starts with its usage line.
        let blocks = r.output.components(separatedBy: "Usage: contsec run observability ").dropFirst()
        var long: [String] = []
        for b in blocks where b.contains(note) { long.append(String(b.prefix { $0 != " " && $0 != "\n" })) }
        #expect(Set(long) == ["exporter", "monitor", "dashboard"], "\(r.output)")
    }
}
