import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt
#if canImport(Glibc)
import Glibc
#endif

@Suite("Backup and restore (real gocryptfs, tar and engine)", .enabled(if: VolumeCryptEnvironment.canRun, VolumeCryptEnvironment.skipReason))
struct DockerEngineBackupRestoreTests {
    /// An encrypted volume holding files of several sizes, modes and owners, a folder and a symlink, written by a container.
    static func populated(_ fx: VolumeCryptFixture, key: String? = nil) async throws -> String {
        let name = VolumeCryptEnvironment.uniqueName()
        _ = try await CreateVolume.run(CreateOptions(name: name, kind: .encrypted, keyFile: key), try fx.context())
        let script = """
            set -e; cd /data
            echo first > a.txt; chmod 640 a.txt
            mkdir -p deep/er; chmod 750 deep
            head -c 300000 /dev/urandom > deep/er/random.bin; chmod 600 deep/er/random.bin
            echo owned > nobody.txt; chown 65534:65534 nobody.txt
            ln -s a.txt link-to-a; : > empty
            """
        let (status, output) = try await fx.runContainer(binds: ["\(name):/data"], script)
        #expect(status == 0, "\(output)")
        return name
    }

    @Test("backup then restore gives back every file byte for byte, with modes, owners and links; the backup is 0600 and encrypted")
    func roundTrip() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = try await Self.populated(fx)
            let data = fx.state.dataDirectory(name)
            let original = try VolumeCryptFixture.snapshot(data)
            #expect(original.count == 7)

