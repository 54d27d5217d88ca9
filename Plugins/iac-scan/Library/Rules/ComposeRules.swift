import ContsecProtocol
import YAMLReader

/// Rules CS-DC-001...018 over a parsed compose file (one YAML document with `services:`).
enum ComposeRules {
    static func check(_ root: YAMLNode, _ sink: inout FindingSink) {
        guard let services = root["services"], services.isMapping else { return }
        for entry in services.pairs {
            guard entry.value.isMapping, let name = entry.key.scalar else { continue }
            checkService(name: name, svc: entry.value, keyLine: entry.key.line, &sink)
        }
    }

    static func checkService(name: String, svc: YAMLNode, keyLine: Int, _ sink: inout FindingSink) {
        let resource = "service/\(name)"
        func report(_ id: String, _ node: YAMLNode?, _ message: String, _ field: String, _ extra: [String: JSONValue] = [:]) {
            var props = extra
            props["service"] = .string(name)
            sink.report(id, line: node?.line ?? keyLine, column: node?.column, message: "Service '\(name)': \(message)",
                        resource: resource, locator: field, properties: props)
        }
        func keyNode(_ k: String) -> YAMLNode? { svc.pair(k)?.key }

        if let p = svc["privileged"], p.isTruthy { report("CS-DC-001", keyNode("privileged"), "privileged: true gives the container full access to the host.", "privileged") }
        if svc["network_mode"]?.scalar == "host" { report("CS-DC-002", keyNode("network_mode"), "network_mode: host shares the host network stack.", "network_mode") }
        if svc["pid"]?.scalar == "host" { report("CS-DC-003", keyNode("pid"), "pid: host lets the container see and signal host processes.", "pid") }
        if svc["ipc"]?.scalar == "host" { report("CS-DC-004", keyNode("ipc"), "ipc: host shares the host IPC namespace.", "ipc") }
        for k in ["userns_mode", "uts"] where svc[k]?.scalar == "host" {
            report("CS-DC-018", keyNode(k), "\(k): host shares a host namespace.", k)
        }

        for v in svc["volumes"]?.items ?? [] {
            let source: String?
            if let s = v.scalar {
                let parts = s.split(separator: ":", omittingEmptySubsequences: false)
                source = parts.count >= 2 ? String(parts[0]) : nil
            } else {
                source = (v["type"]?.scalar ?? "bind") == "bind" ? v["source"]?.scalar : nil
            }
            guard let src = source, src.hasPrefix("/") else { continue }
            if Heuristics.isRuntimeSocket(src) {
                report("CS-DC-005", v, "mounts the container runtime socket \(src).", "volumes|\(src)", ["hostPath": .string(src)])
            } else if Heuristics.isSensitiveHostPath(src) {
                report("CS-DC-006", v, "mounts the sensitive host path \(src).", "volumes|\(src)", ["hostPath": .string(src)])
            }
        }

        for c in svc["cap_add"]?.items ?? [] {
            guard let raw = c.scalar else { continue }
            let cap = Heuristics.normalizedCapability(raw)
            if Heuristics.dangerousCapabilities.contains(cap) {
                report("CS-DC-007", c, "cap_add \(cap) grants a dangerous capability.", "cap_add|\(cap)", ["capability": .string(cap)])
            }
        }

        var noNewPrivileges = false
        for o in svc["security_opt"]?.items ?? [] {
            guard let s = o.scalar?.lowercased() else { continue }
            let norm = s.replacingEquals()
            if norm == "seccomp:unconfined" { report("CS-DC-008", o, "security_opt disables seccomp.", "security_opt|seccomp") }
            if norm == "apparmor:unconfined" { report("CS-DC-009", o, "security_opt disables AppArmor.", "security_opt|apparmor") }
            if norm == "no-new-privileges" || norm == "no-new-privileges:true" { noNewPrivileges = true }
        }
        if !noNewPrivileges { report("CS-DC-010", nil, "security_opt does not set no-new-privileges:true.", "no-new-privileges") }

        let limits = svc.at("deploy", "resources", "limits")
        if svc["mem_limit"] == nil, limits?["memory"] == nil {
            report("CS-DC-011", nil, "no memory limit (mem_limit or deploy.resources.limits.memory).", "mem_limit")
        }
        if svc["pids_limit"] == nil, limits?["pids"] == nil {
            report("CS-DC-012", nil, "no PIDs limit (pids_limit).", "pids_limit")
        }
        if !(svc["read_only"]?.isTruthy ?? false) {
            report("CS-DC-013", keyNode("read_only"), "read_only is not true.", "read_only")
        }

        for p in svc["ports"]?.items ?? [] {
            if let s = p.scalar {
                if let exposed = publishedOnAllInterfaces(s) {
                    report("CS-DC-014", p, "port \(s) is published on all interfaces (\(exposed)).", "ports|\(s)")
                }
            } else if p.isMapping {
                let ip = p["host_ip"]?.scalar ?? ""
                if ip.isEmpty || ip == "0.0.0.0" || ip == "::" {
                    let desc = "\(p["published"]?.scalar ?? "random"):\(p["target"]?.scalar ?? "?")"
                    report("CS-DC-014", p, "port \(desc) is published on all interfaces.", "ports|\(desc)")
                }
            }
        }

        if svc["build"] == nil, let img = svc["image"], let ref = img.scalar {
            switch Heuristics.imageTag(ref) {
            case .latest, .none:
                report("CS-DC-015", img, "image \(ref) is not pinned to a version.", "image|\(ref)", ["image": .string(ref)])
            default: break
            }
        }

        checkEnvironment(svc["environment"], report: { node, varName in
            report("CS-DC-016", node, "environment variable \(varName) holds a literal secret value.", "environment|\(varName)", ["variable": .string(varName)])
        })

        if let u = svc["user"], let s = u.scalar {
            let name = s.split(separator: ":", maxSplits: 1).first.map(String.init) ?? s
            if name == "root" || name == "0" { report("CS-DC-017", u, "user: \(s) runs the service as root.", "user") }
        }
    }

