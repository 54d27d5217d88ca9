#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// contsec's container image, built offline by scripts/build-image.sh from this build's binaries (--reuse: the same
/// inputs are not packaged twice),
/// run on the test engine as a user would run it. Every container is `contsec-test-fleet-<uuid>`, labelled
/// `contsec-test=1`, removed afterwards. Skips without a Docker engine, fails under CI=true.
@Suite(.serialized) struct DockerEngineFleetImageTests {
    static let tag = "contsec-test-fleet-image:dev"
    static let socket = "/var/run/docker.sock"
    static let plugins = ["cis-bench", "iac-scan", "netpolicy", "observability", "registry", "seccomp-gen", "trivy-scanner", "volume-crypt"]

    /// The image, built once per tree; nil (and the test skipped) without an engine.
    private func image() async throws -> String? {
        guard let docker = Deploy.tool("docker"), FileManager.default.fileExists(atPath: Self.socket) else {
            if Deploy.isCI { Issue.record("CI=true but there is no Docker engine: run scripts/test-env.sh") }
            return nil
        }
        // The binaries under test (this build's products), packaged exactly as a release build would be; the
        // release build itself is bench/image.sh's (it takes many minutes on 2 cores).
        let r = try await Deploy.run("/bin/bash", [Paths.packageRoot + "/scripts/build-image.sh", "--reuse", "--tag", Self.tag,
                                                   "--binaries", Paths.products], cwd: Paths.packageRoot, timeout: 900)
        try #require(r.code == 0, "build-image.sh failed: \(r.stderr.suffix(3000))")
        return docker
    }

    private var socketGroup: String {
        var st = stat()
        return stat(Self.socket, &st) == 0 ? String(st.st_gid) : "0"
    }

    private func name() -> String { "contsec-test-fleet-\(UUID().uuidString.prefix(8).lowercased())" }

    /// `docker run --rm` of the image with `options`, then `args` for contsec.
    private func run(_ docker: String, _ options: [String], _ args: [String], timeout: TimeInterval = 120) async throws -> CommandResult {
        try await Deploy.run(docker, ["run", "--rm", "--name", name(), "--label", "contsec-test=1"] + options + [Self.tag] + args,
                             timeout: timeout)
    }

    private func jsonLines(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
    }

    @Test("the image runs as uid 65532 and finds every plugin in its system plugin folder")
    func nonRootWithPlugins() async throws {
        guard let docker = try await image() else { return }
        let user = try await Deploy.run(docker, ["image", "inspect", "--format", "{{.Config.User}}", Self.tag])
        #expect(user.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "65532:65532")
        let r = try await run(docker, ["--network", "none"], ["plugins", "--json"])
        #expect(r.code == 0, "\(r.stderr)")
        let found = r.json?["plugins"]?.arrayValue ?? []
        #expect(found.compactMap { $0["name"]?.stringValue }.sorted() == Self.plugins)
        #expect(found.allSatisfy { $0["path"]?.stringValue?.hasPrefix("/usr/local/lib/contsec/plugins/contsec-") == true })
        #expect(r.json?["invalid"]?.arrayValue?.isEmpty == true)
    }

    @Test("with the socket mounted, cis-bench and iac-scan run as non-root and write JSONL naming the host")
    func cisBenchAndIaCScanJSONL() async throws {
        guard let docker = try await image() else { return }
        let host = "node-\(UUID().uuidString.prefix(6).lowercased())"
        // The socket and daemon.json, read-only, as deploy/compose mounts them (with fewer host paths).
        let bench = try await run(docker, ["--network", "none", "--group-add", socketGroup, "-v", "\(Self.socket):\(Self.socket):ro",
                                           "-v", "/etc/docker:/etc/docker:ro", "-e", "CONTSEC_HOST_NAME=\(host)"],
                                  ["--no-log", "run", "cis-bench", "--format", "jsonl"])
        #expect(bench.code == 0, "\(bench.stderr)")
        let lines = jsonLines(bench.stdout)
        #expect(!lines.isEmpty && lines.count == bench.stdout.split(separator: "\n").count, "every stdout line is one JSON event")
        #expect(lines.allSatisfy { $0["host"]?.stringValue == host && $0["schemaVersion"] == 1 })
        #expect(lines.last?["event"] == "plugin-finished" && lines.last?["status"] == "ok")
        // The test engine's daemon.json says "iptables": false: CIS 2.4 warns.
        #expect(lines.contains { $0["event"] == "finding" && $0["finding"]?["ruleId"] == "CIS-2.4" })

        let dir = try temporaryFolder("fleet-iac")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "FROM busybox:latest\nRUN echo hi\n".write(toFile: dir + "/Dockerfile", atomically: true, encoding: .utf8)
        chmod(dir, 0o755)
        chmod(dir + "/Dockerfile", 0o644)
        let scan = try await run(docker, ["--network", "none", "-v", "\(dir):/scan:ro", "-e", "CONTSEC_HOST_NAME=\(host)"],
                                 ["--no-log", "run", "iac-scan", "--dir", "/scan", "--format", "jsonl"])
        #expect(scan.code == 0, "\(scan.stderr)")
        let events = jsonLines(scan.stdout)
        let rules = events.filter { $0["event"] == "finding" }.compactMap { $0["finding"]?["ruleId"]?.stringValue }
        #expect(rules.contains("CS-DF-001"), "FROM busybox:latest: \(rules)")  // ':latest'
        #expect(events.allSatisfy { $0["host"]?.stringValue == host })
    }

