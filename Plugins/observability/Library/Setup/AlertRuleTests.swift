import Foundation

/// promtool unit tests (`promtool test rules`) for the generated alert rules. Each test feeds series that sit just
/// above the configured threshold for one container and well below it for another, and states the one alert, with
/// its labels and annotation, that must fire.
enum AlertRuleTests {
    struct Series { var series: String; var values: String }
    struct Case {
        var alert: String
        var series: [Series]
        var evalTime = "5m"
        /// The alert's expected labels (without `severity`, added from the rule) and the `name`/`ns`/`plugin` used in its summary.
        var labels: [(String, String)]
    }

    static func cases(_ o: SetupOptions) -> [Case] {
        let web = #"id="/docker/aaa",image="nginx:1.27",name="web""#
        let idle = #"id="/docker/bbb",image="redis:7",name="idle""#
        let hot = Double(o.cpuThreshold + 5) / 100, cold = Double(max(0, o.cpuThreshold - 20)) / 100
        // CPU seconds per minute for a share of `cores` cores.
        func perMinute(_ share: Double, cores: Double) -> String { number(share * cores * 60) }
        let memLimit = 104_857_600.0, hostMemory = 8_589_934_592.0
        let memHot = Double(o.memoryThreshold + 5) / 100, memCold = Double(max(0, o.memoryThreshold - 20)) / 100
        return [
            Case(alert: "ContainerCPUAboveLimit", series: [
                Series(series: "container_cpu_usage_seconds_total{\(web),cpu=\"total\"}", values: "0+\(perMinute(hot, cores: 0.5))x10"),
                Series(series: "container_spec_cpu_quota{\(web)}", values: "50000x10"),
                Series(series: "container_spec_cpu_period{\(web)}", values: "100000x10"),
                Series(series: "container_cpu_usage_seconds_total{\(idle),cpu=\"total\"}", values: "0+\(perMinute(cold, cores: 0.5))x10"),
                Series(series: "container_spec_cpu_quota{\(idle)}", values: "50000x10"),
                Series(series: "container_spec_cpu_period{\(idle)}", values: "100000x10"),
            ], labels: [("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "ContainerCPUAboveHost", series: [
                Series(series: "machine_cpu_cores", values: "2x10"),
                Series(series: "container_cpu_usage_seconds_total{\(web),cpu=\"total\"}", values: "0+\(perMinute(hot, cores: 2))x10"),
                Series(series: "container_cpu_usage_seconds_total{\(idle),cpu=\"total\"}", values: "0+\(perMinute(cold, cores: 2))x10"),
            ], labels: [("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "ContainerMemoryAboveLimit", series: [
                Series(series: "container_memory_working_set_bytes{\(web)}", values: "\(number(memLimit * memHot))x10"),
                Series(series: "container_spec_memory_limit_bytes{\(web)}", values: "\(number(memLimit))x10"),
                Series(series: "container_memory_working_set_bytes{\(idle)}", values: "\(number(memLimit * memCold))x10"),
                Series(series: "container_spec_memory_limit_bytes{\(idle)}", values: "\(number(memLimit))x10"),
            ], labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "ContainerMemoryAboveHost", series: [
                Series(series: "machine_memory_bytes", values: "\(number(hostMemory))x10"),
                Series(series: "container_memory_working_set_bytes{\(web)}", values: "\(number(hostMemory * memHot))x10"),
                Series(series: "container_spec_memory_limit_bytes{\(web)}", values: "0x10"),
                Series(series: "container_memory_working_set_bytes{\(idle)}", values: "\(number(hostMemory * memCold))x10"),
                Series(series: "container_spec_memory_limit_bytes{\(idle)}", values: "0x10"),
            ], labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "ContainerRestartLoop", series: [
                Series(series: "contsec_container_restarts{\(web)}", values: "0 1 2 3 4 5"),
                Series(series: "contsec_container_restarts{\(idle)}", values: "1x5"),
            ], labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "ContainerOOMKilled", series: [
                Series(series: "contsec_container_oom_killed{\(web)}", values: "1x5"),
                Series(series: "contsec_container_oom_killed{\(idle)}", values: "0x5"),
            ], evalTime: "1m", labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "PrivilegedContainerRunning", series: [
                Series(series: "contsec_container_privileged{\(web)}", values: "1x5"),
                Series(series: "contsec_container_privileged{\(idle)}", values: "0x5"),
            ], evalTime: "1m", labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "UnconfinedContainerRunning", series: [
                Series(series: "contsec_container_seccomp_unconfined{\(web)}", values: "1x5"),
                Series(series: "contsec_container_seccomp_unconfined{\(idle)}", values: "0x5"),
            ], evalTime: "1m", labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web")]),
            Case(alert: "HostNamespaceContainerRunning", series: [
                Series(series: "contsec_container_host_namespace{\(web),ns=\"pid\"}", values: "1x5"),
                Series(series: "contsec_container_host_namespace{\(web),ns=\"net\"}", values: "0x5"),
                Series(series: "contsec_container_host_namespace{\(idle),ns=\"pid\"}", values: "0x5"),
            ], evalTime: "1m", labels: [("id", "/docker/aaa"), ("image", "nginx:1.27"), ("name", "web"), ("ns", "pid")]),
            Case(alert: "CriticalFindingsPresent", series: [
                Series(series: #"contsec_findings{plugin="trivy-scanner",severity="critical"}"#, values: "2x5"),
                Series(series: #"contsec_findings{plugin="trivy-scanner",severity="high"}"#, values: "7x5"),
                Series(series: #"contsec_findings{plugin="cis-bench",severity="critical"}"#, values: "0x5"),
            ], evalTime: "1m", labels: [("plugin", "trivy-scanner")]),
            Case(alert: "ContsecExporterDown", series: [
                Series(series: #"up{job="contsec",instance="127.0.0.1:9323"}"#, values: "0x5"),
            ], evalTime: "3m", labels: [("instance", "127.0.0.1:9323"), ("job", "contsec")]),
        ]
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int64(v)) : String(format: "%.4f", v)
    }

    static func render(_ o: SetupOptions) -> String {
        let rules = Dictionary(uniqueKeysWithValues: AlertRules.rules(o).map { ($0.name, $0) })
        var t = """
        # Generated by contsec observability setup. Run: promtool test rules alerts.test.yml
        rule_files:
          - alerts.yml
        evaluation_interval: 1m
        tests:

        """
        for c in cases(o) {
            let rule = rules[c.alert]!
            t += "  # \(c.alert): fires for the container above the threshold only\n"
            t += "  - interval: 1m\n    input_series:\n"
            for s in c.series {
                t += "      - series: \(YAMLText.quote(s.series))\n        values: \(YAMLText.quote(s.values))\n"
            }
            t += "    alert_rule_test:\n      - eval_time: \(c.evalTime)\n        alertname: \(c.alert)\n        exp_alerts:\n"
            t += "          - exp_labels:\n"
            for (k, v) in (c.labels + [("severity", rule.severity)]) { t += "              \(k): \(YAMLText.quote(v))\n" }
            var summary = rule.summary
            for (k, v) in c.labels { summary = summary.replacingOccurrences(of: "{{ $labels.\(k) }}", with: v) }
            t += "            exp_annotations:\n              summary: \(YAMLText.quote(summary))\n"
        }
        return t
    }
}
