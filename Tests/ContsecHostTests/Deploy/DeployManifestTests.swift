import Foundation
import Testing
import ContsecProtocol

/// Every file under `deploy/`: parsed by the tools that consume it, and passing contsec's own iac-scan at the level
/// deploy/README.md documents (nothing at medium or above; every accepted finding suppressed in place with its reason).
@Suite struct DeployManifestTests {
    @Test("iac-scan over deploy/: every file parsed, no finding at medium or above, only the two image tags to pin by digest")
    func iacScan() async throws {
        let r = try await contsec(["--no-log", "run", "iac-scan", "--dir", Deploy.root, "--fail-on", "medium", "--format", "json"])
        #expect(r.code == 0, "\(r.stdout.prefix(3000)) \(r.stderr)")
        let summary = pluginEntry(r.json, "iac-scan")?["summary"]
        // The Dockerfile, the compose file, and four Kubernetes files plus netpolicy's NetworkPolicy.
        #expect(summary?["dockerfiles"] == 1 && summary?["compose"] == 1 && summary?["kubernetes"] == 5, "\(String(describing: summary))")
        #expect(summary?["parseErrors"] == 0 && summary?["unscanned"] == 0)
        // The exporter DaemonSet and the cis-bench CronJob name contsec:0.1.0: a digest exists only once you push
        // your own build, so CS-K8S-023 (low) stays and deploy/README.md says how to pin it.
        let found = findings(r.json)
        #expect(found.compactMap { $0["ruleId"]?.stringValue } == ["CS-K8S-023", "CS-K8S-023"])
        #expect(Set(found.compactMap { $0["target"]?["file"]?.stringValue?.split(separator: "/").last.map(String.init) })
                == ["exporter-daemonset.yaml", "cis-bench-cronjob.yaml"])
        // Every accepted finding is suppressed in the file, next to the reason (host access the benchmark needs...).
        #expect((summary?["suppressed"]?.intValue ?? 0) > 0)
    }

    @Test("kubectl decodes each workload into Kubernetes' own types without dropping or changing a field (client side: no cluster here)")
    func kubectlTypedDecoding() async throws {
        guard let kubectl = Deploy.tool("kubectl") else {
            if Deploy.isCI { Issue.record("CI=true but kubectl is not installed") }
            return
        }
        for file in ["kubernetes/exporter-daemonset.yaml", "kubernetes/cis-bench-cronjob.yaml"] {
            let path = Deploy.root + "/" + file
            // `label --local` prints the file as given (untyped); `set env --local` decodes the pod template's owner
            // into its Go type (a wrong type or quantity is an error) and prints what the type kept.
            let raw = try await Deploy.run(kubectl, ["label", "--local", "-f", path, "contsec-probe=1", "-o", "json"])
            let typed = try await Deploy.run(kubectl, ["set", "env", "--local", "-f", path, "CONTSEC_PROBE=1", "-o", "json"])
            #expect(raw.code == 0 && typed.code == 0, "\(file): \(raw.stderr) \(typed.stderr)")
            let given = Deploy.objects(try JSONParser.parse(raw.stdout))
            let kept = Deploy.objects(try JSONParser.parse(typed.stdout))
            #expect(given.count == 1 && kept.count == 1)
            guard let g = given.first, let k = kept.first else { continue }
            let lost = Deploy.lost(g, in: k).filter { !$0.hasPrefix("$.metadata.labels.contsec-probe") }
            #expect(lost.isEmpty, "\(file): fields Kubernetes does not know or changed: \(lost)")
        }
    }

    @Test("the shipped NetworkPolicy is what netpolicy renders from the shipped policy files")
    func networkPolicyFromNetpolicy() async throws {
        let dir = try temporaryFolder("deploy-np")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/deploy/netpolicy", withIntermediateDirectories: true)
        for name in ["contsec-exporter-policy.json", "prometheus-policy.json"] {
            try FileManager.default.copyItem(atPath: Deploy.root + "/netpolicy/" + name, toPath: dir + "/deploy/netpolicy/" + name)
        }
        let r = try await contsec(["--no-log", "run", "netpolicy", "render", "--dir", "deploy/netpolicy"], cwd: dir)
        #expect(r.code == 0, "\(r.stderr)")
        let rendered = try readText(dir + "/deploy/netpolicy/contsec-exporter-networkpolicy.yaml")
        #expect(rendered == (try readText(Deploy.root + "/netpolicy/contsec-exporter-networkpolicy.yaml")))
        // Read from the policy: only the monitoring namespace's Prometheus pods reach the metrics port; no egress.
        #expect(rendered.contains("kubernetes.io/metadata.name: monitoring") && rendered.contains("app.kubernetes.io/name: prometheus"))
        #expect(rendered.contains("port: metrics") && !rendered.contains("egress:"))
    }

    @Test("the compose stack's Prometheus files are what observability setup writes (promtool-checked), not a stale copy")
    func composePrometheusFiles() async throws {
        let dir = try temporaryFolder("deploy-compose")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await contsec(["--no-log", "run", "observability", "setup", "--metrics", "prometheus", "--output-dir", "stack"], cwd: dir)
        #expect(r.code == 0, "\(r.stderr)")
        for name in ["prometheus.yml", "alerts.yml", "alerts.test.yml"] {
            #expect(try readText(dir + "/stack/prometheus/" + name) == (try readText(Deploy.root + "/compose/prometheus/" + name)),
                    "deploy/compose/prometheus/\(name) differs from observability setup's: regenerate it (deploy/README.md)")
        }
        let compose = try readText(Deploy.root + "/compose/docker-compose.yml")
        #expect(compose.contains("./prometheus:/etc/prometheus:ro") && compose.contains("\"127.0.0.1:9323\""))
    }
}
