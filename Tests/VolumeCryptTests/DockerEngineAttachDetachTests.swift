import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt

@Suite("Attach and detach (real engine, ContainerKit re-create)", .enabled(if: VolumeCryptEnvironment.canRun, VolumeCryptEnvironment.skipReason))
struct DockerEngineAttachDetachTests {
    /// `Config` and `HostConfig` of a container's inspect output, with the mount lists set aside.
    static func settings(_ docker: DockerClient, _ name: String) async throws -> (config: [String: JSONValue], host: [String: JSONValue], volumes: [String]) {
        let inspect = try await docker.inspectContainerJSON(name)
        var host = try #require(inspect["HostConfig"]?.objectValue)
        host.removeValue(forKey: "Mounts")
        let volumes = (inspect["Mounts"]?.arrayValue ?? []).compactMap { $0["Name"]?.stringValue }
        return (try #require(inspect["Config"]?.objectValue), host, volumes)
    }

    /// Keys whose values differ between two objects.
    static func differingKeys(_ a: [String: JSONValue], _ b: [String: JSONValue]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    @Test("attach then detach keep every setting of the container; a non-root process writes through the encrypted volume")
    func keepsConfiguration() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let volume = VolumeCryptEnvironment.uniqueName()
            _ = try await CreateVolume.run(CreateOptions(name: volume, kind: .encrypted, uid: 65534, gid: 65534), ctx)
            var config = ContainerConfig(env: ["APP_MODE=production", "TOKEN=not-shown"], user: "65534:65534", workingDir: "/tmp",
                                         labels: ["app": "web"], stopSignal: "SIGINT")
            config.healthcheck = HealthcheckConfig(test: ["CMD-SHELL", "true"], interval: 1_000_000_000, retries: 3)
            var host = HostConfig(capAdd: ["NET_ADMIN"], capDrop: ["MKNOD"], securityOpt: ["no-new-privileges:true"], readonlyRootfs: true,
                                  memory: 64 << 20, pidsLimit: 64, restartPolicy: RestartPolicy(name: "on-failure", maximumRetryCount: 3))
            host.tmpfs = ["/run": "size=1m"]
            let name = try await fx.startContainer(binds: [], config: config, hostConfig: host)
            let before = try await Self.settings(fx.docker, name)
            let originalID = try await fx.docker.inspectContainer(name).id

            fx.recorded.clear()
            _ = try await AttachDetach.attach(.init(volume: volume, container: name, mountPath: "/app/data"), try fx.context(dryRun: true))
            #expect(fx.recorded.actions.allSatisfy { $0.status == .planned })
            #expect(fx.recorded.actions.last?.kind == "volume-attached")
            #expect(try await fx.docker.inspectContainer(name).id == originalID, "dry-run re-created the container")

            _ = try await AttachDetach.attach(.init(volume: volume, container: name, mountPath: "/app/data"), ctx)
            let attached = try await Self.settings(fx.docker, name)
            let inspect = try await fx.docker.inspectContainer(name)
            #expect(inspect.id != originalID && inspect.state.running)
            #expect(attached.volumes == [volume])
            #expect(Self.differingKeys(before.config, attached.config).isEmpty, "Config changed: \(Self.differingKeys(before.config, attached.config))")
            #expect(Self.differingKeys(before.host, attached.host).isEmpty, "HostConfig changed: \(Self.differingKeys(before.host, attached.host))")
            let write = try await fx.docker.exec(name, ExecOptions(["sh", "-c", "id -u && echo from-nobody > /app/data/f && cat /app/data/f"]))
            #expect(write.exitCode == 0 && write.stdoutText == "65534\nfrom-nobody\n", "\(write.stderrText)")
            #expect(try String(contentsOfFile: fx.state.dataDirectory(volume) + "/f", encoding: .utf8) == "from-nobody\n")
            #expect(try await fx.docker.listContainers(all: true, filters: ["name": ["\(name)-contsec-"]]).isEmpty)

            _ = try await AttachDetach.detach(.init(volume: volume, container: name), ctx)
            let detached = try await Self.settings(fx.docker, name)
            #expect(detached.volumes.isEmpty)
            #expect(Self.differingKeys(before.config, detached.config).isEmpty)
            #expect(Self.differingKeys(before.host, detached.host).isEmpty)
            #expect(try await fx.docker.inspectContainer(name).state.running)
            await #expect(throws: VolumeCryptError.self) { _ = try await AttachDetach.detach(.init(volume: volume, container: name), ctx) }
        }
    }

