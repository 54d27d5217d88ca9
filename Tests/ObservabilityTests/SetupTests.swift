import Foundation
import Testing
import YAMLReader
@testable import ContainerKit
@testable import ContsecProtocol
@testable import Observability

@Suite("setup: generated configs pass the real promtool", .serialized,
       .enabled(if: hasTool("promtool"), "promtool not installed: apt-get install prometheus"))
struct SetupPromtoolTests {
    func options(cpu: Int, memory: Int) -> SetupOptions {
        var o = SetupOptions()
        o.cpuThreshold = cpu
        o.memoryThreshold = memory
        o.otel = true
        o.grafana = true
        o.exporter = "127.0.0.1:9400"
        return o
    }

    @Test("check config, check rules and the rule unit tests pass, for default and other thresholds", arguments: [(90, 90), (75, 60)])
    func promtool(cpu: Int, memory: Int) async throws {
        let o = options(cpu: cpu, memory: memory)
        let checks = try await SetupValidator.validate(SetupFiles.all(o), options: o)
        #expect(checks.map(\.command) == ["promtool check config prometheus.yml", "promtool check rules alerts.yml", "promtool test rules alerts.test.yml"])
        for c in checks { #expect(c.passed, "\(c.command): \(c.output)") }
        #expect(checks[1].output.contains("SUCCESS: 11 rules found"))
        let rules = SetupFiles.all(o).first { $0.path.hasSuffix("alerts.yml") }!.text
        #expect(rules.contains("> \(cpu)"))
        #expect(rules.contains("> \(memory)"))
    }

    @Test("through contsec: the written files come back as a table saying which promtool check covered each; --dry-run plans them")
    func cliTable() async throws {
        let workspace = try tempDir("setup-cli")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        func table(_ out: ContsecCLI.Output) -> [String: [String: Any]] {
            let entry = ((out.report["plugins"] as? [[String: Any]]) ?? []).first ?? [:]
            let rows = ((entry["table"] as? [String: Any])?["rows"] as? [[String: Any]]) ?? []
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["file"] as? String ?? "", $0) })
        }
        let planned = try await offPool { try ContsecCLI.run(["setup", "--tracing", "otel", "--dashboard", "grafana", "--dry-run"], workspace: workspace) }
        #expect(planned.status == 0, "\(planned.stderr)")
        #expect(table(planned).count == 8)  // 3 Prometheus files, the OTel Collector config, 3 Grafana files, the compose file
        #expect(table(planned).values.allSatisfy { $0["status"] as? String == "planned" })
        #expect(!FileManager.default.fileExists(atPath: workspace + "/observability"))

        let out = try await offPool { try ContsecCLI.run(["setup", "--tracing", "otel", "--dashboard", "grafana"], workspace: workspace) }
        #expect(out.status == 0, "\(out.stderr)")
        let rows = table(out)
        #expect(rows["observability/prometheus/prometheus.yml"]?["checked"] as? String == "promtool check config prometheus.yml")
        #expect(rows["observability/prometheus/alerts.yml"]?["checked"] as? String == "promtool check rules alerts.yml")
        #expect(rows["observability/prometheus/alerts.test.yml"]?["checked"] as? String == "promtool test rules alerts.test.yml")
        #expect(rows["observability/otel/otel-collector.yml"]?["checked"] as? String == "")
        for (file, row) in rows {
            let size = (try? FileManager.default.attributesOfItem(atPath: workspace + "/" + file)[.size] as? Int) ?? -1
            #expect(row["bytes"] as? Int == size, "\(file)")
            #expect(row["status"] as? String == "written")
        }
    }

    @Test("a rule unit test that expects the wrong container fails promtool: the tests can fail")
    func testsCanFail() async throws {
        let o = options(cpu: 90, memory: 90)
        var files = SetupFiles.all(o)
        let i = files.firstIndex { $0.path.hasSuffix("alerts.test.yml") }!
        files[i].text = files[i].text.replacingOccurrences(of: "name: \"web\"", with: "name: \"idle\"")
        let checks = try await SetupValidator.validate(files, options: o)
        #expect(checks[2].passed == false)
        #expect(checks[2].output.contains("FAILED"))
    }

    @Test("every Grafana panel query is valid PromQL (promtool check rules on them)")
    func dashboardQueries() async throws {
        let o = options(cpu: 90, memory: 90)
        let json = try JSONParser.parse(Array(GrafanaDashboard.render(o).utf8))
        let panels = json["panels"]?.arrayValue ?? []
        #expect(panels.count == GrafanaDashboard.panels.count)
        var rules = "groups:\n  - name: dashboard\n    rules:\n"
        for (i, p) in panels.enumerated() {
            let expr = try #require(p["targets"]?.arrayValue?.first?["expr"]?.stringValue)
            #expect(p["datasource"]?["uid"]?.stringValue == "contsec-prometheus")
            rules += "      - record: dashboard:panel\(i)\n        expr: \(YAMLText.quote(expr))\n"
        }
        let dir = try tempDir("dash")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try rules.write(toFile: dir + "/dash.yml", atomically: true, encoding: .utf8)
        let r = try await offPool { try run(try tool("promtool", package: "prometheus"), ["check", "rules", dir + "/dash.yml"]) }
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS: \(panels.count) rules found"))
    }
}

