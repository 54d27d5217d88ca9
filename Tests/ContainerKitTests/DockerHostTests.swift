import Foundation
import Testing
@testable import ContainerKit

/// DOCKER_HOST and the TLS variables, read as the docker CLI reads them (cli/flags and opts/hosts.go of docker/cli).
@Suite("DOCKER_HOST and TLS settings")
struct DockerHostTests {
    @Test("unix:// paths, the default socket, and unix:// alone (the CLI's default socket)")
    func unixEndpoints() throws {
        #expect(try DockerEndpoint.parse("") == .unix(path: "/var/run/docker.sock"))
        #expect(try DockerEndpoint.parse("unix:///run/user/1000/docker.sock") == .unix(path: "/run/user/1000/docker.sock"))
        #expect(try DockerEndpoint.parse("unix://") == .unix(path: "/var/run/docker.sock"))
        #expect(try DockerClient(environment: ["DOCKER_HOST": "unix:///run/user/1000/docker.sock"]).socketPath == "/run/user/1000/docker.sock")
        #expect(try DockerClient(environment: [:]).socketPath == "/var/run/docker.sock")
        #expect(throws: DockerError.unsupportedDockerHost("unix://run/docker.sock")) { try DockerEndpoint.parse("unix://run/docker.sock") }
        #expect(DockerError.unsupportedDockerHost("unix://run/docker.sock").description.contains("absolute path, e.g. unix:///var/run/docker.sock"))
        #expect(DockerError.unsupportedDockerHost("/var/run/docker.sock").description.contains("write unix:///var/run/docker.sock"))
    }

    @Test("tcp:// with and without a port (2375 plain, 2376 with TLS), bare host:port, IPv6 in brackets")
    func tcpEndpoints() throws {
        #expect(try DockerEndpoint.parse("tcp://10.0.0.5:2376") == .tcp(host: "10.0.0.5", port: 2376, tls: nil))
        #expect(try DockerEndpoint.parse("tcp://10.0.0.5") == .tcp(host: "10.0.0.5", port: 2375, tls: nil))
        #expect(try DockerEndpoint.parse("tcp://10.0.0.5", tls: true) == .tcp(host: "10.0.0.5", port: 2376, tls: nil))
        #expect(try DockerEndpoint.parse("10.0.0.5:2375") == .tcp(host: "10.0.0.5", port: 2375, tls: nil))
        #expect(try DockerEndpoint.parse("tcp://[::1]:2376") == .tcp(host: "::1", port: 2376, tls: nil))
        #expect(try DockerEndpoint.parse("tcp://[::1]:2376").description == "tcp://[::1]:2376")
        #expect(try DockerEndpoint.parse("tcp://docker.example:2376/") == .tcp(host: "docker.example", port: 2376, tls: nil))
        for bad in ["tcp://10.0.0.5:notaport", "tcp://10.0.0.5:70000", "tcp://::1:2376"] {
            #expect(throws: DockerError.unsupportedDockerHost(bad)) { try DockerEndpoint.parse(bad) }
        }
        let plain = try DockerClient(environment: ["DOCKER_HOST": "tcp://127.0.0.1:2375"])
        #expect(plain.endpoint == .tcp(host: "127.0.0.1", port: 2375, tls: nil))
        #expect(plain.socketPath == "tcp://127.0.0.1:2375")
        #expect(!plain.endpoint.isRemote)
        #expect(try DockerEndpoint.parse("tcp://10.0.0.5:2376").isRemote)
    }

    @Test("ssh://, npipe://, fd:// and unknown schemes are refused with what to do instead")
    func refusedSchemes() {
        for value in ["ssh://admin@build-host", "npipe:////./pipe/docker_engine", "fd://", "http://10.0.0.5:2375"] {
            #expect(throws: DockerError.unsupportedDockerHost(value)) { try DockerClient(environment: ["DOCKER_HOST": value]) }
        }
        let ssh = DockerError.unsupportedDockerHost("ssh://admin@build-host").description
        #expect(ssh.contains("ssh:// is not supported"))
        #expect(ssh.contains("ssh -nNT -L /tmp/remote-docker.sock:/var/run/docker.sock"))
        #expect(ssh.contains("DOCKER_HOST=unix:///tmp/remote-docker.sock"))
        #expect(DockerError.unsupportedDockerHost("npipe:////./pipe/docker_engine").description.contains("Windows named pipe"))
        #expect(DockerError.unsupportedDockerHost("fd://").description.contains("socket activation"))
    }

    @Test("TLS variables: DOCKER_TLS_VERIFY (any non-empty value) needs ca.pem; the client pair is used when both exist")
    func tlsVariables() throws {
        let directory = NSTemporaryDirectory() + "contsec-test-certs-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let host = ["DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_CERT_PATH": directory]

        // No ca.pem: refused before any connection, naming the file and the variable.
        do {
            _ = try DockerEndpoint.fromEnvironment(host.merging(["DOCKER_TLS_VERIFY": "0"]) { $1 })
            Issue.record("DOCKER_TLS_VERIFY without ca.pem should fail")
        } catch let error as DockerError {
            guard case .tlsSetup(let text) = error else { Issue.record("\(error)"); return }
            #expect(text.contains(directory + "/ca.pem does not exist (DOCKER_CERT_PATH)"))
        }
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/ca.pem"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/cert.pem"))
        // cert.pem without key.pem.
        #expect(throws: DockerError.self) { try DockerEndpoint.fromEnvironment(host.merging(["DOCKER_TLS_VERIFY": "1"]) { $1 }) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/key.pem"))
        #expect(try DockerEndpoint.fromEnvironment(host.merging(["DOCKER_TLS_VERIFY": "1"]) { $1 })
            == .tcp(host: "127.0.0.1", port: 2376, tls: DockerTLSSettings(verify: true, caFile: directory + "/ca.pem",
                                                                         certFile: directory + "/cert.pem", keyFile: directory + "/key.pem")))
        // DOCKER_TLS alone: encrypted, not verified; no TLS variable: plain TCP; the TLS variables never touch unix://.
        #expect(try DockerEndpoint.fromEnvironment(host.merging(["DOCKER_TLS": "1"]) { $1 })
            == .tcp(host: "127.0.0.1", port: 2376, tls: DockerTLSSettings(verify: false, caFile: directory + "/ca.pem",
                                                                         certFile: directory + "/cert.pem", keyFile: directory + "/key.pem")))
        #expect(try DockerEndpoint.fromEnvironment(host) == .tcp(host: "127.0.0.1", port: 2376, tls: nil))
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/nonexistent"]) == .unix(path: "/var/run/docker.sock"))
        // Without DOCKER_CERT_PATH the CLI looks in DOCKER_CONFIG, else ~/.docker.
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_HOST": "tcp://h:1", "DOCKER_TLS_VERIFY": "1", "DOCKER_CONFIG": directory])
            == .tcp(host: "h", port: 1, tls: DockerTLSSettings(verify: true, caFile: directory + "/ca.pem",
                                                              certFile: directory + "/cert.pem", keyFile: directory + "/key.pem")))
        // Files that are not PEM fail when the client is made, naming the file.
        do {
            _ = try DockerClient(environment: host.merging(["DOCKER_TLS_VERIFY": "1"]) { $1 })
            Issue.record("garbage certificates should be refused")
        } catch let error as DockerError {
            #expect(error.description.contains("cannot read the CA certificate \(directory)/ca.pem"))
        }
    }
}
