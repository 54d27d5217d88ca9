import Foundation
import Testing
@testable import ContainerKit

@Suite("Docker images (real engine)", .serialized,
       .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineImageTests {
    let docker: DockerClient
    typealias Env = DockerTestEnvironment

    init() throws { docker = try Env.client() }

    @Test("inspect and history of the test image")
    func inspectAndHistory() async throws {
        let image = try await docker.inspectImage(Env.image)
        #expect(image.repoTags?.contains(Env.image) == true)
        #expect(image.config?.cmd == ["/bin/sh"])
        #expect(image.rootFS?.type == "layers")
        #expect(image.rootFS?.layers?.count == 1)
        let history = try await docker.imageHistory(Env.image)
        #expect(history.first?.id == image.id)
        let listed = try await docker.listImages(filters: ["reference": [Env.image]])
        #expect(listed.map(\.id) == [image.id])
    }

    @Test("save an image to a tar stream and list its layers from manifest.json")
    func saveAndListLayers() async throws {
        final class Collector: @unchecked Sendable {
            let lock = NSLock()
            var data = Data()
            var pieces = 0
            func add(_ chunk: Data) { lock.lock(); data.append(chunk); pieces += 1; lock.unlock() }
        }
        let collector = Collector()
        let total = try await docker.saveImages([Env.image]) { collector.add($0) }
        #expect(total == collector.data.count)
        #expect(total > 500_000) // busybox-static alone is over a megabyte

        let entries = try TarReader.entries(collector.data)
        let manifestEntry = try #require(entries.first { $0.name == "manifest.json" })
        struct ManifestItem: Decodable {
            var Config: String
            var RepoTags: [String]?
            var Layers: [String]
        }
        let manifest = try JSONDecoder().decode([ManifestItem].self, from: manifestEntry.data)
        #expect(manifest.count == 1)
        #expect(manifest.first?.RepoTags == [Env.image])
        let layers = manifest.first?.Layers ?? []
        let image = try await docker.inspectImage(Env.image)
        #expect(layers.count == image.rootFS?.layers?.count)
        for layer in layers {
            let entry = entries.first { $0.name == layer }
            #expect(entry != nil, "layer \(layer) listed in manifest.json but not in the tar")
            // Each layer is itself a tar holding the busybox root.
            if let entry {
                let files = try TarReader.entries(entry.data).map(\.name)
                #expect(files.contains { $0.hasSuffix("bin/busybox") })
            }
        }

        // The same stream written to a file handle.
        let path = NSTemporaryDirectory() + Env.uniqueName("save") + ".tar"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let written = try await docker.saveImages([Env.image], to: handle)
        try handle.close()
        #expect(written == total)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == total)
    }

    @Test("import a tar as an image, tag it, remove it")
    func importTagRemove() async throws {
        let workspace = NSTemporaryDirectory() + Env.uniqueName("import")
        try FileManager.default.createDirectory(atPath: workspace + "/root/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Data("contsec import test\n".utf8).write(to: URL(fileURLWithPath: workspace + "/root/etc/motd"))
        // Real tar, through the tool runner.
        _ = try await ToolRunner().run("tar", ["-C", workspace + "/root", "-cf", workspace + "/rootfs.tar", "."],
                                       options: ToolRunOptions(timeout: 30, installHint: "install it with `apt-get install tar`")).checked()

        let repo = "contsec-test/imported"
        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: workspace + "/rootfs.tar"))
        defer { try? handle.close() }
        let id = try await docker.importImage(tar: handle, repo: repo, tag: tag, changes: ["LABEL contsec-test=1"])
        do {
            let image = try await docker.inspectImage("\(repo):\(tag)")
            #expect(image.id == id)
            #expect(image.config?.labels?["contsec-test"] == "1")
            #expect(image.rootFS?.layers?.count == 1)

            try await docker.tagImage(id, repo: repo, tag: tag + "-b")
            #expect(try await docker.inspectImage("\(repo):\(tag)-b").id == id)
            let untagged = try await docker.removeImage("\(repo):\(tag)-b")
            #expect(untagged.contains { $0.untagged == "\(repo):\(tag)-b" })
        } catch {
            _ = try? await docker.removeImage(id, force: true)
            throw error
        }
        let removed = try await docker.removeImage(id, force: true)
        #expect(removed.contains { $0.deleted == id })
        await #expect(throws: DockerError.notFound(kind: .image, name: "\(repo):\(tag)")) {
            _ = try await docker.inspectImage("\(repo):\(tag)")
        }
    }
}
