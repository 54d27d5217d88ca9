import Foundation
import Testing
@testable import SeccompGen

/// Test fixtures beside this file's folder (`Tests/SeccompGenTests/Fixtures`).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    /// Docker's default profile as moby/profiles ships it (see Fixtures/README.md).
    static func mobyDefault() throws -> SeccompProfile {
        try ProfileParser.parse(try text("moby-default.json")).profile
    }
}

@testable import ContainerKit

/// The real engine from scripts/test-env.sh: under CI=true it must be there; elsewhere the engine suites skip.
enum Engine {
    static let image = "contsec-test/busybox:1"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let socketPath = (try? DockerClient.socketPath(dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"]))
        ?? DockerClient.defaultSocketPath
    /// Under CI nothing skips; elsewhere the daemon must accept a connection (a socket file alone may be stale).
    static let available: Bool = {
        if isCI { return true }
        guard let socket = try? UnixSocket(connectingTo: socketPath) else { return false }
        socket.close()
        return true
    }()
    static let skipReason: Comment =
        "Docker-dependent test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"

    static func client() throws -> DockerClient { try DockerClient(socketPath: socketPath) }

    static func uniqueName(_ what: String) -> String {
        "contsec-test-seccomp-\(what)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// What a finished container printed and how it ended.
    struct Run: Sendable {
        var exitCode: Int
        var stdout: String
        var stderr: String
    }

    /// Runs `command` in a new busybox container (network none, removed afterwards) with these security options,
    /// and waits at most `timeout` seconds for it to end.
    static func run(_ docker: DockerClient, _ command: [String], securityOpt: [String] = [], user: String? = nil,
                    timeout: Double = 60) async throws -> Run {
        let name = uniqueName("run")
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: image, cmd: command, user: user, labels: ["contsec-test": "1"]),
            hostConfig: HostConfig(networkMode: "none", securityOpt: securityOpt)))
        do {
            try await docker.startContainer(created.id)
            let deadline = Date().addingTimeInterval(timeout)
            while try await docker.inspectContainer(created.id).state.running {
                guard Date() < deadline else { throw DockerError.timedOut(path: name, seconds: timeout) }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            let exitCode = try await docker.inspectContainer(created.id).state.exitCode ?? -1
            var out = "", err = ""
            for try await chunk in docker.logs(created.id, tty: false) {
                if chunk.stream == .stderr { err += chunk.text } else { out += chunk.text }
            }
            try? await docker.removeContainer(created.id, force: true)
            return Run(exitCode: exitCode, stdout: out, stderr: err)
        } catch {
            try? await docker.removeContainer(created.id, force: true)
            throw error
        }
    }
}
