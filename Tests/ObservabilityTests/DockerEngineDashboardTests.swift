import Foundation
import Testing
@testable import ContainerKit
@testable import HTTPServer
@testable import Observability

@Suite("DockerEngine observability: dashboard in headless Chromium", .serialized,
       .enabled(if: ObsTestEnvironment.shouldRun && hasTool("chromium"), ObsTestEnvironment.skipReason))
struct DockerEngineDashboardTests {
    @Test("Chromium renders the test container and the finding counts from the daily log; a screenshot is kept")
    func chromium() async throws {
        let chromium = try tool("chromium", package: "chromium")
        let docker = try ObsTestEnvironment.client()
        let workspace = try tempDir("dash")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        // A daily log as contsec writes it: trivy-scanner's older run (ignored by "latest"), its latest run with
        // 2 critical + 1 high (one more ignored), and a cis-bench run with 3 medium.
        let logDir = workspace + "/logs/security"
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        try """
        2026-12-01T05:00:00.000Z [trivy-scanner aaaa1111] plugin-started /x/contsec-trivy-scanner command=scan
        2026-12-01T05:00:01.000Z [trivy-scanner aaaa1111] finding CRITICAL CVE-2020-1 image old:1 — old
        2026-12-01T06:00:00.000Z [trivy-scanner bbbb2222] plugin-started /x/contsec-trivy-scanner command=scan
        2026-12-01T06:00:01.000Z [trivy-scanner bbbb2222] finding CRITICAL CVE-2026-0001 image nginx:1.27 — openssl overflow
        2026-12-01T06:00:01.100Z [trivy-scanner bbbb2222] finding CRITICAL CVE-2026-0002 image nginx:1.27 — zlib overflow
        2026-12-01T06:00:01.200Z [trivy-scanner bbbb2222] finding HIGH CVE-2026-0003 image nginx:1.27 — curl leak
        2026-12-01T06:00:01.300Z [trivy-scanner bbbb2222] finding HIGH CVE-2026-0004 image nginx:1.27 — ignored one (ignored: .contsecignore)
        2026-12-01T06:00:02.000Z [trivy-scanner bbbb2222] plugin-finished status=ok duration=2.000s
        2026-12-01T06:05:00.000Z [cis-bench cccc3333] finding MEDIUM 5.10 container web — no memory limit
        2026-12-01T06:05:00.100Z [cis-bench cccc3333] finding MEDIUM 5.11 container web — no cpu limit
        2026-12-01T06:05:00.200Z [cis-bench cccc3333] finding MEDIUM 5.12 container web — rootfs writable
        2026-12-01T06:05:01.000Z [contsec -] note gate tripped: 2 findings at or above critical

        """.write(toFile: logDir + "/container-security-20261201.log", atomically: true, encoding: .utf8)

        try await ObsTestEnvironment.withContainer(docker, host: HostConfig(capAdd: ["NET_ADMIN"], pidMode: "host")) { _, name in
            let d = Dashboard(docker: docker, findings: FindingsLog(directory: logDir))
            let server = try HTTPServer(listen: ListenAddress(host: "127.0.0.1", port: 0), handler: d.handle)
            server.start()
            let sampler = Task { await d.run(interval: 0.5) }
            defer { sampler.cancel(); server.stop() }
            try await Task.sleep(nanoseconds: 1_500_000_000)  // two samples: sparklines have points
            let url = "http://127.0.0.1:\(server.address.port)/"
            let artifacts = ContsecCLI.artifactDirectory()
            let shot = artifacts + "/dashboard.png"
            try? FileManager.default.removeItem(atPath: shot)
            let common = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                          "--user-data-dir=\(workspace)/chromium", "--virtual-time-budget=4000"]
            let dom = try await offPool { try run(chromium, common + ["--dump-dom", url], timeout: 60) }
            #expect(dom.output.contains("data-name=\"\(name)\""), "the container row is missing")
            #expect(dom.output.contains(#"id="count-critical"><b>2</b>"#), "critical count")
            #expect(dom.output.contains(#"id="count-high"><b>1</b>"#), "high count (the ignored one left out)")
            #expect(dom.output.contains(#"id="count-medium"><b>3</b>"#), "medium count")
            #expect(dom.output.contains("data-plugin=\"trivy-scanner\"") && dom.output.contains("data-plugin=\"cis-bench\""))
            #expect(dom.output.contains("host pid") && dom.output.contains("+NET_ADMIN"), "posture badges")
            #expect(dom.output.contains("<polyline"), "sparklines drawn")
            #expect(!dom.output.contains("update failed"))
            let s = try await offPool { try run(chromium, common + ["--window-size=1280,900", "--screenshot=\(shot)", url], timeout: 60) }
            #expect(s.status == 0, "\(s.output)")
            let size = (try? FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot at \(shot) is \(size) bytes")
        }
    }
}
