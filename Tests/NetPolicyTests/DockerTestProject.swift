import Foundation
import Testing
@testable import ContainerKit
@testable import NetPolicy

/// Docker-dependent tests run whenever a daemon answers, always under CI=true (where a missing engine must fail).
enum NetPolicyDocker {
    static let image = "contsec-test/busybox:1"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let socketPath = (try? DockerClient.socketPath(dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"]))
        ?? DockerClient.defaultSocketPath
    static let shouldRun: Bool = {
        if isCI { return true }
        guard let socket = try? UnixSocket(connectingTo: socketPath) else { return false }
        socket.close()
        return true
    }()
    static let skipReason: Comment =
        "netpolicy engine test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"
}

/// One test's application: a prefix `contsec-test-netpolicy-<uuid>`, its tier networks (all internal) and its
/// containers, every object labelled `contsec-test=1` and removed by `cleanup()`.
struct TestProject {
    let docker: DockerClient
    let prefix = "contsec-test-netpolicy-" + UUID().uuidString.prefix(8).lowercased()
    let tiers = ["frontend", "backend", "data"]

    init() throws { docker = try DockerClient(socketPath: NetPolicyDocker.socketPath) }

    var layout: TierLayout { TierLayout(prefix: prefix, tiers: tiers) }
    var setup: NetworkSetup { NetworkSetup(layout: layout, internalTiers: Set(tiers), extraLabels: ["contsec-test": "1"]) }

    /// A busybox container for `service` that accepts TCP on `ports` (each connection answered and closed).
    @discardableResult
    func run(_ service: String, ports: [Int], network: String) async throws -> String {
        let listeners = ports.map { "nc -ll -p \($0) -e /bin/true &" }.joined(separator: " ")
        let name = "\(prefix)-\(service)"
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(
            config: ContainerConfig(image: NetPolicyDocker.image, cmd: ["sh", "-c", "\(listeners) exec sleep 600"],
                                    labels: ["contsec-test": "1", TierLayout.serviceLabel: service, TierLayout.projectLabel: prefix]),
            hostConfig: HostConfig(networkMode: network, init: true)))
        try await docker.startContainer(created.id)
        return name
    }

    /// An extra internal network of this test (not a tier), for containers to start on.
    func scratchNetwork() async throws -> String {
        let name = "\(prefix)-scratch"
        _ = try await docker.createNetwork(NetworkCreateOptions(name: name, internal: true, labels: ["contsec-test": "1"]))
        return name
    }

    func cleanup() async {
        let containers = (try? await docker.listContainers(all: true, filters: ["name": [prefix]])) ?? []
        for c in containers where c.names.contains(where: { $0.hasPrefix("/" + prefix) }) {
            try? await docker.removeContainer(c.id, force: true)
        }
        let networks = (try? await docker.listNetworks(filters: ["name": [prefix]])) ?? []
        for n in networks where n.name.hasPrefix(prefix) { try? await docker.removeNetwork(n.id) }
    }

    /// Runs `body`, then cleans up whatever happened.
    func use(_ body: (TestProject) async throws -> Void) async throws {
        do { try await body(self) } catch { await cleanup(); throw error }
        await cleanup()
    }
}
