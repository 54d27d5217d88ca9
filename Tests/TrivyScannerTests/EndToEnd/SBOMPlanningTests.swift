import Foundation
import Testing

/// Where `sbom` will write is decided, and checked, before any image is exported or Trivy runs: these need neither.
@Suite struct SBOMPlanningTests {
    @Test func dryRunPlansTheFileAndWritesNothing() throws {
        let workspace = try Fixtures.temporaryDirectory("dry")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let r = try ContsecCLI.runReported(["sbom", "--image", TestEnvironment.testImage], workspace: workspace, global: ["--dry-run"])
        #expect(r.output.status == 0, "\(r.output.stderr)")
        let action = try #require(ContsecCLI.actions(r.report).first)
        #expect(action["status"] as? String == "planned")
        #expect(action["artifacts"] as? [String] == [workspace + "/sbom-contsec-test-busybox-1.cdx.json"])
        #expect(!FileManager.default.fileExists(atPath: workspace + "/sbom-contsec-test-busybox-1.cdx.json"))
    }

    @Test func outputOutsideTheWorkspaceIsRefused() throws {
        let workspace = try Fixtures.temporaryDirectory("escape")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let outside = NSTemporaryDirectory() + "/contsec-trivy-test-outside-\(UUID().uuidString).json"
        let r = try ContsecCLI.runReported(["sbom", "--image", TestEnvironment.testImage, "--output", outside], workspace: workspace)
        #expect(r.output.status == 2)  // the user's --output is refused: a usage error
        #expect(r.output.stderr.contains("outside the workspace"), "\(r.output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: outside))
    }
}
