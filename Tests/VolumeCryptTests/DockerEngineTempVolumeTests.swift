import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt

@Suite("Temp volumes (real engine, tmpfs)", .enabled(if: VolumeCryptEnvironment.canRun, VolumeCryptEnvironment.skipReason))
struct DockerEngineTempVolumeTests {
    @Test("a temp volume is tmpfs inside the container, and gc removes an auto-delete one only once its container is gone")
    func tmpfsAndGC() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName("temp")
            let kept = VolumeCryptEnvironment.uniqueName("kept")
            _ = try await CreateVolume.run(CreateOptions(name: name, kind: .temp, size: "8m", mode: "0770", autoDelete: true), ctx)
            _ = try await CreateVolume.run(CreateOptions(name: kept, kind: .temp), ctx)
            let user = try await fx.startContainer(binds: ["\(name):/cache"])
            let mounts = try await fx.docker.exec(user, ExecOptions(["sh", "-c", "echo x > /cache/f && grep ' /cache ' /proc/mounts"]))
            let fields = mounts.stdoutText.split(separator: " ")
            #expect(fields.count > 3 && fields[2] == "tmpfs", "\(mounts.stdoutText)")
            #expect(mounts.stdoutText.contains("size=8192k") && mounts.stdoutText.contains("mode=770"))

            #expect(try await GarbageCollector.collect(ctx).isEmpty, "collected while a container used it")
            // The implicit collection at the start of a run spares young volumes even when unused.
            try await fx.removeContainer(user)
            #expect(try await GarbageCollector.collect(ctx, minimumAge: GarbageCollector.implicitMinimumAge).isEmpty)
            fx.recorded.clear()
            #expect(try await GarbageCollector.collect(try fx.context(dryRun: true)).isEmpty)
            #expect(fx.recorded.actions.map { "\($0.kind) \($0.target) \($0.status.rawValue)" } == ["volume-removed \(name) planned"])
            #expect(try await GarbageCollector.collect(ctx) == [name])
            await #expect(throws: DockerError.notFound(kind: .volume, name: name)) { _ = try await fx.docker.inspectVolume(name) }
            #expect(try await fx.docker.inspectVolume(kept).name == kept, "a volume without --auto-delete was collected")
        }
    }

    @Test("a temp volume is backed up only with --allow-plaintext, age-encrypted to the recipient, with a manifest")
    func plaintextBackup() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName("temp")
            _ = try await CreateVolume.run(CreateOptions(name: name, kind: .temp), ctx)
            let user = try await fx.startContainer(binds: ["\(name):/cache"])
            _ = try await fx.docker.exec(user, ExecOptions(["sh", "-c", "echo cached-secret > /cache/a && mkdir /cache/d && echo b > /cache/d/b"]))
            let archive = fx.workspace + "/cache.tar.age"
            await #expect(throws: VolumeCryptError.self) { _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive), ctx) }

            let identity = fx.workspace + "/id.txt"
            _ = try await ToolRunner().run("age-keygen", ["-o", identity]).checked()
            let recipient = try #require(try String(contentsOfFile: identity, encoding: .utf8).split(separator: "\n")
                .first { $0.hasPrefix("# public key: ") }.map { String($0.dropFirst("# public key: ".count)) })
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive, allowPlaintext: true, recipients: [recipient]), ctx)
            let sealed = try Data(contentsOf: URL(fileURLWithPath: archive))
            #expect(sealed.range(of: Data("cached-secret".utf8)) == nil)
            let manifest = try BackupManifest.load(forArchive: archive)
            let digest = try FileDigest.sha256(path: archive)
            #expect(manifest.encryption == "age" && manifest.kind == .temp && manifest.archive.sha256 == digest)
            #expect(manifest.files.map(\.path) == ["cache", "cache/a", "cache/d", "cache/d/b"])
            #expect(manifest.files[1].sha256 == SHA256.hex(Array("cached-secret\n".utf8)))
            let opened = try await ToolRunner().run("age", ["-d", "-i", identity, archive]).checked()
            let entries = try TarListing.entries(opened.stdout)
            #expect(entries == manifest.files)
        }
    }
}
