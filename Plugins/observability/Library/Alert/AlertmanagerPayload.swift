import Foundation
import ContsecProtocol

/// Findings as Alertmanager's webhook JSON (version "4"), so anything that takes Alertmanager webhooks (SIEM
/// forwarders, chat bridges) takes contsec alerts: `alertname` = the rule id, labels from the finding.
public enum AlertmanagerPayload {
    public static func body(_ findings: [Finding], receiver: String = "contsec", now: Date = Date()) -> [UInt8] {
        let stamp = ISO8601DateFormatter().string(from: now)
        let alerts: [JSONValue] = findings.map { f in
            var labels: [String: JSONValue] = ["alertname": .string(f.ruleId), "severity": .string(f.severity.rawValue),
                                               "category": .string(f.category.rawValue), "target_kind": .string(f.target.kind)]
            if f.target.kind == "container" { labels["container"] = .string(f.target.name) } else { labels["target"] = .string(f.target.name) }
            return [
                "status": "firing",
                "labels": .object(labels),
                "annotations": ["summary": .string(f.title), "description": .string(f.message ?? f.title),
                                "remediation": .string(f.remediation ?? "")],
                "startsAt": .string(stamp),
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "",
                "fingerprint": .string(String((f.fingerprint ?? SHA256.hex(Data(f.ruleId.utf8))).prefix(16))),
            ]
        }
        let containers = Set(findings.filter { $0.target.kind == "container" }.map(\.target.name))
        var common: [String: JSONValue] = [:]
        if containers.count == 1 { common["container"] = .string(containers.first!) }
        let payload: JSONValue = [
            "version": "4",
            "groupKey": .string("{}:{container=\"\(containers.sorted().joined(separator: ","))\"}"),
            "truncatedAlerts": 0,
            "status": "firing",
            "receiver": .string(receiver),
            "groupLabels": .object(common),
            "commonLabels": .object(common),
            "commonAnnotations": [:],
            "externalURL": "",
            "alerts": .array(alerts),
        ]
        return JSONWriter.bytes(payload)
    }
}
