import Foundation
import Testing
@testable import ContainerKit
@testable import ContsecProtocol
@testable import HTTPServer
@testable import Observability

/// A real Prometheus (Debian's `prometheus`), on a loopback port and data folder of its own, scrapes the exporter.
@Suite("DockerEngine observability: Prometheus scrapes the exporter", .serialized,
       .enabled(if: ObsTestEnvironment.shouldRun && hasTool("prometheus"), ObsTestEnvironment.skipReason))
struct DockerEnginePrometheusTests {
    @Test("Prometheus stores the running test container's series with the Engine's CPU and memory, and its posture")
    func scrape() async throws {
        let prometheus = try tool("prometheus", package: "prometheus")
        let docker = try ObsTestEnvironment.client()
        let dir = try tempDir("prom")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A steady load: 20 MiB in the container's /dev/shm (charged to its memory) and a busy loop held to 0.2 CPU.
        let command = ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=20 2>/dev/null; while :; do :; done"]
        let host = HostConfig(capAdd: ["NET_RAW"], memory: 128 << 20, nanoCpus: 200_000_000)
        try await ObsTestEnvironment.withContainer(docker, command: command, host: host) { id, name in
            let collector = Collector(docker: docker)
            let collecting = Task { await collector.run() }
            defer { collecting.cancel() }
            let exporter = Exporter(collector: collector, findings: FindingsLog(directory: dir + "/logs"))
            let server = try HTTPServer(listen: ListenAddress(host: "127.0.0.1", port: 0), handler: exporter.handle)
            server.start()
            defer { server.stop() }
            let promPort = freePort()
            try """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: contsec
                static_configs:
                  - targets: ['127.0.0.1:\(server.address.port)']
            """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: prometheus)
            p.arguments = ["--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/data",
                           "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"]
            p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            p.standardError = FileHandle(forWritingAtPath: "/dev/null")
            try p.run()
            defer { p.terminate(); p.waitUntilExit() }

            let api = "http://127.0.0.1:\(promPort)/api/v1/query?query="
            func query(_ q: String) async throws -> [JSONValue] {
                let encoded = q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
                // Refused while Prometheus starts up: no data yet.
                guard let (status, body) = try? await http(api + encoded), status == 200 else { return [] }
                return try JSONParser.parse([UInt8](body))["data"]?["result"]?.arrayValue ?? []
            }
            func value(_ r: JSONValue) -> Double { Double(r["value"]?.arrayValue?[1].stringValue ?? "") ?? .nan }
            // The newest stored sample, even if the very last scrape failed: with a 1 s scrape interval the scrape
            // timeout is 1 s too, and on a loaded test machine a late scrape marks every series stale for a moment.
            func latest(_ selector: String) -> String { "last_over_time(\(selector)[30s])" }

            // Wait for two scrapes of the container (Prometheus starts up, then scrapes every second).
            var memory: [JSONValue] = []
            for _ in 0..<60 {
                memory = try await query(latest("container_memory_usage_bytes{name=\"\(name)\"}"))
                if !memory.isEmpty, try await !query("container_cpu_usage_seconds_total{name=\"\(name)\"}[10s]").isEmpty { break }
                try await Task.sleep(nanoseconds: 500_000_000)
            }
            try #require(memory.count == 1, "Prometheus has no container_memory_usage_bytes for \(name)")
            let series = memory[0]["metric"]
            #expect(series?["id"]?.stringValue?.hasSuffix(id) == true)
            #expect(series?["image"]?.stringValue == ObsTestEnvironment.image)
            #expect(series?["job"]?.stringValue == "contsec")

            // What Prometheus stored last, and when it scraped it; retried past a momentarily stale series.
            var cpu: [JSONValue] = []
            for _ in 0..<10 where cpu.isEmpty {
                cpu = try await query("container_cpu_usage_seconds_total{name=\"\(name)\"}")
                if cpu.isEmpty { try await Task.sleep(nanoseconds: 500_000_000) }
            }
            try #require(cpu.count == 1)
            let promCPU = value(cpu[0])
            let scraped = try await query("timestamp(container_cpu_usage_seconds_total{name=\"\(name)\"})").first.map(value) ?? .nan

            // The Engine's own figures, read afterwards.
            let stats = try await docker.stats(id, oneShot: true)
            let engineMemory = Double(stats.memoryStats?.usage ?? 0)
            let promMemory = value(memory[0])
            #expect(engineMemory > 20 * 1024 * 1024)
            #expect(abs(promMemory - engineMemory) / engineMemory < 0.1, "Prometheus \(promMemory) vs Engine \(engineMemory)")
            let engineCPU = Double(stats.cpuStats?.cpuUsage?.totalUsage ?? 0) / 1e9
            let engineRead = stats.read.flatMap(Timestamps.parse)?.timeIntervalSince1970 ?? Date().timeIntervalSince1970
            // The counter grows by at most 0.2 s per second (--cpus 0.2). The Engine's later reading is ahead of the
            // stored one by at most that times the time between them: the scrape's age when the Engine read, plus
            // the age of the exporter's sample at the scrape (its stream delivers one about every second, later on a
            // loaded machine: 5 s of slack keeps the bound meaningful, 1 CPU-second at the limit, without flaking).
            let age = max(0, engineRead - scraped) + 5
            #expect(promCPU > 0 && promCPU <= engineCPU + 0.01, "Prometheus \(promCPU) s vs Engine \(engineCPU) s")
            #expect(engineCPU - promCPU <= 0.2 * age + 0.05, "Prometheus \(promCPU) s, Engine \(engineCPU) s, \(age) s apart at most")

            let caps = try await query(latest("contsec_container_capabilities_added{name=\"\(name)\"}"))
            #expect(caps.first.map(value) == 1)
            let limit = try await query(latest("container_spec_memory_limit_bytes{name=\"\(name)\"}"))
            #expect(limit.first.map(value) == Double(128 << 20))
            let rate = try await query("rate(container_cpu_usage_seconds_total{name=\"\(name)\"}[5s])")
            if let r = rate.first.map(value) { #expect(r <= 0.25, "CPU rate \(r) above the 0.2 CPU limit") }
        }
    }
}
