import Foundation
import Testing
@testable import ContainerKit

@Suite("Docker build, push and pull (real engine, local registry)", .serialized,
       .enabled(if: DockerTestEnvironment.shouldRun, DockerTestEnvironment.skipReason))
struct DockerEngineBuildPushTests {
    let docker: DockerClient
    typealias Env = DockerTestEnvironment
    /// The registry scripts/test-env.sh runs on loopback.
    static let registry = "127.0.0.1:5000"

    init() throws { docker = try Env.client() }

    @Test("build an image offline, run it, push it to the local registry, pull it back")
    func buildPushPull() async throws {
        let workspace = NSTemporaryDirectory() + Env.uniqueName("build")
        try FileManager.default.createDirectory(atPath: workspace + "/context", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let dockerfile = """
            FROM \(Env.image)
            RUN echo built > /built.txt
            USER nobody
            EXPOSE 8080
            HEALTHCHECK --interval=30s CMD true
            CMD ["sleep", "300"]
            """
        try Data(dockerfile.utf8).write(to: URL(fileURLWithPath: workspace + "/context/Dockerfile"))
        let tools = ToolRunner()
        _ = try await tools.run("tar", ["-C", workspace + "/context", "-cf", workspace + "/context.tar", "."],
                                options: ToolRunOptions(timeout: 30)).checked()

        let tag = String(UUID().uuidString.prefix(8)).lowercased()
        let local = "contsec-test/built"
        let remote = "\(Self.registry)/contsec-test/built"
        final class Lines: @unchecked Sendable {
            let lock = NSLock()
            var text = ""
            func add(_ message: ProgressMessage) { lock.lock(); text += message.stream ?? ""; lock.unlock() }
        }
        let output = Lines()
        let context = try FileHandle(forReadingFrom: URL(fileURLWithPath: workspace + "/context.tar"))
        defer { try? context.close() }
        let id = try await docker.buildImage(context: context,
                                             options: BuildOptions(tags: ["\(local):\(tag)"], labels: ["contsec-test": "1"]),
                                             onProgress: { output.add($0) })
        do {
            #expect(output.text.contains("RUN echo built"))
            let image = try await docker.inspectImage("\(local):\(tag)")
            #expect(image.id == id)
            #expect(image.config?.user == "nobody")
            #expect(image.config?.exposedPorts?["8080/tcp"] != nil)
            #expect(image.config?.healthcheck?.test == ["CMD-SHELL", "true"])
            #expect(image.config?.healthcheck?.interval == 30_000_000_000)
            #expect(image.config?.labels?["contsec-test"] == "1")
            #expect((image.rootFS?.layers?.count ?? 0) == 2)

            let ran = try await Env.withContainer(docker, image: "\(local):\(tag)", command: ["sleep", "300"]) { cid, _ in
                try await docker.exec(cid, ExecOptions(["sh", "-c", "id -u; cat /built.txt"]))
            }
            #expect(ran.stdoutText == "65534\nbuilt\n")

            try await docker.tagImage(id, repo: remote, tag: tag)
            let digest = try await docker.pushImage(remote, tag: tag)
            #expect(digest.hasPrefix("sha256:"))
            // The registry itself lists the tag.
            let listed = try await tools.run("curl", ["-fsS", "http://\(Self.registry)/v2/contsec-test/built/tags/list"],
                                             options: ToolRunOptions(timeout: 10)).checked()
            #expect(listed.stdoutText.contains("\"\(tag)\""))

            // Drop the local copy under the registry name and pull it back.
            try await docker.removeImage("\(remote):\(tag)")
            await #expect(throws: DockerError.notFound(kind: .image, name: "\(remote):\(tag)")) {
                _ = try await docker.inspectImage("\(remote):\(tag)")
            }
            try await docker.pullImage(remote, tag: tag)
            #expect(try await docker.inspectImage("\(remote):\(tag)").id == id)
            try await docker.removeImage("\(remote):\(tag)")

            // Leave the registry as it was (deletes are enabled there).
            _ = try await tools.run("curl", ["-fsS", "-X", "DELETE",
                                             "http://\(Self.registry)/v2/contsec-test/built/manifests/\(digest)"],
                                    options: ToolRunOptions(timeout: 10)).checked()
        } catch {
            _ = try? await docker.removeImage("\(remote):\(tag)", force: true)
            _ = try? await docker.removeImage(id, force: true)
            throw error
        }
        try await docker.removeImage(id, force: true)
    }

    @Test("a failing build step reports the builder's message")
    func failingBuild() async throws {
        let workspace = NSTemporaryDirectory() + Env.uniqueName("badbuild")
        try FileManager.default.createDirectory(atPath: workspace + "/context", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        try Data("FROM \(Env.image)\nRUN exit 42\n".utf8).write(to: URL(fileURLWithPath: workspace + "/context/Dockerfile"))
        _ = try await ToolRunner().run("tar", ["-C", workspace + "/context", "-cf", workspace + "/context.tar", "."]).checked()
        let context = try FileHandle(forReadingFrom: URL(fileURLWithPath: workspace + "/context.tar"))
        defer { try? context.close() }
        do {
            _ = try await docker.buildImage(context: context, options: BuildOptions(tags: [Env.uniqueName("bad") + ":1"]))
            Issue.record("a build with RUN exit 42 should fail")
        } catch let error as DockerError {
            guard case .daemon(_, let message) = error else {
                Issue.record("expected a daemon error, got \(error)")
                return
            }
            #expect(message.contains("returned a non-zero code: 42"))
        }
    }

    @Test("pushing to a registry that is not there names the daemon's reason")
    func pushFailure() async throws {
        let missing = "127.0.0.1:1/contsec-test/nowhere"
        try await docker.tagImage(Env.image, repo: missing, tag: "1")
        do {
            _ = try await docker.pushImage(missing, tag: "1")
            Issue.record("push to \(missing) should fail")
        } catch let error as DockerError {
            #expect(error.description.contains("connection refused"))
        }
        try await docker.removeImage("\(missing):1")
    }
}
