import Foundation
import Testing
@testable import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// Connection failures a user meets before any daemon answers; these need no Docker engine.
@Suite("Docker connection errors")
struct DockerConnectionErrorTests {
    @Test("a missing socket says the daemon is unreachable and how to fix it")
    func missingSocket() async throws {
        let path = NSTemporaryDirectory() + "contsec-test-absent-\(UUID().uuidString.prefix(8))/docker.sock"
        let docker = try DockerClient(socketPath: path)
        do {
            _ = try await docker.ping()
            Issue.record("ping through \(path) should have failed")
        } catch let error as DockerError {
            #expect(error == .socketMissing(path: path))
            #expect(error.description == "cannot reach the Docker daemon at \(path): no such socket. Is dockerd running? Start it or set DOCKER_HOST")
        }
    }

    @Test("a socket file nobody listens on (a stopped daemon) says connection refused, is dockerd running?")
    func stoppedDaemon() async throws {
        let directory = NSTemporaryDirectory() + "contsec-test-stopped-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/docker.sock"
        // Bind then close without listening: the socket file stays, like the one a killed dockerd leaves.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))

        let docker = try DockerClient(socketPath: path)
        do {
            _ = try await docker.listContainers()
            Issue.record("listing containers through \(path) should have failed")
        } catch let error as DockerError {
            #expect(error == .daemonNotListening(path: path))
            #expect(error.description.contains("connection refused"))
            #expect(error.description.contains("Is dockerd running?"))
        }
    }

    @Test("permission denied says how to get access")
    func permissionMessage() {
        #expect(DockerError.permissionDenied(path: "/var/run/docker.sock").description
            == "cannot reach the Docker daemon at /var/run/docker.sock: permission denied. Add your user to the docker group or run as root")
    }

    @Test("DOCKER_HOST naming a regular file or a directory says what it is, not 'connection refused'")
    func dockerHostNotASocket() async throws {
        let directory = NSTemporaryDirectory() + "contsec-test-notsock-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/docker.sock"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("not a socket".utf8)))
        for (path, kind) in [(file, "a regular file"), (directory, "a directory")] {
            let docker = try DockerClient(environment: ["DOCKER_HOST": "unix://" + path])
            do {
                _ = try await docker.ping()
                Issue.record("ping through \(path) should have failed")
            } catch let error as DockerError {
                #expect(error == .notASocket(path: path, kind: kind))
                #expect(error.description.contains("it is \(kind), not a socket"))
                #expect(!error.description.contains("refused"))
            }
        }
    }

    @Test("API version comparison is numeric")
    func versionCompare() {
        #expect(APIVersion.min("1.41", "1.43") == "1.41")
        #expect(APIVersion.min("1.9", "1.43") == "1.9")
        #expect(APIVersion.min("1.47", "1.43") == "1.43")
    }
}