            let archive = fx.workspace + "/backups/\(name).tar.gz"
            let result = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive), ctx)
            var info = stat()
            #expect(stat(archive, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(stat(BackupManifest.path(forArchive: archive), &info) == 0 && info.st_mode & 0o777 == 0o600)
            let manifest = try BackupManifest.load(forArchive: archive)
            #expect(manifest.archive.sha256 == (try FileDigest.sha256(path: archive)))
            #expect(result["sha256"] == manifest.archive.sha256)
            #expect(manifest.files.contains { $0.path == "gocryptfs.conf" })
            #expect(manifest.files.filter { $0.kind == .file }.allSatisfy { $0.sha256?.count == 64 })
            // The archive holds ciphertext only: the random file's plaintext bytes are not in it.
            let randomBytes = try Data(contentsOf: URL(fileURLWithPath: data + "/deep/er/random.bin"))
            let listing = try await ToolRunner().run("tar", ["-xzOf", archive])
            #expect(listing.stdout.range(of: randomBytes.prefix(64)) == nil)

            // Change everything, then restore.
            let (status, _) = try await fx.runContainer(binds: ["\(name):/data"],
                                                        "echo changed > /data/a.txt; rm -r /data/deep; chmod 777 /data/nobody.txt; echo new > /data/new.txt")
            #expect(status == 0)
            #expect(try VolumeCryptFixture.snapshot(data) != original)
            _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: archive), ctx).run()
            #expect(try VolumeCryptFixture.snapshot(data) == original)
            #expect(OpenCloseVolume.isMounted(name, fx.state))
            let (readStatus, output) = try await fx.runContainer(binds: ["\(name):/data"], "cat /data/a.txt; readlink /data/link-to-a")
            #expect(readStatus == 0 && output == "first\na.txt\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: fx.state.stagingDirectory).isEmpty)
        }
    }

    @Test("a flipped byte, a truncated archive, a wrong key and a volume in use are each refused; the live volume is unchanged")
    func refusals() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = try await Self.populated(fx)
            let archive = fx.workspace + "/good.tar.gz"
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive), ctx)
            let manifestData = try Data(contentsOf: URL(fileURLWithPath: BackupManifest.path(forArchive: archive)))
            let archiveData = try Data(contentsOf: URL(fileURLWithPath: archive))
            // The live volume moves on after the backup: a failed restore must keep this state, not the backup's.
            let (status, _) = try await fx.runContainer(binds: ["\(name):/data"], "echo live-after-backup > /data/a.txt")
            #expect(status == 0)
            let live = try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name))
            let liveCipher = try VolumeCryptFixture.snapshot(fx.state.cipherDirectory(name))

            func variant(_ file: String, _ bytes: Data) throws -> String {
                let path = fx.workspace + "/" + file
                try bytes.write(to: URL(fileURLWithPath: path))
                try manifestData.write(to: URL(fileURLWithPath: BackupManifest.path(forArchive: path)))
                return path
            }
            var flipped = archiveData
            flipped[archiveData.count / 2] ^= 0x01
            let cases: [(String, String, String?, String)] = [
                ("flipped byte", try variant("flipped.tar.gz", flipped), nil, "corrupt archive"),
                ("truncated", try variant("truncated.tar.gz", archiveData.prefix(archiveData.count - 100)), nil, "truncated?"),
                ("wrong key", archive, try fx.keyFile("wrong.key"), "wrong key"),
            ]
            for (label, path, key, expected) in cases {
                do {
                    _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: path, keyFile: key), ctx).run()
                    Issue.record("\(label): restore went ahead")
                } catch let error as VolumeCryptError {
                    #expect(error.description.contains(expected), "\(label): \(error)")
                    #expect(error.description.contains("the live volume was not touched"), "\(label): \(error)")
                }
                #expect(try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name)) == live, "\(label) changed the live volume")
                #expect(try VolumeCryptFixture.snapshot(fx.state.cipherDirectory(name)) == liveCipher, "\(label) changed the cipher directory")
                #expect(OpenCloseVolume.isMounted(name, fx.state))
            }

            let user = try await fx.startContainer(binds: ["\(name):/data"])
            do {
                _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: archive), ctx).run()
                Issue.record("restore went ahead under a running container")
            } catch let error as VolumeCryptError {
                #expect(error.description.contains("in use by running containers \(user)"))
            }
            #expect(try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name)) == live)
            #expect(try FileManager.default.contentsOfDirectory(atPath: fx.state.stagingDirectory).isEmpty)
        }
    }

    @Test("a restore the state folder's disk cannot hold is refused as disk full; the live volume is unchanged")
    func diskFull() async throws {
        try await VolumeCryptFixture.with { fx in
            // The state folder on an 18 MiB tmpfs: room for a 2 MiB volume, not for a verified copy of it and restore's
            // 16 MiB reserve.
            try FileManager.default.createDirectory(atPath: fx.stateRoot, withIntermediateDirectories: true)
            _ = try await ToolRunner().run("mount", ["-t", "tmpfs", "-o", "size=18m,mode=0700", "tmpfs", fx.stateRoot]).checked()
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName()
            _ = try await CreateVolume.run(CreateOptions(name: name, kind: .encrypted), ctx)
            let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom")).readData(ofLength: 2 << 20)
            try random.write(to: URL(fileURLWithPath: fx.state.dataDirectory(name) + "/big.bin"))
            let archive = fx.workspace + "/big.tar"
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive), ctx)
            let live = try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name))
            let liveCipher = try VolumeCryptFixture.snapshot(fx.state.cipherDirectory(name))
            do {
                _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: archive), ctx).run()
                Issue.record("a restore larger than the free space went ahead")
            } catch let error as VolumeCryptError {
                #expect(error.description.contains("disk full"), "\(error)")
                #expect(error.description.contains("the live volume was not touched"), "\(error)")
            }
            #expect(try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name)) == live)
            #expect(try VolumeCryptFixture.snapshot(fx.state.cipherDirectory(name)) == liveCipher)
            #expect(OpenCloseVolume.isMounted(name, fx.state))
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: fx.state.stagingDirectory)) ?? []).isEmpty)
        }
    }

    @Test("--to restores beside the original into a new volume a container can use; the original is untouched")
    func restoreBeside() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let key = try fx.keyFile()
            let name = try await Self.populated(fx, key: key)
            let archive = fx.workspace + "/b.tar"
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: archive), ctx)
            let original = try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name))
            let copy = VolumeCryptEnvironment.uniqueName("copy")
            _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: archive, newVolume: copy), ctx).run()
            #expect(try VolumeCryptFixture.snapshot(fx.state.dataDirectory(copy)) == original)
            #expect(try VolumeCryptFixture.snapshot(fx.state.dataDirectory(name)) == original)
            #expect(try fx.state.record(copy)?.keyFile == key)
            let (status, output) = try await fx.runContainer(binds: ["\(copy):/restored"], "cat /restored/a.txt")
            #expect(status == 0 && output == "first\n")
            await #expect(throws: VolumeCryptError.self) {
                _ = try await RestoreVolume(RestoreOptions(volume: name, archivePath: archive, newVolume: copy), ctx).run()
            }
        }
    }

    @Test("the backup pauses running writers for the snapshot and resumes them; dry-run writes nothing")
    func pausesWriters() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = try await Self.populated(fx)
            let writer = try await fx.startContainer(binds: ["\(name):/data"],
                                                     command: ["sh", "-c", "while :; do date >> /data/log.txt; sleep 0.05; done"])
            fx.recorded.clear()
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: fx.workspace + "/dry.tar.gz"), try fx.context(dryRun: true))
            #expect(fx.recorded.actions.map { "\($0.kind) \($0.status.rawValue)" }
                    == ["container-paused planned", "file-written planned", "file-written planned"])
            #expect(try FileManager.default.contentsOfDirectory(atPath: fx.workspace).filter { $0.hasPrefix("dry") }.isEmpty)

            fx.recorded.clear()
            _ = try await BackupVolume.run(BackupOptions(volume: name, archivePath: fx.workspace + "/live.tar.gz"), ctx)
            #expect(fx.recorded.actions.filter { $0.kind.hasPrefix("container-") }.map { "\($0.kind) \($0.target)" }
                    == ["container-paused \(writer)", "container-unpaused \(writer)"])
            #expect(try BackupManifest.load(forArchive: fx.workspace + "/live.tar.gz").pausedContainers == [writer])
            let state = try await fx.docker.inspectContainer(writer).state
            #expect(state.running && state.paused == false)
        }
    }
}
