import Foundation
import Testing
@testable import ContainerKit
@testable import ContsecProtocol
@testable import HTTPServer
@testable import Observability

/// A local webhook receiver: answers 503 to the first `failures` POSTs, then 200; keeps every body.
final class Receiver: @unchecked Sendable {
    let failures: Int
    private let lock = NSLock()
    private(set) var bodies: [Data] = []
    private(set) var times: [Date] = []
    var server: HTTPServer!

    init(failures: Int) throws {
        self.failures = failures
        server = try HTTPServer(listen: ListenAddress(host: "127.0.0.1", port: 0)) { [unowned self] r in self.handle(r) }
        server.start()
    }

    var url: String { "http://127.0.0.1:\(server.address.port)/alerts" }
    var count: Int { lock.lock(); defer { lock.unlock() }; return bodies.count }

    func handle(_ r: HTTPRequest) -> HTTPResponse {
        guard r.method == "POST", r.path == "/alerts" else { return .error(404) }
        lock.lock()
        bodies.append(r.body)
        times.append(Date())
        let n = bodies.count
        lock.unlock()
        return n <= failures ? .error(503) : .text("ok")
    }
}

@Suite("alert: webhook delivery", .serialized)
struct WebhookTests {
    let finding = RuntimeFindings.memory("web", percent: 95.5, bytes: 1000, threshold: 90, ofHost: false)

    @Test("a receiver that fails twice gets the alert on the third attempt, after backoff")
    func retries() async throws {
        let receiver = try Receiver(failures: 2)
        defer { receiver.server.stop() }
        let sender = try WebhookSender(url: receiver.url, retries: 3, backoff: 0.2)
        let attempts = try await sender.send(AlertmanagerPayload.body([finding]))
        #expect(attempts.map(\.status) == [503, 503, 200])
        #expect(receiver.count == 3)
        // Backoff doubles: about 0.2 s then 0.4 s between attempts.
        let gaps = zip(receiver.times.dropFirst(), receiver.times).map { $0.timeIntervalSince($1) }
        #expect(gaps[0] >= 0.19 && gaps[1] >= 0.39, "\(gaps)")
        // Alertmanager's webhook shape.
        let body = try JSONParser.parse([UInt8](receiver.bodies[2]))
        #expect(body["version"]?.stringValue == "4")
        #expect(body["status"]?.stringValue == "firing")
        let alert = try #require(body["alerts"]?.arrayValue?.first)
        #expect(alert["labels"]?["alertname"]?.stringValue == "OBS-MEM-001")
        #expect(alert["labels"]?["container"]?.stringValue == "web")
        #expect(alert["labels"]?["severity"]?.stringValue == "high")
        #expect(alert["annotations"]?["summary"]?.stringValue == "Memory use above 90%")
        #expect(alert["startsAt"]?.stringValue?.hasSuffix("Z") == true)
        #expect(body["commonLabels"]?["container"]?.stringValue == "web")
    }

    @Test("a receiver that always fails: gives up after 1 + retries attempts, with the last status")
    func givesUp() async throws {
        let receiver = try Receiver(failures: 100)
        defer { receiver.server.stop() }
        let sender = try WebhookSender(url: receiver.url, retries: 2, backoff: 0.05)
        await #expect { try await sender.send(AlertmanagerPayload.body([finding])) } throws: {
            "\($0)" == "webhook delivery failed after 3 attempts (last: HTTP 503)"
        }
        #expect(receiver.count == 3)
    }

    @Test("nothing listening: connection errors are retried too, then reported")
    func refused() async throws {
        let sender = try WebhookSender(url: "http://127.0.0.1:\(freePort())/x", retries: 1, backoff: 0.05)
        await #expect { try await sender.send([]) } throws: { "\($0)".hasPrefix("webhook delivery failed after 2 attempts") }
        #expect(throws: WebhookSender.Failure.self) { try WebhookSender(url: "ftp://x/") }
    }
}

@Suite("alert: per-container rules", .enabled(if: hasTool("promtool"), "promtool not installed: apt-get install prometheus"))
struct ContainerRuleTests {
    @Test("the rules written for one container select it by name and pass promtool check rules")
    func rules() async throws {
        let text = ContainerAlertRules.render(container: "web-app", threshold: 80)
        #expect(text.contains(#"container_memory_working_set_bytes{name=\"web-app\"}"#))
        #expect(text.contains("> 80"))
        let dir = try tempDir("rules")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try text.write(toFile: dir + "/r.yml", atomically: true, encoding: .utf8)
        let r = try await offPool { try run(try tool("promtool", package: "prometheus"), ["check", "rules", dir + "/r.yml"]) }
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("SUCCESS: 8 rules found"))
    }
}

@Suite("DockerEngine observability: alert end to end", .serialized, .enabled(if: ObsTestEnvironment.shouldRun, ObsTestEnvironment.skipReason))
struct DockerEngineAlertTests {
    @Test("a container over its memory threshold, in the host pid namespace: findings, its rule file, and the webhook gets them")
    func endToEnd() async throws {
        let docker = try ObsTestEnvironment.client()
        let workspace = try tempDir("alert")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let receiver = try Receiver(failures: 1)
        defer { receiver.server.stop() }
        // 24 MiB in /dev/shm of a 32 MiB container: 75% or more of its limit; threshold 50%.
        let command = ["sh", "-c", "dd if=/dev/zero of=/dev/shm/fill bs=1M count=24 2>/dev/null; sleep 300"]
        try await ObsTestEnvironment.withContainer(docker, command: command, host: HostConfig(pidMode: "host", memory: 32 << 20)) { _, name in
            try await Task.sleep(nanoseconds: 1_000_000_000)
            let out = try await offPool {
                try ContsecCLI.run(["alert", "--container", name, "--alert-threshold", "50", "--webhook", receiver.url], workspace: workspace)
            }
            #expect(out.status == 0, "\(out.stderr)")
            let rules = Set(out.findings.compactMap { $0["ruleId"] as? String })
            #expect(rules == ["OBS-MEM-001", "OBS-POSTURE-003"], "\(out.findings)")
            let mem = try #require(out.findings.first { $0["ruleId"] as? String == "OBS-MEM-001" })
            let percent = ((mem["properties"] as? [String: Any])?["percent"] as? Double) ?? 0
            #expect(percent >= 75 && percent <= 100, "\(percent)")
            #expect(FileManager.default.fileExists(atPath: workspace + "/observability/prometheus/alerts-\(name.replacingOccurrences(of: "-", with: "_")).yml"))
            #expect(receiver.count == 2)  // one 503, then delivered
            let names = try JSONParser.parse([UInt8](receiver.bodies.last!))["alerts"]?.arrayValue?.compactMap { $0["labels"]?["alertname"]?.stringValue }
            #expect(Set(names ?? []) == rules)
            // The evaluated thresholds, as the run's table: one row per check, the two that fired say so.
            let entry = ((out.report["plugins"] as? [[String: Any]]) ?? []).first ?? [:]
            let rows = (((entry["table"] as? [String: Any])?["rows"] as? [[String: Any]]) ?? [])
            let result = Dictionary(uniqueKeysWithValues: rows.map { ($0["check"] as? String ?? "", $0["result"] as? String ?? "") })
            #expect(result == ["cpu": "ok", "memory": "alert", "oom killed": "ok", "restarts": "ok", "privileged": "ok", "seccomp": "ok",
                               "host namespaces": "alert", "added capabilities": "ok"], "\(rows)")
            #expect(rows.first { $0["check"] as? String == "memory" }?["threshold"] as? String == "≤ 50 %")
        }
    }
}