@Suite("setup: files")
struct SetupFileTests {
    @Test("the OTel Collector scrapes the exporter and exports over OTLP and Prometheus; provisioning points at the dashboards")
    func otelAndGrafana() throws {
        var o = SetupOptions()
        o.otel = true
        o.grafana = true
        o.exporter = "127.0.0.1:9555"
        o.otlpEndpoint = "otel.internal:4317"
        let files = Dictionary(uniqueKeysWithValues: SetupFiles.all(o).map { ($0.path, $0.text) })
        let otel = try yaml(files["observability/otel/otel-collector.yml"])
        let targets = otel.at("receivers", "prometheus", "config", "scrape_configs")?[0]?.at("static_configs")?[0]?["targets"]
        #expect(targets?.items.compactMap(\.scalar) == ["127.0.0.1:9555"])
        #expect(otel.at("exporters", "otlp", "endpoint")?.scalar == "otel.internal:4317")
        #expect(otel.at("service", "pipelines", "metrics", "receivers")?.items.compactMap(\.scalar) == ["prometheus"])
        #expect(otel.at("service", "pipelines", "metrics", "exporters")?.items.compactMap(\.scalar) == ["otlp", "prometheus"])

        let compose = try yaml(files["observability/docker-compose.yml"])
        #expect(compose.at("services", "prometheus", "volumes")?.items.first?.scalar == "./prometheus:/etc/prometheus:ro")
        #expect(compose.at("services", "otel-collector") != nil)
        #expect(compose.at("services", "grafana", "environment", "GF_SERVER_HTTP_PORT")?.scalar == "3001")
        let provider = try yaml(files["observability/grafana/provisioning/dashboards/contsec.yml"])
        #expect(provider["providers"]?[0]?.at("options", "path")?.scalar == "/var/lib/grafana/dashboards")
        let prom = try yaml(files["observability/prometheus/prometheus.yml"])
        #expect(prom["scrape_configs"]?[0]?["static_configs"]?[0]?["targets"]?.items.compactMap(\.scalar) == ["127.0.0.1:9555"])
    }

    @Test("without --tracing / --dashboard only the Prometheus files and the compose file are written")
    func minimal() {
        let paths = SetupFiles.all(SetupOptions()).map(\.path)
        #expect(paths == ["observability/prometheus/prometheus.yml", "observability/prometheus/alerts.yml",
                          "observability/prometheus/alerts.test.yml", "observability/docker-compose.yml"])
    }
}

func yaml(_ text: String?) throws -> YAMLNode {
    guard let text, let doc = try YAMLReader.parse(text).first else { throw ToolMissing(message: "no such generated file / empty YAML") }
    return doc
}
