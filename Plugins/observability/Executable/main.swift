import Foundation
import ContsecPluginKit

// contsec-observability: Prometheus metrics, runtime monitoring and alerts, behaviour analysis, a live dashboard.

PluginRunner.main(Plugin(
    name: "observability", version: "0.1.0", vendor: "contsec",
    description: "Container metrics for Prometheus, monitoring configs, runtime monitoring, alerts, behaviour analysis and a live dashboard",
    commands: [
        Command(name: "exporter", description: "Serve per-container metrics (cAdvisor names) and contsec security posture on /metrics",
                params: exporterParams, longRunning: true, handler: exporter),
        Command(name: "setup", description: "Write Prometheus config, alert rules and their promtool tests (and OTel Collector, Grafana, compose files), checked by promtool",
                params: setupParams, handler: setup),
        Command(name: "alert", description: "Evaluate a container against thresholds and its posture now; write its alert rules; optionally send Alertmanager webhook JSON",
                params: alertParams, handler: alert),
        Command(name: "monitor", description: "Follow Engine events and sample stats: risky starts, exec'd shells, OOM kills, restart loops, resource use, new ports/processes",
                params: monitorParams, longRunning: true, handler: monitor),
        Command(name: "analyze", description: "Behaviour report for one container over a window: CPU/memory baseline and outliers (median, MAD), processes, ports, restarts, posture",
                params: analyzeParams, handler: analyze),
        Command(name: "dashboard", description: "Serve a live dashboard on 127.0.0.1: containers with CPU/memory sparklines, findings, runtime events",
                params: dashboardParams, longRunning: true, handler: dashboard),
    ]))
