import Foundation
import Testing
@testable import ContainerKit
@testable import Observability

@Suite("DockerEngine observability: analyze", .serialized, .enabled(if: ObsTestEnvironment.shouldRun, ObsTestEnvironment.skipReason))
struct DockerEngineAnalyzeTests {
    @Test("live samples of a container that bursts CPU, grows memory and opens a port: outliers, trend, new process and port, posture")
    func live() async throws {
        let docker = try ObsTestEnvironment.client()
        let workspace = try tempDir("analyze")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // Held to 0.1 CPU, so the burst is a large share of its limit even on a busy machine: 2 MiB more of /dev/shm
        // (charged to its memory) every second; from 8 s to 12 s a busy loop (late enough that sampling has begun even
        // when contsec starts slowly); then `nc` listens on 8080.
        let script = """
            (i=0; while [ $i -lt 40 ]; do dd if=/dev/zero of=/dev/shm/f$i bs=1M count=2 2>/dev/null; i=$((i+1)); sleep 1; done) &
            sleep 8; (while :; do :; done) & p=$!; sleep 4; kill $p; nc -l -p 8080 & sleep 300
            """
        let host = HostConfig(capAdd: ["NET_ADMIN"], memory: 256 << 20, nanoCpus: 100_000_000)
        try await ObsTestEnvironment.withContainer(docker, command: ["sh", "-c", script], host: host, user: "1000") { _, name in
            let out = try await offPool {
                try ContsecCLI.run(["analyze", "--container", name, "--window", "20s", "--interval", "1"], workspace: workspace)
            }
            try #require(out.status == 0, "\(out.stderr)")
            let byRule = Dictionary(grouping: out.findings, by: { $0["ruleId"] as? String ?? "" })
            let entry = ((out.report["plugins"] as? [[String: Any]]) ?? []).first ?? [:]
            let summary = (entry["summary"] as? [String: Any]) ?? [:]
            #expect(byRule["OBS-ANALYZE-001"] != nil, "no CPU outlier: \(summary["cpuPercent"] ?? "")")
            #expect(byRule["OBS-ANALYZE-003"] != nil, "no memory trend: \(summary["memoryBytes"] ?? "")")
            #expect(byRule["OBS-PORT-001"]?.contains { ($0["properties"] as? [String: Any])?["port"] as? Int == 8080 } == true, "\(byRule.keys)")
            #expect(byRule["OBS-PROC-001"]?.contains { ($0["properties"] as? [String: Any])?["process"] as? String == "nc" } == true, "\(byRule.keys)")
            // Posture: an added capability; not root (user 1000); nothing else risky.
            #expect(byRule["OBS-POSTURE-004"] != nil)
            #expect(byRule["OBS-POSTURE-005"] == nil)
            #expect((summary["samples"] as? Int ?? 0) >= 12, "\(summary)")
            #expect((summary["method"] as? String)?.contains("MAD") == true)
            let table = try #require(entry["table"] as? [String: Any])
            let rows = Dictionary(uniqueKeysWithValues: ((table["rows"] as? [[String: Any]]) ?? []).map { ($0["aspect"] as? String ?? "", $0) })
            #expect(rows["cpu %"]?["status"] as? String == "anomaly")
            #expect(rows["listening ports"]?["note"] as? String == "new: 8080")
            #expect(rows["capabilities"]?["value"] as? String == "+NET_ADMIN")
            #expect(rows["user"]?["value"] as? String == "1000" && rows["user"]?["status"] as? String == "ok")
        }
    }

    @Test("a container that is not running is a clear error; a bad window is a usage error")
    func errors() async throws {
        let workspace = try tempDir("analyze-err")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let missing = try await offPool { try ContsecCLI.run(["analyze", "--container", ObsTestEnvironment.uniqueName("nope")], workspace: workspace) }
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("is not running"), "\(missing.stderr)")
        let bad = try await offPool { try ContsecCLI.run(["analyze", "--container", "x", "--window", "soon"], workspace: workspace) }
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'soon' is not a duration"), "\(bad.stderr)")
    }
}
