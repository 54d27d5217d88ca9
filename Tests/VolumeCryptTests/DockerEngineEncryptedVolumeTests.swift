import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt
#if canImport(Glibc)
import Glibc
#endif

@Suite("Encrypted volumes (real gocryptfs, FUSE and engine)", .enabled(if: VolumeCryptEnvironment.canRun, VolumeCryptEnvironment.skipReason))
struct DockerEngineEncryptedVolumeTests {
    /// Every byte sequence of `needle` anywhere in the files below `root`.
    static func treeContains(_ root: String, _ needle: String) throws -> Bool {
        let bytes = Data(needle.utf8)
        for entry in try FileTree.entries(root, hashing: false) where entry.kind == .file {
            if try Data(contentsOf: URL(fileURLWithPath: root + "/" + entry.path)).range(of: bytes) != nil { return true }
        }
        return false
    }

    @Test("a container's text is readable in a second container and nowhere in the cipher directory; the key never shows")
    func writeReadAndCiphertext() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName()
            let created = try await CreateVolume.run(CreateOptions(name: name, kind: .encrypted, labels: ["contsec-test": "1"]), ctx)
            let keyFile = try #require(created["keyFile"])
            // Generated key: in the state root, 0600, and named by an action, never quoted.
            var info = stat()
            #expect(stat(keyFile, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(keyFile == fx.state.generatedKeyPath(name))
            let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            #expect(key.count >= KeyFile.minimumLength)

            let marker = "contsec-marker-\(UUID().uuidString)"
            let (writeStatus, _) = try await fx.runContainer(binds: ["\(name):/app/data"], "echo \(marker) > /app/data/note.txt")
            #expect(writeStatus == 0)
            let (readStatus, output) = try await fx.runContainer(binds: ["\(name):/app/data"], "cat /app/data/note.txt")
            #expect(readStatus == 0)
            #expect(output.contains(marker))
            // The plaintext is on disk only in encrypted form.
            #expect(try !Self.treeContains(fx.state.cipherDirectory(name), marker))
            #expect(try !Self.treeContains(fx.state.cipherDirectory(name), "note.txt"), "file names are encrypted too")

