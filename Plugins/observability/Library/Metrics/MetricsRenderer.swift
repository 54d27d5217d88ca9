import Foundation

/// Renders a snapshot as Prometheus metrics: cAdvisor's container metric names and labels (`id` = the container's
/// cgroup path, `name`, `image`, `container_label_*`), plus contsec's security posture and findings, which no
/// cAdvisor has.
public enum MetricsRenderer {
    public static func render(_ snap: Snapshot, findings: FindingsLog.Summary?) -> String {
        String(decoding: renderBytes(snap, findings: findings), as: UTF8.self)
    }

    public static func renderBytes(_ snap: Snapshot, findings: FindingsLog.Summary?) -> [UInt8] {
        var e = Exposition()
        let driver = snap.host?.cgroupDriver ?? "cgroupfs"
        let base: [(ContainerSample, [(String, String)])] = snap.containers.map { c in
            var labels: [(String, String)] = []
            for (k, v) in c.labels.sorted(by: { $0.key < $1.key }) { labels.append(("container_label_" + Exposition.labelName(k), v)) }
            labels.append(("id", cgroupPath(c.id, driver: driver)))
            labels.append(("image", c.image))
            labels.append(("name", c.name))
            return (c, labels)
        }
        let withUsage = base.filter { $0.0.usage != nil }

        func family(_ name: String, _ kind: Exposition.Kind, _ help: String, _ rows: [(ContainerSample, [(String, String)])],
                    extra: [(String, String)] = [], _ value: (ContainerSample) -> Double?) {
            let values = rows.compactMap { row in value(row.0).map { (row.1, $0) } }
            guard !values.isEmpty else { return }
            e.family(name, kind, help)
            for (labels, v) in values { e.sample(name, labels, extra, v) }
        }

        // cAdvisor names (https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md).
        family("container_cpu_usage_seconds_total", .counter, "Cumulative cpu time consumed in seconds.", withUsage,
               extra: [("cpu", "total")]) { $0.usage!.cpuSeconds }
        family("container_cpu_user_seconds_total", .counter, "Cumulative user cpu time consumed in seconds.", withUsage) { $0.usage!.cpuUserSeconds }
        family("container_cpu_system_seconds_total", .counter, "Cumulative system cpu time consumed in seconds.", withUsage) { $0.usage!.cpuSystemSeconds }
        family("container_memory_usage_bytes", .gauge, "Current memory usage in bytes, including all memory regardless of when it was accessed",
               withUsage) { Double($0.usage!.memoryUsageBytes) }
        family("container_memory_working_set_bytes", .gauge, "Current working set in bytes.", withUsage) { Double($0.usage!.memoryWorkingSetBytes) }
        family("container_memory_rss", .gauge, "Size of RSS in bytes.", withUsage) { $0.usage!.memoryRSSBytes.map { Double($0) } }
        family("container_memory_cache", .gauge, "Number of bytes of page cache memory.", withUsage) { $0.usage!.memoryCacheBytes.map { Double($0) } }
        family("container_spec_memory_limit_bytes", .gauge, "Memory limit for the container.", base) { Double($0.memoryLimitBytes) }
        family("container_spec_cpu_quota", .gauge, "CPU quota of the container.", base) { $0.cpuLimitCores.map { $0 * 100_000 } }
        family("container_spec_cpu_period", .gauge, "CPU period of the container.", base) { $0.cpuLimitCores.map { _ in 100_000 } }
        family("container_threads", .gauge, "Number of threads running inside the container", withUsage) { $0.usage!.threads.map { Double($0) } }
        family("container_start_time_seconds", .gauge, "Start time of the container since unix epoch in seconds.", base) { $0.startedAt?.timeIntervalSince1970 }
        family("container_last_seen", .gauge, "Last time a container was seen by the exporter", base) { _ in snap.time.timeIntervalSince1970.rounded() }

        let network: [(String, String, KeyPath<ResourceUsage.Interface, UInt64>)] = [
            ("container_network_receive_bytes_total", "Cumulative count of bytes received", \.rxBytes),
            ("container_network_transmit_bytes_total", "Cumulative count of bytes transmitted", \.txBytes),
            ("container_network_receive_packets_total", "Cumulative count of packets received", \.rxPackets),
            ("container_network_transmit_packets_total", "Cumulative count of packets transmitted", \.txPackets),
            ("container_network_receive_errors_total", "Cumulative count of errors encountered while receiving", \.rxErrors),
            ("container_network_transmit_errors_total", "Cumulative count of errors encountered while transmitting", \.txErrors),
            ("container_network_receive_packets_dropped_total", "Cumulative count of packets dropped while receiving", \.rxDropped),
            ("container_network_transmit_packets_dropped_total", "Cumulative count of packets dropped while transmitting", \.txDropped),
        ]
        for (name, help, key) in network {
            let rows = withUsage.flatMap { c, labels in
                c.usage!.networks.sorted { $0.key < $1.key }.map { (labels, [("interface", $0.key)], Double($0.value[keyPath: key])) }
            }
            guard !rows.isEmpty else { continue }
            e.family(name, .counter, help)
            for (labels, extra, v) in rows { e.sample(name, labels, extra, v) }
        }

        // Security posture: contsec's own.
        let short: [(ContainerSample, [(String, String)])] = snap.containers.map { c in
            (c, [("id", cgroupPath(c.id, driver: driver)), ("image", c.image), ("name", c.name)])
        }
        family("contsec_container_privileged", .gauge, "1 when the container runs privileged.", short) { $0.posture.privileged ? 1 : 0 }
        family("contsec_container_seccomp_unconfined", .gauge, "1 when the container runs without a seccomp profile.", short) { $0.posture.seccompUnconfined ? 1 : 0 }
        family("contsec_container_apparmor_unconfined", .gauge, "1 when the container runs without an AppArmor profile.", short) { $0.posture.appArmorUnconfined ? 1 : 0 }
        family("contsec_container_capabilities_added", .gauge, "Number of Linux capabilities added to the container (--cap-add).", short) { Double($0.posture.capabilitiesAdded.count) }
        family("contsec_container_root_user", .gauge, "1 when the container's processes run as uid 0.", short) { $0.posture.rootUser ? 1 : 0 }
        family("contsec_container_readonly_rootfs", .gauge, "1 when the container's root filesystem is read-only.", short) { $0.posture.readOnlyRootfs ? 1 : 0 }
        if !short.isEmpty {
            e.family("contsec_container_host_namespace", .gauge, "1 when the container shares this namespace with the host.")
            for (c, labels) in short {
                for ns in SecurityPosture.namespaceKinds {
                    e.sample("contsec_container_host_namespace", labels, [("ns", ns)], c.posture.hostNamespaces.contains(ns) ? 1 : 0)
                }
            }
        }
        family("contsec_container_restarts", .gauge, "Times the Engine restarted the container (its RestartCount).", short) { Double($0.restartCount) }
        family("contsec_container_oom_killed", .gauge, "1 when the container's last exit was an out-of-memory kill.", short) { $0.oomKilled ? 1 : 0 }
        family("contsec_container_running", .gauge, "1 when running, 0 when restarting.", short) { $0.state == "running" ? 1 : 0 }

        if let findings {
            e.family("contsec_findings", .gauge, "Findings (not ignored) of each plugin's latest contsec run, by severity, from the workspace's daily logs.")
            for run in findings.runs {
                for sev in ["critical", "high", "medium", "low", "info", "unknown"] {
                    e.sample("contsec_findings", [("plugin", run.plugin), ("severity", sev)], Double(run.counts[sev] ?? 0))
                }
            }
            e.family("contsec_findings_last_run_timestamp_seconds", .gauge, "When each plugin's latest run last logged a line.")
            for run in findings.runs {
                if let t = Timestamps.parse(run.lastTime) { e.sample("contsec_findings_last_run_timestamp_seconds", [("plugin", run.plugin)], t.timeIntervalSince1970) }
            }
        }
        if let host = snap.host {
            e.family("machine_cpu_cores", .gauge, "Number of logical CPU cores.")
            e.sample("machine_cpu_cores", [], Double(host.cpus))
            e.family("machine_memory_bytes", .gauge, "Amount of memory installed on the machine.")
            e.sample("machine_memory_bytes", [], Double(host.memoryBytes))
        }
        e.family("contsec_exporter_docker_up", .gauge, "1 when the Docker Engine answered the last collection.")
        e.sample("contsec_exporter_docker_up", [], snap.error == nil ? 1 : 0)
        e.family("contsec_exporter_stats_streams", .gauge, "Live Engine stats streams open (one per running container).")
        e.sample("contsec_exporter_stats_streams", [], Double(snap.streams))
        let sampled = snap.containers.compactMap { $0.usage?.sampledAt }
        if let oldest = sampled.min() {
            e.family("contsec_exporter_sample_age_seconds", .gauge, "Age of the oldest container sample served (normally under 2 s).")
            e.sample("contsec_exporter_sample_age_seconds", [], max(0, (snap.time.timeIntervalSince(oldest) * 1000).rounded() / 1000))
        }
        e.family("contsec_exporter_containers", .gauge, "Containers seen by the last collection.")
        e.sample("contsec_exporter_containers", [], Double(snap.containers.count))
        return e.bytes
    }

    /// The cgroup path cAdvisor reports as `id`: `/docker/<id>` (cgroupfs) or `/system.slice/docker-<id>.scope` (systemd).
    public static func cgroupPath(_ id: String, driver: String) -> String {
        driver == "systemd" ? "/system.slice/docker-\(id).scope" : "/docker/\(id)"
    }
}
