import Foundation
import Testing
@testable import ContainerKit
import EngineTestSupport

/// A remote engine over TCP with TLS: a second, real dockerd on 127.0.0.1 run with `--tlsverify` and certificates
/// made by openssl (see `TLSDockerd`), reached with DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH exactly as a
/// docker CLI user sets them.
@Suite("Docker engine over TCP+TLS (a second, real dockerd)", .serialized,
       .enabled(if: DockerTestEnvironment.isCI || (DockerTestEnvironment.shouldRun && TLSDockerd.unavailableReason == nil),
                "TLS engine test skipped: \(TLSDockerd.unavailableReason ?? "no Docker daemon answers")"))
struct DockerEngineTLSTests {
    typealias Env = DockerTestEnvironment

    @Test("the whole API over TLS: requests, pooled connections, an upload, streams, exec; the docker CLI agrees")
    func apiOverTLS() async throws {
        let local = try Env.client()
        let directory = try await TLSDockerd.with { daemon in
            let docker = try DockerClient(environment: daemon.environment, requestTimeout: 30)
            guard case .tcp(let host, let port, let tls?) = docker.endpoint else {
                Issue.record("DOCKER_HOST=tcp:// with DOCKER_TLS_VERIFY should be a TLS endpoint: \(docker.endpoint)")
                return daemon.directory
            }
            #expect(host == "127.0.0.1" && port == daemon.port && tls.verify)
            #expect(tls.caFile == daemon.clientCertPath + "/ca.pem" && tls.certFile == daemon.clientCertPath + "/cert.pem")
            #expect(try await docker.ping())
            let version = try await docker.version()
            // The docker CLI, with the same environment, talks to the same daemon.
            let cli = try await ToolRunner().run("docker", ["version", "--format", "{{.Server.Version}}|{{.Server.KernelVersion}}"],
                                                 options: ToolRunOptions(timeout: 30, environmentOverrides: daemon.environment))
            #expect(cli.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "\(version.version)|\(version.kernelVersion ?? "")",
                    "docker CLI: \(cli.stderrText)")
            let info = try await docker.info()
            #expect(info.dockerRootDir == daemon.directory + "/data", "this is the second daemon, not the main one")

            // Concurrent requests share a bounded pool of TLS connections.
            let answers = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 { group.addTask { try await docker.ping() } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(answers == 12)
            #expect(docker.idleConnectionCount >= 1 && docker.idleConnectionCount <= 4)

            // Upload (chunked file body) over TLS: the main engine's busybox export becomes an image there.
            let tarPath = daemon.directory + "/busybox.tar"
            _ = FileManager.default.createFile(atPath: tarPath, contents: nil)
            let tarOut = try FileHandle(forWritingTo: URL(fileURLWithPath: tarPath))
            let exported = try await Env.withContainer(local, start: false) { id, _ in
                try await local.exportContainer(id) { chunk in tarOut.write(chunk) }
            }
            try tarOut.close()
            #expect(exported > 100_000)
            let tarIn = try FileHandle(forReadingFrom: URL(fileURLWithPath: tarPath))
            defer { try? tarIn.close() }
            let imageID = try await docker.importImage(tar: tarIn, repo: "contsec-test/busybox-tls", tag: "1")
            #expect(imageID.hasPrefix("sha256:"))

            // An event stream over TLS sees the container being created; ending the loop closes the connection.
            let name = Env.uniqueName("tls")
            let events = docker.events(EventFilters(filters: ["type": ["container"], "event": ["create"]]))
            let watcher = Task { () -> String? in
                for try await event in events { return event.actor?.attributes?["name"] }
                return nil
            }
            try await Task.sleep(nanoseconds: 300_000_000)
            let created = try await docker.createContainer(
                name: name, ContainerCreateOptions(config: ContainerConfig(image: "contsec-test/busybox-tls:1", cmd: ["sleep", "60"],
                                                                           labels: ["contsec-test": "1"]),
                                                   hostConfig: HostConfig(networkMode: "none")))
            #expect(try await withTimeout(20) { try await watcher.value } == name)
            try await docker.startContainer(created.id)
            // exec: a streamed, multiplexed response over TLS.
            let result = try await docker.exec(created.id, ExecOptions(["sh", "-c", "echo over-tls; echo err >&2; exit 4"]))
            #expect(result.exitCode == 4)
            #expect(String(decoding: result.stdout, as: UTF8.self) == "over-tls\n")
            #expect(String(decoding: result.stderr, as: UTF8.self) == "err\n")
            #expect(try await docker.listContainers().map(\.id) == [created.id])
            try await docker.removeContainer(created.id, force: true)
            return daemon.directory
        }
        // Stopped: nothing of the second daemon is left (its folder, mounts and processes).
        #expect(!FileManager.default.fileExists(atPath: directory))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(directory))
        let left = try await ToolRunner().run("pgrep", ["-f", directory])
        #expect(left.stdoutText.isEmpty, "processes of the test dockerd still run: \(left.stdoutText)")
    }