    @Test("without the socket's group the non-root image refuses with the reason (permission denied on the socket), not an empty report")
    func refusals() async throws {
        guard let docker = try await image() else { return }
        let r = try await run(docker, ["--network", "none", "-v", "\(Self.socket):\(Self.socket):ro"],
                              ["--no-log", "run", "cis-bench", "--format", "json"])
        #expect(r.code != 0)
        #expect((r.stdout + r.stderr).lowercased().contains("permission denied"), "\(r.stdout.prefix(2000)) \(r.stderr)")
    }

    @Test("the exporter container is scraped by a real Prometheus on loopback")
    func exporterScrapedByPrometheus() async throws {
        guard let docker = try await image() else { return }
        guard let prometheus = Deploy.tool("prometheus") else {
            if Deploy.isCI { Issue.record("CI=true but prometheus is not installed: apt-get install prometheus") }
            return
        }
        let exporterPort = try freeLoopbackPort(), promPort = try freeLoopbackPort()
        let container = name()
        // Host network, listening on loopback only: how deploy/compose runs it. Bounded by --duration.
        let start = try await Deploy.run(docker, ["run", "-d", "--rm", "--name", container, "--label", "contsec-test=1", "--network", "host",
                                                  "--group-add", socketGroup, "-v", "\(Self.socket):\(Self.socket):ro",
                                                  "-e", "CONTSEC_HOST_NAME=node-prom", Self.tag, "--no-log", "run", "observability", "exporter",
                                                  "--listen", "127.0.0.1:\(exporterPort)", "--duration", "180"])
        try #require(start.code == 0, "\(start.stderr)")
        defer { _ = try? Process.run(URL(fileURLWithPath: docker), arguments: ["rm", "-f", container]) }

        let dir = try temporaryFolder("fleet-prom")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: contsec
            static_configs: [{targets: ['127.0.0.1:\(exporterPort)']}]
        """.write(toFile: dir + "/prometheus.yml", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: prometheus)
        p.arguments = ["--config.file=\(dir)/prometheus.yml", "--web.listen-address=127.0.0.1:\(promPort)", "--storage.tsdb.path=\(dir)/data"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }

        // Bounded poll: Prometheus' own view of the target, then a series only the exporter produces.
        var up: String?, cores: String?
        for _ in 0..<120 where up != "1" || cores == nil {
            try await Task.sleep(nanoseconds: 500_000_000)
            up = try? await query(promPort, "up{job=\"contsec\"}")
            cores = try? await query(promPort, "machine_cpu_cores{job=\"contsec\"}")
        }
        #expect(up == "1", "Prometheus never saw the exporter up")
        #expect((Int(cores ?? "") ?? 0) > 0, "machine_cpu_cores: \(cores ?? "none")")
    }

    /// The value of the first series of an instant query, through Prometheus' HTTP API on loopback.
    private func query(_ port: Int, _ expr: String) async throws -> String? {
        var c = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        c.queryItems = [URLQueryItem(name: "query", value: expr)]
        let r = try await Deploy.run("/usr/bin/curl", ["-sf", "--max-time", "5", c.url!.absoluteString], timeout: 10)
        guard r.code == 0 else { return nil }
        return try JSONParser.parse(r.stdout)["data"]?["result"]?[0]?["value"]?[1]?.stringValue
    }

    /// A TCP port on 127.0.0.1 nobody listens on right now (the kernel's pick for port 0).
    private func freeLoopbackPort() throws -> Int {
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { ptr in
            ptr.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw TestFailure("no free loopback port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
