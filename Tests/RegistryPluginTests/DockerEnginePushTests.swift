import Foundation
import Testing
import RegistryTestSupport

/// push through the real Docker engine to the open registry, gated by the real Trivy with the offline fixture DB
/// (scripts/test-env.sh: contsec-test/alpine:3.10 carries fixture advisories, three of them critical).
@Suite("registry plugin: gated push (Docker engine, Trivy)", .enabled(if: RegistryTestEnvironment.shouldRun && DockerAvailability.running,
                                                               Comment(rawValue: "push tests skipped: no Docker daemon or registry (run scripts/test-env.sh)")))
struct DockerEnginePushTests {
    let registry = RegistryTestEnvironment.registry
    let cache = RegistryTestEnvironment.facts["CONTSEC_TEST_TRIVY_CACHE"] ?? "/var/lib/contsec-test/trivy-cache"
    let vulnerable = RegistryTestEnvironment.facts["CONTSEC_TEST_ALPINE_IMAGE"] ?? "contsec-test/alpine:3.10"
    let clean = RegistryTestEnvironment.facts["CONTSEC_TEST_IMAGE"] ?? "contsec-test/busybox:1"

    @Test("--block-critical refuses an image with criticals and the registry holds nothing; a clean image is pushed and signed")
    func gatedPush() throws {
        let workspace = try RegistryTestEnvironment.temporaryFolder("push")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer {
            Skopeo.removeRepository(registry, repository)
            _ = try? runCommand("docker", ["rmi", "\(registry)/\(repository):v1"])
        }
        let gate = ["--block-critical", "--cache-dir", cache, "--offline"]
        let refused = try ContsecRun.registry(["push", "--registry", registry, "--repo", repository, "--tag", "v1",
                                               "--image", vulnerable] + gate, workspace: workspace)
        #expect(refused.status == 1, "\(refused.stderr)")
        let ids = Set(refused.findings.compactMap { $0["ruleId"] as? String })
        #expect(ids.contains("REG-PUSH-001") && ids.contains("CVE-2099-1001"))
        #expect(refused.actions.contains { $0["kind"] as? String == "image-pushed" && $0["status"] as? String == "skipped" })
        #expect(try Skopeo.tags(registry, repository).isEmpty)
        #expect(try runCommand("docker", ["image", "inspect", "\(registry)/\(repository):v1"]).status != 0) // not even tagged

        let pair = try runCommand("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", workspace + "/k.key"])
        #expect(pair.status == 0)
        #expect(try runCommand("openssl", ["pkey", "-in", workspace + "/k.key", "-pubout", "-out", workspace + "/k.pub"]).status == 0)
        let pushed = try ContsecRun.registry(["push", "--registry", registry, "--repo", repository, "--tag", "v1", "--image", clean,
                                              "--sign-key", workspace + "/k.key"] + gate, workspace: workspace)
        #expect(pushed.status == 0, "\(pushed.stderr)")
        let digest = pushed.summary["digest"] as? String
        let served = try Skopeo.digest("\(registry)/\(repository):v1")
        #expect(digest != nil && digest == served)
        #expect(pushed.actions.contains { $0["kind"] as? String == "image-pushed" && $0["status"] as? String == "applied" })
        #expect(pushed.actions.contains { $0["kind"] as? String == "image-signed" && $0["status"] as? String == "applied" })
        let independent = try IndependentVerifier.verify(registry: registry, repository: repository, tag: "v1", publicKey: workspace + "/k.pub")
        #expect(independent["valid"] as? Int == 1 && independent["digest"] as? String == digest)

        // --require-signed-by: the pushed, signed digest passes; an image never pushed to a repository is refused.
        let again = try ContsecRun.registry(["push", "--registry", registry, "--repo", repository, "--tag", "v1", "--image", clean,
                                             "--require-signed-by", workspace + "/k.pub"], workspace: workspace)
        #expect(again.status == 0, "\(again.stderr)")
        let other = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, other) }
        let unsigned = try ContsecRun.registry(["push", "--registry", registry, "--repo", other, "--tag", "v1", "--image", clean,
                                                "--require-signed-by", workspace + "/k.pub"], workspace: workspace)
        #expect(unsigned.status == 1 && (unsigned.findings.first?["message"] as? String)?.contains("--require-signed-by") == true)
        #expect(try Skopeo.tags(registry, other).isEmpty)
    }
}

enum DockerAvailability {
    static let running: Bool = RegistryTestEnvironment.isCI || ((try? runCommand("docker", ["version", "--format", "{{.Server.Version}}"]))?.status == 0)
}
