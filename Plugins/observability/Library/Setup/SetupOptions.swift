import Foundation

/// What `setup` generates and with which values.
public struct SetupOptions: Sendable, Equatable {
    /// Where Prometheus finds the exporter (HOST:PORT).
    public var exporter: String = "127.0.0.1:9323"
    public var cpuThreshold: Int = 90
    public var memoryThreshold: Int = 90
    /// Write the OpenTelemetry Collector config.
    public var otel = false
    /// OTLP/gRPC endpoint the collector forwards metrics to.
    public var otlpEndpoint: String = "127.0.0.1:4317"
    /// Write the Grafana dashboard and provisioning.
    public var grafana = false
    public var scrapeInterval: String = "15s"
    /// Folder inside the workspace.
    public var directory: String = "observability"

    public init() {}
}

/// One generated file: its path relative to the workspace, its text, and what it is.
public struct GeneratedFile: Sendable, Equatable {
    public var path: String
    public var text: String
    public var what: String
}

/// The whole set `setup` writes, by option.
public enum SetupFiles {
    public static func all(_ o: SetupOptions) -> [GeneratedFile] {
        let d = o.directory
        var files = [
            GeneratedFile(path: "\(d)/prometheus/prometheus.yml", text: PrometheusConfig.render(o), what: "Prometheus configuration"),
            GeneratedFile(path: "\(d)/prometheus/alerts.yml", text: AlertRules.render(o), what: "Prometheus alert rules"),
            GeneratedFile(path: "\(d)/prometheus/alerts.test.yml", text: AlertRuleTests.render(o), what: "promtool unit tests of the alert rules"),
        ]
        if o.otel {
            files.append(GeneratedFile(path: "\(d)/otel/otel-collector.yml", text: OTelCollectorConfig.render(o), what: "OpenTelemetry Collector configuration"))
        }
        if o.grafana {
            files.append(GeneratedFile(path: "\(d)/grafana/dashboards/contsec.json", text: GrafanaDashboard.render(o), what: "Grafana dashboard"))
            files.append(GeneratedFile(path: "\(d)/grafana/provisioning/datasources/prometheus.yml", text: GrafanaDashboard.datasource(o), what: "Grafana datasource provisioning"))
            files.append(GeneratedFile(path: "\(d)/grafana/provisioning/dashboards/contsec.yml", text: GrafanaDashboard.provider(o), what: "Grafana dashboard provisioning"))
        }
        files.append(GeneratedFile(path: "\(d)/docker-compose.yml", text: ComposeFile.render(o), what: "compose file running the stack"))
        return files
    }
}
