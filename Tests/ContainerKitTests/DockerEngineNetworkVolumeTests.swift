import Foundation
import Testing
@testable import ContainerKit

@Suite("Docker networks and volumes (real engine)", .serialized,
       .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineNetworkVolumeTests {
    let docker: DockerClient
    typealias Env = DockerTestEnvironment
    /// Only a docker-internal network: nothing is ever sent to it from outside the containers.
    static let subnet = "172.31.250.0/24"

    init() throws { docker = try Env.client() }

    /// Removes networks left by an earlier, interrupted run so the fixed subnet is free. Only this suite's own
    /// (named `contsec-test-net-...` on the fixed subnet): other suites and other engineers' runs create
    /// `contsec-test` networks at the same time.
    private func removeStaleTestNetworks() async throws {
        for network in try await docker.listNetworks(filters: ["label": ["contsec-test=1"]])
        where network.name.hasPrefix("contsec-test-net-") && network.ipam?.config?.contains(where: { $0.subnet == Self.subnet }) == true {
            try? await docker.removeNetwork(network.id)
        }
    }

    @Test("internal network with a fixed subnet; connect and disconnect a container")
    func internalNetwork() async throws {
        try await removeStaleTestNetworks()
        let name = Env.uniqueName("net")
        let created = try await docker.createNetwork(NetworkCreateOptions(
            name: name, driver: "bridge", internal: true,
            ipam: IPAM(config: [IPAM.Pool(subnet: Self.subnet, gateway: "172.31.250.1")]),
            options: ["com.docker.network.bridge.enable_icc": "true"],
            labels: ["contsec-test": "1"]))
        do {
            let network = try await docker.inspectNetwork(name)
            #expect(network.id == created.id)
            #expect(network.internal == true)
            #expect(network.ipam?.config?.first?.subnet == Self.subnet)
            #expect(network.ipam?.config?.first?.gateway == "172.31.250.1")
            #expect(network.labels?["contsec-test"] == "1")
            #expect(network.options?["com.docker.network.bridge.enable_icc"] == "true")
            #expect(try await docker.listNetworks(filters: ["name": [name]]).map(\.id) == [created.id])

            // The container starts on a second internal network of its own: on a daemon with "bridge":"none" a
            // container left in the default network mode never gets an interface for networks connected later.
            let home = try await docker.createNetwork(NetworkCreateOptions(name: name + "-home", internal: true,
                                                                           labels: ["contsec-test": "1"]))
            let onHome = HostConfig(networkMode: name + "-home")
            let outcome: Result<Void, Error> = await Result(catching: { try await Env.withContainer(docker, hostConfig: onHome) { id, _ in
                try await docker.connect(container: id, toNetwork: name,
                                         endpoint: EndpointConfig(ipamConfig: .init(ipv4Address: "172.31.250.10")))
                let attached = try await docker.inspectContainer(id)
                #expect(attached.networkSettings?.networks?[name]?.ipAddress == "172.31.250.10")
                #expect(try await docker.inspectNetwork(name).containers?[id] != nil)
                // The effect inside the container: an interface with that address.
                let addresses = try await docker.exec(id, ExecOptions(["ip", "-4", "addr"]))
                #expect(addresses.stdoutText.contains("172.31.250.10/24"))

                try await docker.disconnect(container: id, fromNetwork: name)
                let detached = try await docker.inspectContainer(id)
                #expect(detached.networkSettings?.networks?[name] == nil)
                #expect(try await docker.inspectNetwork(name).containers?[id] == nil)
                let after = try await docker.exec(id, ExecOptions(["ip", "-4", "addr"]))
                #expect(!after.stdoutText.contains("172.31.250.10"))
            } })
            try await docker.removeNetwork(home.id)
            try outcome.get()
        } catch {
            try? await docker.removeNetwork(created.id)
            throw error
        }
        try await docker.removeNetwork(created.id)
        await #expect(throws: DockerError.notFound(kind: .network, name: name)) {
            _ = try await docker.inspectNetwork(name)
        }
    }

    @Test("tmpfs-backed volume with driver options is mountable")
    func tmpfsVolume() async throws {
        let name = Env.uniqueName("vol")
        let options = ["type": "tmpfs", "device": "tmpfs", "o": "size=16m"]
        let volume = try await docker.createVolume(VolumeCreateOptions(name: name, driver: "local", driverOpts: options,
                                                                       labels: ["contsec-test": "1"]))
        do {
            #expect(volume.name == name)
            let inspected = try await docker.inspectVolume(name)
            #expect(inspected.driver == "local")
            #expect(inspected.options == options)
            #expect(inspected.labels?["contsec-test"] == "1")
            #expect(try await docker.listVolumes(filters: ["name": [name]]).map(\.name) == [name])

            let host = HostConfig(mounts: [MountSpec(type: "volume", source: name, target: "/data")])
            try await Env.withContainer(docker, hostConfig: host) { id, _ in
                let mounts = try await docker.exec(id, ExecOptions(["sh", "-c", "grep ' /data ' /proc/mounts; echo x > /data/f; cat /data/f"]))
                #expect(mounts.exitCode == 0)
                #expect(mounts.stdoutText.hasPrefix("tmpfs /data tmpfs"))
                #expect(mounts.stdoutText.contains("size=16384k"))
                #expect(mounts.stdoutText.hasSuffix("x\n"))
                let inspected = try await docker.inspectContainer(id)
                #expect(inspected.mounts?.contains { $0.name == name && $0.destination == "/data" } == true)
            }
        } catch {
            try? await docker.removeVolume(name, force: true)
            throw error
        }
        try await docker.removeVolume(name)
        await #expect(throws: DockerError.notFound(kind: .volume, name: name)) {
            _ = try await docker.inspectVolume(name)
        }
    }
}
