import Foundation
import Testing
import ContsecProtocol

/// The plugins in sdk-protocol/examples, written in other languages, through the real host.
@Suite struct ExamplePluginTests {
    let examples = Paths.packageRoot + "/sdk-protocol/examples"

    @Test func pythonPluginFindingsReachTheReport() async throws {
        let dir = try temporaryFolder("py-example")
        let open = dir + "/world-writable.txt"
        #expect(FileManager.default.createFile(atPath: open, contents: Data("x".utf8)))
        chmod(open, 0o666)
        let r = try await contsec(["run", "file-perms", "--plugin-path", examples + "/python-file-perms", "--dir", dir,
                             "--format", "json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        let f = findings(r.json)
        #expect(f.contains { $0["ruleId"] == "FP-001" && $0["target"]?["file"]?.stringValue?.hasSuffix("world-writable.txt") == true })
        #expect(pluginEntry(r.json, "file-perms")?["status"] == "ok")
    }

    @Test func shPluginFindingsReachTheReport() async throws {
        let r = try await contsec(["run", "sh-hello", "--plugin-path", examples + "/sh-hello", "--format", "json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).contains { $0["ruleId"] == "SH-000" })
    }

    @Test func pluginDyingBeforeTheHandshakeIsReportedWithItsStderr() async throws {
        let r = try await contsec(["run", "early", "--plugin-path", Paths.fixture("contsec-early"), "--no-log"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin early exited during the handshake (exited with status 2)"))
        #expect(r.stderr.contains("cannot read /etc/early.conf"))
    }
}

/// The README's secure deployment workflow, end to end: iac-scan, then trivy-scanner (offline) and cis-bench in
/// parallel. It needs the test environment (Docker engine, trivy): without it the test says so and stops, except
/// under CI=true, where a missing piece is a failure.
@Suite struct DockerEngineSecureDeploymentWorkflowTests {
    @Test func theExampleWorkflowRunsEveryStep() async throws {
        let env = ProcessInfo.processInfo.environment
        let path = env["PATH"] ?? "/usr/bin:/bin"
        let hasTrivy = path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/trivy") }
        let hasDocker = FileManager.default.fileExists(atPath: "/var/run/docker.sock")
        guard hasTrivy && hasDocker else {
            if env["CI"] == "true" { Issue.record("CI=true but trivy (\(hasTrivy)) or the Docker socket (\(hasDocker)) is missing: run scripts/test-env.sh") }
            print("skipping the secure deployment workflow: needs trivy and a Docker engine (scripts/test-env.sh)")
            return
        }
        // The push step's Trivy gate reads the offline fixture database test-env.sh built.
        let facts = (try? String(contentsOfFile: "/tmp/contsec-test-env", encoding: .utf8)) ?? ""
        let cache = facts.split(separator: "\n").first { $0.hasPrefix("CONTSEC_TEST_TRIVY_CACHE=") }
            .map { String($0.dropFirst("CONTSEC_TEST_TRIVY_CACHE=".count)) } ?? "/var/lib/contsec-test/trivy-cache"
        let r = try await contsec(["workflow", Paths.packageRoot + "/examples/workflows/secure-deployment.yaml", "--format", "json", "--no-log"],
                                  env: ["PATH": path, "CONTSEC_TRIVY_CACHE": cache], cwd: Paths.packageRoot)
        #expect(r.code == 0, "\(r.stderr)")
        let plugins = r.json?["plugins"]?.arrayValue ?? []
        #expect(Set(plugins.compactMap { $0["name"]?.stringValue }) == ["cis-bench", "iac-scan", "netpolicy", "observability", "registry", "seccomp-gen", "trivy-scanner", "volume-crypt"])
        #expect(r.stderr.contains("verify (registry): succeeded"))
        #expect(plugins.allSatisfy { $0["status"] == "ok" })
        #expect(findings(r.json).contains { $0["ruleId"]?.stringValue?.hasPrefix("CS-DF-") == true })
        #expect(findings(r.json).contains { $0["ruleId"]?.stringValue?.hasPrefix("CIS-") == true })
        // The network step: the example Deployment uses the host network, which no NetworkPolicy can filter.
        #expect(findings(r.json).contains { $0["ruleId"]?.stringValue == "NP-K8S-007" })
        #expect(r.stderr.contains("validate (iac-scan): succeeded"))
        #expect(r.stderr.contains("protect (seccomp-gen): succeeded"))
    }
}