    @Test("a container that fails with the volume is rolled back: the original runs again, unchanged, and the copy is gone")
    func rollsBack() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let volume = VolumeCryptEnvironment.uniqueName("temp")
            _ = try await CreateVolume.run(CreateOptions(name: volume, kind: .temp), ctx)
            // This application refuses to run once /data exists: the re-created container exits at once.
            let name = try await fx.startContainer(binds: [], command: ["sh", "-c", "[ -e /data ] && exit 3; " + VolumeCryptFixture.idle[2]])
            let originalID = try await fx.docker.inspectContainer(name).id
            do {
                _ = try await AttachDetach.attach(.init(volume: volume, container: name, mountPath: "/data", readOnly: true), ctx)
                Issue.record("attach reported success for a container that cannot run with the volume")
            } catch let error as VolumeCryptError {
                #expect(error.description.contains("rolled back"), "\(error)")
            }
            let now = try await fx.docker.inspectContainer(name)
            #expect(now.id == originalID && now.state.running)
            #expect(now.mounts?.contains { $0.name == volume } != true)
            #expect(try await fx.docker.listContainers(all: true, filters: ["name": ["\(name)-contsec-"]]).isEmpty)
            #expect(fx.recorded.actions.contains { $0.kind == "volume-attached" && $0.status == .failed })
        }
    }

    @Test("--read-only attaches the volume read-only: the container reads it but cannot write into it")
    func readOnly() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let volume = VolumeCryptEnvironment.uniqueName()
            _ = try await CreateVolume.run(CreateOptions(name: volume, kind: .encrypted), ctx)
            try Data("seeded\n".utf8).write(to: URL(fileURLWithPath: fx.state.dataDirectory(volume) + "/seed.txt"))
            let name = try await fx.startContainer(binds: [])
            _ = try await AttachDetach.attach(.init(volume: volume, container: name, mountPath: "/app/data", readOnly: true), ctx)
            let mount = try #require(try await fx.docker.inspectContainer(name).mounts?.first { $0.name == volume })
            #expect(mount.destination == "/app/data" && mount.rw == false)
            let read = try await fx.docker.exec(name, ExecOptions(["cat", "/app/data/seed.txt"]))
            #expect(read.exitCode == 0 && read.stdoutText == "seeded\n")
            let write = try await fx.docker.exec(name, ExecOptions(["sh", "-c", "echo x > /app/data/new.txt"]))
            #expect(write.exitCode != 0 && write.stderrText.contains("Read-only file system"), "\(write.exitCode) \(write.stderrText)")
            #expect(!FileManager.default.fileExists(atPath: fx.state.dataDirectory(volume) + "/new.txt"))
        }
    }

    @Test("attach refuses a closed encrypted volume, someone else's volume, a relative path, and an unknown container")
    func refusals() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let volume = VolumeCryptEnvironment.uniqueName()
            _ = try await CreateVolume.run(CreateOptions(name: volume, kind: .encrypted), ctx)
            let name = try await fx.startContainer(binds: [])
            let originalID = try await fx.docker.inspectContainer(name).id
            _ = try await OpenCloseVolume.close(volume, ctx)
            func message(_ request: AttachDetach.Request) async -> String {
                do { _ = try await AttachDetach.attach(request, ctx); return "attached" } catch { return "\(error)" }
            }
            #expect(await message(.init(volume: volume, container: name, mountPath: "/d")).contains("is not mounted: open it first"))
            #expect(await message(.init(volume: "not-ours-\(UUID().uuidString.prefix(6))", container: name, mountPath: "/d")).contains("no volume-crypt volume"))
            #expect(await message(.init(volume: volume, container: name, mountPath: "data")).contains("--mount"))
            #expect(await message(.init(volume: volume, container: "no-such-\(UUID().uuidString.prefix(6))", mountPath: "/d")).contains("no container named"))
            #expect(try await fx.docker.inspectContainer(name).id == originalID)
        }
    }
}
