import Foundation
import Testing
import ContsecProtocol
@testable import ContainerKit

/// `ContainerRecreator` against the real engine: the configuration survives field by field, the change takes effect,
/// failures roll back, and a plan changes nothing.
@Suite("Container re-create (real engine)", .serialized,
       .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineRecreateTests {
    let docker: DockerClient
    typealias Env = DockerTestEnvironment
    /// Short waits: busybox `sleep` under docker-init stops at once.
    let recreator: ContainerRecreator

    init() throws {
        docker = try Env.client()
        recreator = ContainerRecreator(docker: docker, options: .init(stopTimeout: 3, verifyDelay: 1, healthTimeout: 20))
    }

    /// A profile that allows everything but `mkdir`/`mkdirat`: its effect is visible from inside the container.
    static let noMkdirProfile = """
    {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}
    """

    /// Objects one test creates, removed afterwards whatever happened.
    final class Created: @unchecked Sendable {
        var containers: [String] = []
        var networks: [String] = []
        var volumes: [String] = []
    }

    func withObjects(_ body: (Created) async throws -> Void) async throws {
        let created = Created()
        let outcome: Result<Void, Error> = await Result(catching: { try await body(created) })
        for name in created.containers {
            // Whatever the re-create left behind under the temporary or aside names is removed too.
            for c in (try? await docker.listContainers(all: true, filters: ["name": [name]])) ?? [] {
                try? await docker.removeContainer(c.id, force: true, volumes: true)
            }
        }
        for network in created.networks { try? await docker.removeNetwork(network) }
        for volume in created.volumes { try? await docker.removeVolume(volume, force: true) }
        try outcome.get()
    }

    /// An internal network with a subnet of its own (a random /24 in 10.240–10.254, retried on a clash with
    /// networks other test runs created).
    func makeNetwork(_ created: Created) async throws -> (name: String, prefix: String) {
        let name = Env.uniqueName("seccomp-net")
        var lastError: Error?
        for _ in 0..<8 {
            let prefix = "10.\(Int.random(in: 240...254)).\(Int.random(in: 0...255))"
            do {
                _ = try await docker.createNetwork(NetworkCreateOptions(
                    name: name, internal: true, ipam: IPAM(config: [IPAM.Pool(subnet: "\(prefix).0/24")]),
                    labels: ["contsec-test": "1"]))
                created.networks.append(name)
                return (name, prefix)
            } catch { lastError = error }
        }
        throw lastError!
    }

    /// A running container with a bit of everything create accepts.
    func makeRichContainer(_ created: Created) async throws -> (name: String, net: String, ip: String, second: String) {
        let (net, prefix) = try await makeNetwork(created)
        let second = Env.uniqueName("seccomp-net2")
        _ = try await docker.createNetwork(NetworkCreateOptions(name: second, internal: true, labels: ["contsec-test": "1"]))
        created.networks.append(second)
        let volume = Env.uniqueName("seccomp-vol")
        _ = try await docker.createVolume(VolumeCreateOptions(name: volume, labels: ["contsec-test": "1"]))
        created.volumes.append(volume)
        let name = Env.uniqueName("seccomp-rich")
        created.containers.append(name)
        let ip = "\(prefix).7"
        let body: JSONValue = [
            "Image": .string(Env.image), "Cmd": ["sleep", "600"], "Env": ["FOO=bar", "EMPTY="],
            "User": "nobody", "WorkingDir": "/tmp", "Hostname": "rich-host", "Domainname": "example.test",
            "Labels": ["contsec-test": "1", "app": "rich"], "ExposedPorts": ["80/tcp": [:]],
            "Volumes": ["/anon": [:]], "StopSignal": "SIGTERM", "StopTimeout": 4,
            "Healthcheck": ["Test": ["CMD-SHELL", "true"], "Interval": 1_000_000_000, "Retries": 2],
            "HostConfig": [
                "NetworkMode": .string(net), "Init": true, "ReadonlyRootfs": false,
                "RestartPolicy": ["Name": "on-failure", "MaximumRetryCount": 3],
                "Memory": 67_108_864, "NanoCpus": 500_000_000, "PidsLimit": 64, "CpuShares": 512,
                "CapDrop": ["ALL"], "CapAdd": ["CHOWN", "NET_BIND_SERVICE"],
                "SecurityOpt": ["no-new-privileges"], "Dns": ["10.0.0.53"], "DnsSearch": ["example.test"],
                "DnsOptions": ["ndots:2"], "ExtraHosts": ["db.example.test:10.0.0.9"],
                "Sysctls": ["net.ipv4.ip_unprivileged_port_start": "80"],
                "Ulimits": [["Name": "nofile", "Soft": 1024, "Hard": 2048]],
                "Tmpfs": ["/run": "size=1m"], "ShmSize": 8_388_608,
                "Mounts": [["Type": "volume", "Source": .string(volume), "Target": "/data"]],
                "PortBindings": ["80/tcp": [["HostIp": "127.0.0.1", "HostPort": ""]]],
                "LogConfig": ["Type": "json-file", "Config": ["max-size": "1m", "max-file": "2"]],
                "GroupAdd": ["1234"], "OomScoreAdj": 100,
            ],
            "NetworkingConfig": ["EndpointsConfig": .object([
                net: ["IPAMConfig": ["IPv4Address": .string(ip)], "Aliases": ["rich-alias"]],
            ])],
        ]
        let id = try await docker.createContainer(name: name, body: body).id
        // The anonymous volume outlives the original once the new container mounts it by name: remove it at the end.
        for mount in try await docker.inspectContainer(id).mounts ?? [] where mount.destination == "/anon" {
            if let volume = mount.name { created.volumes.append(volume) }
        }
        try await docker.connect(container: id, toNetwork: second, endpoint: EndpointConfig(aliases: ["second-alias"]))
        try await docker.startContainer(id)
        // Something in the anonymous volume, to prove the new container sees the same one.
        let write = try await docker.exec(id, ExecOptions(["sh", "-c", "echo kept > /anon/marker"], user: "root"))
        #expect(write.exitCode == 0)
        return (name, net, ip, second)
    }

    /// Aliases minus the ones the engine adds by itself: the short id, and the hostname (which a re-created
    /// container keeps: by default it is the original's short id).
    static func userAliases(_ inspect: JSONValue, network: String) -> [String] {
        let automatic: Set<String> = [String(inspect["Id"]!.stringValue!.prefix(12)), inspect["Config"]!["Hostname"]!.stringValue!]
        return (inspect["NetworkSettings"]?["Networks"]?[network]?["Aliases"]?.arrayValue ?? [])
            .compactMap(\.stringValue).filter { !automatic.contains($0) }.sorted()
    }

    @Test("a seccomp change keeps every other setting, field by field, and takes effect")
    func keepsConfiguration() async throws {
        try await withObjects { created in
            let (name, net, ip, second) = try await makeRichContainer(created)
            let before = try await docker.inspectContainerJSON(name)
            let oldID = before["Id"]!.stringValue!

            let plan = try await recreator.plan(container: name, change: .seccompProfile(json: Self.noMkdirProfile, name: "no-mkdir"))
            #expect(plan.differences.map(\.path) == ["HostConfig.SecurityOpt"])
            #expect(plan.steps.map(\.kind) == [.create, .connect, .stop, .renameOld, .renameNew, .start, .verify, .removeOld])
            let seen = StepLog()
            let result = try await recreator.execute(plan) { step, outcome in seen.add(step.kind, outcome) }
            #expect(seen.kinds == plan.steps.map(\.kind))
            #expect(seen.outcomes.allSatisfy { $0 == .done })
            #expect(result.changed && result.name == name && result.originalID == oldID && result.warnings.isEmpty)

            let after = try await docker.inspectContainerJSON(name)
            let newID = after["Id"]!.stringValue!
            #expect(newID == result.containerID && newID != oldID)
            #expect(after["State"]?["Running"] == true)

            // Config: every field the engine reports is the same.
            let oldConfig = before["Config"]!.objectValue!, newConfig = after["Config"]!.objectValue!
            for key in Set(oldConfig.keys).union(newConfig.keys).sorted() {
                #expect(oldConfig[key] == newConfig[key], "Config.\(key): \(String(describing: oldConfig[key])) → \(String(describing: newConfig[key]))")
            }
            // HostConfig: the same except the profile, and Mounts, which now name the anonymous volume.
            let oldHost = before["HostConfig"]!.objectValue!, newHost = after["HostConfig"]!.objectValue!
            for key in Set(oldHost.keys).union(newHost.keys).sorted() where !["SecurityOpt", "Mounts"].contains(key) {
                #expect(oldHost[key] == newHost[key], "HostConfig.\(key): \(String(describing: oldHost[key])) → \(String(describing: newHost[key]))")
            }
            #expect(newHost["SecurityOpt"] == .array(["no-new-privileges", .string("seccomp=" + Self.noMkdirProfile)]))
            let anonymous = before["Mounts"]!.arrayValue!.first { $0["Destination"] == "/anon" }!
            #expect(newHost["Mounts"]?.arrayValue == (oldHost["Mounts"]?.arrayValue ?? []) + [[
                "Type": "volume", "Source": anonymous["Name"]!, "Target": "/anon"]])
            // What is mounted: the same volumes at the same places, the anonymous one's data included.
            func mounts(_ inspect: JSONValue) -> [String] {
                inspect["Mounts"]!.arrayValue!.map { "\($0["Type"]!) \($0["Name"] ?? "-") \($0["Destination"]!) rw=\($0["RW"]!)" }.sorted()
            }
            #expect(mounts(before) == mounts(after))
            let marker = try await docker.exec(newID, ExecOptions(["cat", "/anon/marker"]))
            #expect(marker.stdoutText == "kept\n")

            // Networks: both, with the static address and the aliases.
            let oldNets = before["NetworkSettings"]!["Networks"]!.objectValue!, newNets = after["NetworkSettings"]!["Networks"]!.objectValue!
            #expect(Set(newNets.keys) == [net, second])
            #expect(Set(oldNets.keys) == Set(newNets.keys))
            for network in oldNets.keys {
                #expect(Self.userAliases(before, network: network) == Self.userAliases(after, network: network))
                #expect(oldNets[network]?["IPAMConfig"] == newNets[network]?["IPAMConfig"])
            }
            #expect(newNets[net]?["IPAddress"] == .string(ip))
            #expect(Self.userAliases(after, network: second) == ["second-alias"])
            #expect(Self.userAliases(after, network: net) == ["rich-alias"])

            // The change took effect: mkdir is refused inside, other things still work.
            let mkdir = try await docker.exec(newID, ExecOptions(["mkdir", "/tmp/x"]))
            #expect(mkdir.exitCode != 0)
            #expect(mkdir.stderrText.contains("Operation not permitted"))
            #expect(try await docker.exec(newID, ExecOptions(["touch", "/tmp/y"])).exitCode == 0)

            // The original is gone, and nothing is left under the temporary or aside names.
            await #expect(throws: DockerError.notFound(kind: .container, name: oldID)) { _ = try await docker.inspectContainer(oldID) }
            let leftovers = try await docker.listContainers(all: true, filters: ["name": [name + "-contsec-"]])
            #expect(leftovers.isEmpty)

            // Applying the same change again is a no-op.
            let again = try await recreator.plan(container: name, change: .seccompProfile(json: Self.noMkdirProfile, name: "no-mkdir"))
            #expect(again.isNoChange && again.steps.isEmpty)
            #expect(try await recreator.execute(again).changed == false)
            #expect(try await docker.inspectContainerJSON(name)["Id"]?.stringValue == newID)
        }
    }

    /// Runs a container, re-creates it with `change`, and checks the failure rolled back completely.
    func expectRollback(change: RecreateChange, failingAt kind: RecreateStep.Kind, reasonContains words: String) async throws {
        try await withObjects { created in
            let name = Env.uniqueName("seccomp-rollback")
            created.containers.append(name)
            let id = try await docker.createContainer(name: name, ContainerCreateOptions(
                config: ContainerConfig(image: Env.image, cmd: ["sleep", "600"], labels: ["contsec-test": "1"]),
                hostConfig: HostConfig(networkMode: "none", init: true))).id
            try await docker.startContainer(id)
            let before = try await docker.inspectContainer(id)

            let plan = try await recreator.plan(container: name, change: change)
            do {
                _ = try await recreator.execute(plan)
                Issue.record("the re-create should have failed at \(kind)")
            } catch RecreateError.failed(let failure) {
                #expect(failure.step.kind == kind)
                #expect(failure.reason.contains(words), "\(failure.reason)")
                #expect(failure.rolledBack, "\(failure)")
                #expect(failure.rollback.map(\.action).count == 3)
                #expect(failure.description.contains("rolled back"))
            }
            // The original is back: same id, same name, running again, same configuration.
            let after = try await docker.inspectContainer(name)
            #expect(after.id == id)
            #expect(after.state.running)
            #expect(after.hostConfig == before.hostConfig)
            #expect(after.config == before.config)
            let leftovers = try await docker.listContainers(all: true, filters: ["name": [name + "-contsec-"]])
            #expect(leftovers.isEmpty)
        }
    }

    @Test("a profile the engine refuses at start: rolled back, the original runs again")
    func rollbackOnRefusedProfile() async throws {
        try await expectRollback(change: .seccompProfile(json: "{\"defaultAction\":\"SCMP_ACT_NONSENSE\"}", name: "broken"),
                                 failingAt: .start, reasonContains: "SCMP_ACT_NONSENSE")
    }

    @Test("a profile the app dies under: verification fails, rolled back")
    func rollbackOnVerification() async throws {
        // busybox sleep needs nanosleep/clock_nanosleep: refused, it exits at once.
        let profile = """
        {"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["nanosleep","clock_nanosleep"],"action":"SCMP_ACT_ERRNO"}]}
        """
        try await expectRollback(change: .seccompProfile(json: profile, name: "no-sleep"),
                                 failingAt: .verify, reasonContains: "stopped")
    }

    @Test("planning changes nothing; a stopped container is re-created without being started")
    func planAndStopped() async throws {
        try await withObjects { created in
            let name = Env.uniqueName("seccomp-stopped")
            created.containers.append(name)
            let id = try await docker.createContainer(name: name, ContainerCreateOptions(
                config: ContainerConfig(image: Env.image, cmd: ["sleep", "600"], labels: ["contsec-test": "1"]),
                hostConfig: HostConfig(networkMode: "none"))).id
            let before = try await docker.inspectContainerJSON(id)
            let plan = try await recreator.plan(container: name, change: .appArmorProfile("unconfined"))
            #expect(try await docker.inspectContainerJSON(id) == before)
            #expect(plan.differences.map(\.description) == ["HostConfig.SecurityOpt: (unset) → [\"apparmor=unconfined\"]"])
            #expect(plan.steps.map(\.kind) == [.create, .renameOld, .renameNew, .removeOld])
            #expect(try await docker.listContainers(all: true, filters: ["name": [name + "-contsec-"]]).isEmpty)

            let result = try await recreator.execute(plan)
            let after = try await docker.inspectContainer(name)
            #expect(after.id == result.containerID && after.id != id)
            #expect(after.state.status == "created")
            #expect(after.hostConfig.securityOpt == ["apparmor=unconfined"])
        }
    }

    @Test("network changes: connect with an alias, disconnect the primary network")
    func networkChanges() async throws {
        try await withObjects { created in
            let (first, _) = try await makeNetwork(created)
            let (second, prefix) = try await makeNetwork(created)
            let name = Env.uniqueName("seccomp-nets")
            created.containers.append(name)
            let id = try await docker.createContainer(name: name, ContainerCreateOptions(
                config: ContainerConfig(image: Env.image, cmd: ["sleep", "600"], labels: ["contsec-test": "1"]),
                hostConfig: HostConfig(networkMode: first, init: true))).id
            try await docker.startContainer(id)

            let plan = try await recreator.plan(container: name, change: .connect(network: second, aliases: ["api"], ipv4Address: "\(prefix).20"))
            _ = try await recreator.execute(plan)
            let both = try await docker.inspectContainerJSON(name)
            #expect(both["NetworkSettings"]?["Networks"]?[second]?["IPAddress"] == .string("\(prefix).20"))
            #expect(Self.userAliases(both, network: second) == ["api"])
            let inside = try await docker.exec(both["Id"]!.stringValue!, ExecOptions(["ip", "-4", "addr"]))
            #expect(inside.stdoutText.contains("\(prefix).20/24"))

            _ = try await recreator.execute(try await recreator.plan(container: name, change: .disconnect(network: first)))
            let one = try await docker.inspectContainerJSON(name)
            #expect(one["HostConfig"]?["NetworkMode"] == .string(second))
            #expect(one["NetworkSettings"]?["Networks"]?.objectValue?.keys.sorted() == [second])
            await #expect(throws: RecreateError.self) {
                _ = try await recreator.plan(container: name, change: .disconnect(network: first))
            }
        }
    }
}

/// Steps reported by `execute`, in order.
final class StepLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(RecreateStep.Kind, ContainerRecreator.StepOutcome)] = []
    func add(_ kind: RecreateStep.Kind, _ outcome: ContainerRecreator.StepOutcome) {
        lock.lock(); entries.append((kind, outcome)); lock.unlock()
    }
    var kinds: [RecreateStep.Kind] { lock.lock(); defer { lock.unlock() }; return entries.map(\.0) }
    var outcomes: [ContainerRecreator.StepOutcome] { lock.lock(); defer { lock.unlock() }; return entries.map(\.1) }
}