    /// Both compose environment forms: a mapping, or a list of `KEY=value`. Only names reach findings.
    static func checkEnvironment(_ env: YAMLNode?, report: (YAMLNode, String) -> Void) {
        guard let env else { return }
        if env.isMapping {
            for p in env.pairs {
                guard let k = p.key.scalar, Heuristics.looksLikeSecretName(k), let v = p.value.scalar, Heuristics.isLiteralSecretValue(v) else { continue }
                report(p.key, k)
            }
        } else {
            for item in env.items {
                guard let s = item.scalar, let eq = s.firstIndex(of: "=") else { continue }
                let k = String(s[..<eq]), v = String(s[s.index(after: eq)...])
                if Heuristics.looksLikeSecretName(k), Heuristics.isLiteralSecretValue(v) { report(item, k) }
            }
        }
    }

    /// Short port syntax: `80` (random host port), `8080:80`, `0.0.0.0:8080:80` are public; `127.0.0.1:8080:80` is not.
    /// Returns a short reason when public, nil otherwise.
    static func publishedOnAllInterfaces(_ spec: String) -> String? {
        var s = spec
        if let slash = s.firstIndex(of: "/") { s = String(s[..<slash]) }
        if s.hasPrefix("[") {
            // [::1]:8080:80
            guard let close = s.firstIndex(of: "]") else { return nil }
            let ip = String(s[s.index(after: s.startIndex)..<close])
            return ip == "::" ? "bound to [::]" : nil
        }
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return "random host port, no host address"
        case 2: return "no host address"
        default:
            let ip = parts[0]
            return ip.isEmpty || ip == "0.0.0.0" ? "bound to 0.0.0.0" : nil
        }
    }
}

extension String {
    /// `seccomp=unconfined` and `seccomp:unconfined` are the same compose option.
    func replacingEquals() -> String {
        String(self.map { $0 == "=" ? ":" : $0 }).trimmingSpaces
    }
}