            // The key is in no argument list (the gocryptfs daemon's command line) and no report the plugin made.
            var daemons = 0
            for pid in (try FileManager.default.contentsOfDirectory(atPath: "/proc")).filter({ Int($0) != nil }) {
                guard let cmdline = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { continue }
                let text = String(decoding: cmdline.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
                if text.contains(fx.state.cipherDirectory(name)) {
                    daemons += 1
                    #expect(text.contains("-passfile \(keyFile)"))
                    #expect(!text.contains(key))
                }
            }
            #expect(daemons == 1, "the gocryptfs daemon of the volume was not found in /proc")
            let reported = fx.recorded.actions.map { "\($0.target) \($0.detail ?? "")" } + fx.recorded.logs
            #expect(!reported.joined().contains(key))
            #expect(fx.recorded.actions.map(\.kind) == ["key-generated", "volume-created", "volume-mounted", "volume-created"])

            // The state folder holds keys: 0700 and this user's; looser, and every command refuses it rather than fix it.
            for folder in [fx.stateRoot, fx.state.volumeDirectory(name), fx.state.cipherDirectory(name), fx.stateRoot + "/keys"] {
                #expect(lstat(folder, &info) == 0 && info.st_mode & 0o777 == 0o700 && info.st_uid == geteuid(), "\(folder)")
            }
            let docker = try await fx.docker.inspectVolume(name)
            #expect(docker.driver == "local" && docker.options?["device"] == fx.state.dataDirectory(name))
            #expect(docker.labels?[VolumeLabels.stateRoot] == fx.stateRoot && docker.labels?[VolumeLabels.kind] == "encrypted")
            chmod(fx.stateRoot, 0o755)
            await #expect(throws: VolumeCryptError.precondition(
                "state folder \(fx.stateRoot) is mode 0755: it holds keys and must be 0700; check nobody copied them, then chmod 700 \(fx.stateRoot)")) {
                _ = try await VolumeInventory.list(ctx)
            }
            chmod(fx.stateRoot, 0o700)
        }
    }

    @Test("close then open with the right key returns the data; a closed volume's containers cannot start; a wrong key is refused")
    func closeOpenWrongKey() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName()
            let key = try fx.keyFile()
            _ = try await CreateVolume.run(CreateOptions(name: name, kind: .encrypted, keyFile: key), ctx)
            let (status, _) = try await fx.runContainer(binds: ["\(name):/data"], "echo kept-across-remount > /data/f")
            #expect(status == 0)

            _ = try await OpenCloseVolume.close(name, ctx)
            #expect(!OpenCloseVolume.isMounted(name, fx.state))
            // Fail closed: the engine cannot bind the data folder, so nothing is written unencrypted to the disk below.
            await #expect(throws: DockerError.self) { _ = try await fx.runContainer(binds: ["\(name):/data"], "echo leak > /data/g") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: fx.state.mountPoint(name)).isEmpty)

            let wrong = try fx.keyFile("wrong.key")
            do {
                _ = try await OpenCloseVolume.open(name, keyFile: wrong, ctx)
                Issue.record("a wrong key opened the volume")
            } catch let error as VolumeCryptError {
                #expect(error.description.contains("wrong key: \(wrong) does not open volume \(name)"))
            }
            #expect(!OpenCloseVolume.isMounted(name, fx.state))

            _ = try await OpenCloseVolume.open(name, keyFile: nil, ctx)
            let (readStatus, output) = try await fx.runContainer(binds: ["\(name):/data"], "cat /data/f")
            #expect(readStatus == 0)
            #expect(output == "kept-across-remount\n")
        }
    }

    @Test("destroy: refused while a container uses the volume; dry-run changes nothing; then everything is erased")
    func destroy() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let name = VolumeCryptEnvironment.uniqueName()
            let created = try await CreateVolume.run(CreateOptions(name: name, kind: .encrypted), ctx)
            let user = try await fx.startContainer(binds: ["\(name):/data"])
            do {
                _ = try await DestroyVolume.run(name, eraseKey: false, ctx)
                Issue.record("destroy went ahead while \(user) used the volume")
            } catch let error as VolumeCryptError {
                #expect(error.description.contains(user))
            }
            try await fx.removeContainer(user)

            let before = try VolumeCryptFixture.snapshot(fx.stateRoot)
            fx.recorded.clear()
            _ = try await DestroyVolume.run(name, eraseKey: false, try fx.context(dryRun: true))
            #expect(try VolumeCryptFixture.snapshot(fx.stateRoot) == before)
            #expect(fx.recorded.actions.allSatisfy { $0.status == .planned } && !fx.recorded.actions.isEmpty)
            #expect(try await fx.docker.inspectVolume(name).name == name)

            _ = try await DestroyVolume.run(name, eraseKey: false, ctx)
            #expect(!FileManager.default.fileExists(atPath: fx.state.volumeDirectory(name)))
            #expect(!FileManager.default.fileExists(atPath: try #require(created["keyFile"])))
            await #expect(throws: DockerError.notFound(kind: .volume, name: name)) { _ = try await fx.docker.inspectVolume(name) }
            #expect(!OpenCloseVolume.isMounted(name, fx.state))
        }
    }

    @Test("list: every volume with its facts, and findings for an exposed key, a missing mount, a temp volume on disk")
    func listFindings() async throws {
        try await VolumeCryptFixture.with { fx in
            let ctx = try fx.context()
            let secure = VolumeCryptEnvironment.uniqueName("secure")
            let temp = VolumeCryptEnvironment.uniqueName("temp")
            let fake = VolumeCryptEnvironment.uniqueName("fake")
            let created = try await CreateVolume.run(CreateOptions(name: secure, kind: .encrypted), ctx)
            _ = try await CreateVolume.run(CreateOptions(name: temp, kind: .temp, autoDelete: true), ctx)
            // A volume labelled as a temp volume of this state root but on disk (what a hand-made or tampered one looks like).
            _ = try await fx.docker.createVolume(VolumeCreateOptions(name: fake, labels: [
                VolumeLabels.kind: "temp", VolumeLabels.stateRoot: fx.stateRoot, "contsec-test": "1"]))
            let user = try await fx.startContainer(binds: ["\(temp):/cache"])

            fx.recorded.clear()
            var volumes = try await VolumeInventory.list(ctx)
            #expect(volumes.map(\.name) == [secure, fake, temp].sorted())
            let s = try #require(volumes.first { $0.name == secure })
            #expect(s.kind == .encrypted && s.mounted && s.storage == "gocryptfs" && s.keyFile == created["keyFile"])
            #expect((s.bytesUsed ?? 0) > 0)
            let t = try #require(volumes.first { $0.name == temp })
            #expect(t.kind == .temp && t.mounted && t.autoDelete && t.storage == "tmpfs", "\(t)")
            #expect(t.containers == ["\(user) (running)"])
            #expect(fx.recorded.findings.map(\.ruleId) == ["VC-004"])
            #expect(fx.recorded.findings.first?.target.name == fake)

            chmod(try #require(created["keyFile"]), 0o644)
            _ = try await OpenCloseVolume.close(secure, ctx)
            fx.recorded.clear()
            volumes = try await VolumeInventory.list(ctx)
            #expect(volumes.first { $0.name == secure }?.mounted == false)
            let rules = Dictionary(grouping: fx.recorded.findings, by: \.target.name).mapValues { $0.map(\.ruleId).sorted() }
            #expect(rules[secure] == ["VC-001", "VC-003"])
            #expect(rules[fake] == ["VC-004"])
            #expect(rules[temp] == nil)

            // The key file is gone, and the Docker volume of that name binds a plain folder instead of the mount.
            try FileManager.default.removeItem(atPath: try #require(created["keyFile"]))
            try await fx.docker.removeVolume(secure)
            _ = try await fx.docker.createVolume(VolumeCreateOptions(
                name: secure, driverOpts: ["type": "none", "o": "bind", "device": fx.workspace],
                labels: [VolumeLabels.kind: "encrypted", VolumeLabels.stateRoot: fx.stateRoot, "contsec-test": "1"]))
            fx.recorded.clear()
            _ = try await VolumeInventory.list(ctx)
            #expect(fx.recorded.findings.filter { $0.target.name == secure }.map(\.ruleId).sorted() == ["VC-002", "VC-003", "VC-006"])
            // No Docker volume at all: `-v name:/path` would make an unencrypted one.
            try await fx.docker.removeVolume(secure)
            fx.recorded.clear()
            _ = try await VolumeInventory.list(ctx)
            #expect(fx.recorded.findings.filter { $0.target.name == secure }.map(\.ruleId).sorted() == ["VC-002", "VC-003", "VC-005"])
        }
    }
}