    @Test("TLS failures say what to fix: no client certificate, a stranger CA, a name not in the certificate, plain HTTP, missing files")
    func tlsFailures() async throws {
        try await TLSDockerd.with { daemon in
            let base = daemon.environment
            func failure(_ overrides: [String: String]) async -> String {
                do {
                    let docker = try DockerClient(environment: base.merging(overrides) { $1 }, requestTimeout: 10)
                    _ = try await docker.ping()
                    return "no error"
                } catch { return "\(error)" }
            }
            // A client without a certificate: the daemon (--tlsverify) refuses it.
            let noClientCert = daemon.directory + "/ca-only"
            try FileManager.default.createDirectory(atPath: noClientCert, withIntermediateDirectories: false)
            try FileManager.default.copyItem(atPath: daemon.clientCertPath + "/ca.pem", toPath: noClientCert + "/ca.pem")
            let refused = await failure(["DOCKER_CERT_PATH": noClientCert])
            #expect(refused.contains("TLS handshake with the Docker daemon at tcp://127.0.0.1:\(daemon.port) failed"), "\(refused)")
            #expect(refused.contains("client certificate"), "\(refused)")

            // A CA that did not sign the daemon's certificate: verification fails and says to check ca.pem.
            let stranger = daemon.directory + "/stranger-client"
            try FileManager.default.createDirectory(atPath: stranger, withIntermediateDirectories: false)
            for file in ["cert.pem", "key.pem"] {
                try FileManager.default.copyItem(atPath: daemon.clientCertPath + "/" + file, toPath: stranger + "/" + file)
            }
            try FileManager.default.copyItem(atPath: daemon.strangerCAPath + "/ca.pem", toPath: stranger + "/ca.pem")
            let untrusted = await failure(["DOCKER_CERT_PATH": stranger])
            #expect(untrusted.contains("the daemon's certificate was rejected"), "\(untrusted)")
            #expect(untrusted.contains("check that ca.pem in DOCKER_CERT_PATH is the CA that signed the daemon's certificate"), "\(untrusted)")

            // The certificate names 127.0.0.1 only: "localhost" does not match it.
            let mismatch = await failure(["DOCKER_HOST": "tcp://localhost:\(daemon.port)"])
            #expect(mismatch.contains("not valid for 'localhost'"), "\(mismatch)")

            // DOCKER_TLS without DOCKER_TLS_VERIFY encrypts without checking the daemon (the docker CLI's meaning).
            let unverified = try DockerClient(environment: ["DOCKER_HOST": base["DOCKER_HOST"]!, "DOCKER_TLS": "1",
                                                            "DOCKER_CERT_PATH": stranger])
            #expect(try await unverified.ping())

            // Plain HTTP to the TLS port: the daemon's own answer, and what to set.
            let plain = await failure(["DOCKER_TLS_VERIFY": ""])
            #expect(plain.contains("Client sent an HTTP request to an HTTPS server"), "\(plain)")
            #expect(plain.contains("set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH"), "\(plain)")

            // Nothing listens: said plainly.
            let closed = await failure(["DOCKER_HOST": "tcp://127.0.0.1:1"])
            #expect(closed.contains("connection refused: nothing listens on 127.0.0.1:1"), "\(closed)")

            // DOCKER_TLS_VERIFY with a cert path lacking ca.pem: refused before connecting.
            let missing = await failure(["DOCKER_CERT_PATH": daemon.directory + "/nowhere"])
            #expect(missing.contains(daemon.directory + "/nowhere/ca.pem does not exist (DOCKER_CERT_PATH)"), "\(missing)")
        }
    }
}

@Suite("DOCKER_HOST against the real engine", .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineHostTests {
    typealias Env = DockerTestEnvironment

    @Test("DOCKER_HOST=unix:// with no path is the default socket, as for the docker CLI")
    func unixWithoutPath() async throws {
        try #require(Env.socketPath == DockerClient.defaultSocketPath, "the test engine is not on the default socket")
        let docker = try DockerClient(environment: ["DOCKER_HOST": "unix://"])
        #expect(docker.socketPath == "/var/run/docker.sock")
        #expect(try await docker.ping())
    }
}
