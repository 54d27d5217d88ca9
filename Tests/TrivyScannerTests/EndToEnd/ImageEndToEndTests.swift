import Foundation
import Testing
import ContainerKit

/// `sbom` and `scan --image` of images in the local engine, end to end with the real trivy: the image is exported
/// through the Engine API to a temporary tarball that is gone afterwards.
@Suite(.serialized, .enabled(if: TestEnvironment.dockerAvailable, TestEnvironment.dockerSkipReason))
struct DockerEngineImageEndToEndTests {
    func requireTrivy() throws {
        guard TestEnvironment.trivyOnPath != nil else { throw FixtureError(TestEnvironment.trivyMissingHint) }
    }

    @Test func cycloneDXSBOMOfTheTestImageIsWrittenToTheWorkspace() throws {
        try requireTrivy()
        let workspace = try Fixtures.temporaryDirectory("sbom")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let r = try ContsecCLI.runReported(["sbom", "--image", TestEnvironment.testImage], workspace: workspace)
        #expect(r.output.status == 0, "\(r.output.stderr)")
        let path = workspace + "/sbom-contsec-test-busybox-1.cdx.json"
        let sbom = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(sbom["bomFormat"] as? String == "CycloneDX")
        let component = try #require((sbom["metadata"] as? [String: Any])?["component"] as? [String: Any])
        #expect(component["type"] as? String == "container")
        let properties = (component["properties"] as? [[String: String]]) ?? []
        #expect(properties.contains { $0["name"] == "aquasecurity:trivy:RepoTag" && $0["value"] == TestEnvironment.testImage })

        let action = try #require(ContsecCLI.actions(r.report).first)
        #expect(action["kind"] as? String == "file-written")
        #expect(action["status"] as? String == "applied")
        #expect(action["artifacts"] as? [String] == [path])
        #expect(r.leftovers.isEmpty, "temporary files left: \(r.leftovers)")
    }

    @Test func spdxSBOMWithRepoTagAndOutput() throws {
        try requireTrivy()
        let workspace = try Fixtures.temporaryDirectory("spdx")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let r = try ContsecCLI.runReported(["sbom", "--repo", "contsec-test/busybox", "--tag", "1", "--format", "spdx-json",
                         "--output", workspace + "/sboms/busybox.spdx.json"], workspace: workspace)
        #expect(r.output.status == 0, "\(r.output.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: workspace + "/sboms/busybox.spdx.json"))
        let sbom = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((sbom["spdxVersion"] as? String)?.hasPrefix("SPDX-2") == true)
        #expect(r.leftovers.isEmpty)
    }

    /// An image holding the fixture's fake key, built offline with `docker import`, scanned by reference.
    @Test func secretInALocalImageIsFoundWithTheImageAsTarget() async throws {
        try requireTrivy()
        let workspace = try Fixtures.temporaryDirectory("image")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let reference = "contsec-test/trivy-secret:\(UUID().uuidString.prefix(8).lowercased())"
        let docker = try DockerClient(socketPath: TestEnvironment.dockerSocket)
        try await importImage(reference, holding: Fixtures.directory + "/insecure-app/deploy.env", docker: docker, scratch: workspace)
        // Swift's defer cannot await: remove the image after the checks whatever they throw.
        var failure: Error?
        do { try checkSecretScan(of: reference, workspace: workspace) } catch { failure = error }
        _ = try? await docker.removeImage(reference, force: true)
        if let failure { throw failure }
    }

    func checkSecretScan(of reference: String, workspace: String) throws {
        let r = try ContsecCLI.runReported(["scan", "--image", reference, "--scanners", "secret"], workspace: workspace)
        #expect(r.output.status == 0, "\(r.output.stderr)")
        let findings = ContsecCLI.findings(r.report)
        #expect(findings.count == 1)
        let secret = try #require(findings.first)
        #expect(secret["ruleId"] as? String == "aws-access-key-id")
        let target = try #require(secret["target"] as? [String: Any])
        #expect(target["kind"] as? String == "image")
        #expect(target["name"] as? String == reference)  // the reference, not the exported tarball's path
        #expect(target["file"] as? String == "/app/deploy.env")
        #expect(target["line"] as? Int == 3)
        #expect((secret["properties"] as? [String: Any])?["layerDiffID"] as? String != nil)
        let key = try Fixtures.fakeAWSKey()
        let reportText = try String(contentsOfFile: workspace + "/.tmp/report.json", encoding: .utf8)
        #expect(!reportText.contains(key) && !r.output.stdout.contains(key) && !r.output.stderr.contains(key))
        #expect(r.leftovers.isEmpty, "temporary files left: \(r.leftovers)")
    }

    /// `docker import` of a root holding only app/deploy.env.
    func importImage(_ reference: String, holding file: String, docker: DockerClient, scratch: String) async throws {
        let root = scratch + "/.root"
        try FileManager.default.createDirectory(atPath: root + "/app", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: file, toPath: root + "/app/deploy.env")
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-C", root, "-cf", scratch + "/.root.tar", "app"]
        try tar.run()
        tar.waitUntilExit()
        #expect(tar.terminationStatus == 0)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: scratch + "/.root.tar"))
        defer { try? handle.close() }
        let parts = reference.split(separator: ":", maxSplits: 1).map(String.init)
        _ = try await docker.importImage(tar: handle, repo: parts[0], tag: parts[1])
    }
}
