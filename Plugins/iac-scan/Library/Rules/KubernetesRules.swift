import ContsecProtocol
import YAMLReader

/// Rules CS-K8S-001...027 over one Kubernetes resource.
enum KubernetesRules {
    /// Where the pod spec lives, per workload kind.
    static let podSpecPaths: [String: [String]] = [
        "Pod": ["spec"],
        "Deployment": ["spec", "template", "spec"], "StatefulSet": ["spec", "template", "spec"],
        "DaemonSet": ["spec", "template", "spec"], "ReplicaSet": ["spec", "template", "spec"],
        "ReplicationController": ["spec", "template", "spec"], "Job": ["spec", "template", "spec"],
        "DeploymentConfig": ["spec", "template", "spec"],
        "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
        "PodTemplate": ["template", "spec"],
    ]

    /// Workloads whose containers are expected to run until stopped (Jobs and CronJobs run to completion).
    static let probedKinds: Set<String> = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
                                           "DeploymentConfig", "PodTemplate"]

    static func node(_ root: YAMLNode, _ path: [String]) -> YAMLNode? {
        var cur: YAMLNode? = root
        for k in path { cur = cur?[k] }
        return cur
    }

    static func check(_ res: YAMLNode, _ sink: inout FindingSink) {
        guard let kind = res["kind"]?.scalar, let path = podSpecPaths[kind], let pod = node(res, path), pod.isMapping else { return }
        let meta = res["metadata"]
        let name = meta?["name"]?.scalar ?? "(unnamed)"
        let nsNode = meta?["namespace"]
        let namespace = nsNode?.scalar ?? "default"
        let resource = "\(kind)/\(namespace)/\(name)"
        let resLine = res.pair("kind")?.key.line ?? res.line
        let baseProps: [String: JSONValue] = ["kind": .string(kind), "namespace": .string(namespace), "name": .string(name)]
        func report(_ id: String, _ at: YAMLNode?, _ fallback: Int, _ message: String, _ field: String, _ extra: [String: JSONValue] = [:]) {
            var props = baseProps
            for (k, v) in extra { props[k] = v }
            sink.report(id, line: at?.line ?? fallback, column: at?.column, message: "\(resource): \(message)",
                        resource: resource, locator: field, properties: props)
        }
        // Pod-level findings without a field of their own point at the pod spec's `spec:` key.
        let podLine = node(res, Array(path.dropLast()))?.pair(path.last!)?.key.line ?? pod.line

        if nsNode == nil || namespace == "default" {
            report("CS-K8S-017", nsNode, meta?.line ?? resLine, "runs in the default namespace.", "metadata.namespace")
        }
        for (key, id, what) in [("hostNetwork", "CS-K8S-009", "the host network"), ("hostPID", "CS-K8S-010", "the host PID namespace"),
                                ("hostIPC", "CS-K8S-011", "the host IPC namespace")] {
            if let p = pod.pair(key), p.value.isTruthy { report(id, p.key, podLine, "\(key): true shares \(what).", key) }
        }
        let automount = pod.pair("automountServiceAccountToken")
        if !(automount?.value.isFalsy ?? false) {
            report("CS-K8S-018", automount?.key, podLine, "the service account token is mounted into the pod (automountServiceAccountToken is not false).",
                   "automountServiceAccountToken")
        }
        for v in pod["volumes"]?.items ?? [] {
            guard let hp = v["hostPath"], let pathNode = hp["path"], let p = pathNode.scalar else { continue }
            let vol = v["name"]?.scalar ?? "?"
            if Heuristics.isRuntimeSocket(p) {
                report("CS-K8S-008", pathNode, v.line, "volume '\(vol)' mounts the container runtime socket \(p).", "volumes|\(vol)", ["hostPath": .string(p)])
            } else {
                report("CS-K8S-007", pathNode, v.line, "volume '\(vol)' mounts host path \(p).", "volumes|\(vol)", ["hostPath": .string(p)])
            }
        }
        let podSC = pod["securityContext"]
        if podSC.map({ $0.pairs.isEmpty }) ?? true {
            report("CS-K8S-027", pod.pair("securityContext")?.key, podLine, "the pod spec sets no securityContext.", "securityContext")
        }
        let podSeccomp = podSC?.at("seccompProfile", "type")
        if podSeccomp?.scalar == "Unconfined" {
            report("CS-K8S-020", podSeccomp, podLine, "the pod's seccomp profile is Unconfined.", "securityContext.seccompProfile")
        }
        let templateMeta = node(res, Array(path.dropLast()) + ["metadata"])
        let annotations = templateMeta?["annotations"]

        var containers: [(YAMLNode, String)] = []
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            for c in pod[key]?.items ?? [] { containers.append((c, key)) }
        }
        for (c, group) in containers {
            let cname = c["name"]?.scalar ?? "?"
            let cl = c.line
            let loc = "\(group)/\(cname)"
            func creport(_ id: String, _ at: YAMLNode?, _ message: String, _ field: String, _ extra: [String: JSONValue] = [:]) {
                var props = extra
                props["container"] = .string(cname)
                report(id, at, cl, "container '\(cname)' \(message)", "\(loc)|\(field)", props)
            }
            let sc = c["securityContext"]
            if let p = sc?.pair("privileged"), p.value.isTruthy { creport("CS-K8S-001", p.key, "runs privileged.", "privileged") }

            let ape = sc?.pair("allowPrivilegeEscalation")
            if !(ape?.value.isFalsy ?? false) {
                creport("CS-K8S-002", ape?.key, "does not set allowPrivilegeEscalation: false.", "allowPrivilegeEscalation")
            }

            let userPair = sc?.pair("runAsUser") ?? podSC?.pair("runAsUser")
            let nonRootPair = sc?.pair("runAsNonRoot") ?? podSC?.pair("runAsNonRoot")
            if let u = userPair, u.value.int == 0 {
                creport("CS-K8S-003", u.key, "sets runAsUser: 0 (root).", "runAsUser")
            } else if !(nonRootPair?.value.isTruthy ?? false), (userPair?.value.int ?? 0) <= 0 {
                creport("CS-K8S-003", nonRootPair?.key, "may run as root (runAsNonRoot is not true and no non-zero runAsUser).", "runAsNonRoot")
            }

            let ro = sc?.pair("readOnlyRootFilesystem")
            if !(ro?.value.isTruthy ?? false) {
                creport("CS-K8S-004", ro?.key, "has a writable root filesystem (readOnlyRootFilesystem is not true).", "readOnlyRootFilesystem")
            }

            let caps = sc?["capabilities"]
            let drops = (caps?["drop"]?.items ?? []).compactMap { $0.scalar.map(Heuristics.normalizedCapability) }
            if !drops.contains("ALL") {
                creport("CS-K8S-005", caps?.pair("drop")?.key, "does not drop ALL capabilities.", "capabilities.drop")
            }
            for a in caps?["add"]?.items ?? [] {
                guard let raw = a.scalar else { continue }
                let cap = Heuristics.normalizedCapability(raw)
                if !Heuristics.baselineAllowedCapabilities.contains(cap) {
                    creport("CS-K8S-006", a, "adds capability \(cap), which the Pod Security Standards baseline does not allow.",
                            "capabilities.add|\(cap)", ["capability": .string(cap)])
                }
            }

            let resources = c["resources"]
            for (sect, key, id) in [("limits", "cpu", "CS-K8S-012"), ("limits", "memory", "CS-K8S-013"),
                                    ("requests", "cpu", "CS-K8S-014"), ("requests", "memory", "CS-K8S-015")]
            where resources?.at(sect, key) == nil {
                creport(id, c.pair("resources")?.key, "has no resources.\(sect).\(key).", "resources.\(sect).\(key)")
            }

            if let img = c["image"], let ref = img.scalar {
                switch Heuristics.imageTag(ref) {
                case .latest, .none: creport("CS-K8S-016", img, "uses image \(ref) without a pinned version.", "image", ["image": .string(ref)])
                default: break
                }
                if Heuristics.imageTag(ref) != .unknown, !ref.hasByte("@") {
                    creport("CS-K8S-023", img, "uses image \(ref) by tag, not by digest.", "image|digest", ["image": .string(ref)])
                }
            }
            // Init and ephemeral containers run to completion or on demand: probes are for long-running containers.
            if group == "containers", probedKinds.contains(kind) {
                if c["livenessProbe"] == nil { creport("CS-K8S-024", nil, "has no livenessProbe.", "livenessProbe") }
                if c["readinessProbe"] == nil { creport("CS-K8S-025", nil, "has no readinessProbe.", "readinessProbe") }
            }
            // As checkov CKV_K8S_40: no runAsUser, one below 10000, or one that is not a number (the API refuses it;
            // an unrendered template value cannot be vouched for) all fail.
            if let pair = userPair {
                if let uid = pair.value.int {
                    if uid < 10000 { creport("CS-K8S-026", pair.key, "runs as UID \(uid), below 10000.", "runAsUser|high") }
                } else {
                    creport("CS-K8S-026", pair.key, "has a runAsUser that is not a number.", "runAsUser|high")
                }
            } else {
                creport("CS-K8S-026", nil, "sets no runAsUser, so the image's user (often root or a low UID) applies.", "runAsUser|high")
            }

            let cSeccomp = sc?.at("seccompProfile", "type")
            if cSeccomp?.scalar == "Unconfined" {
                creport("CS-K8S-020", cSeccomp, "sets seccompProfile Unconfined.", "seccompProfile")
            }
            let annotated = annotations?["seccomp.security.alpha.kubernetes.io/pod"] != nil
                || annotations?["container.seccomp.security.alpha.kubernetes.io/\(cname)"] != nil
            if cSeccomp == nil, podSeccomp == nil, !annotated {
                creport("CS-K8S-019", nil, "has no seccompProfile (pod or container securityContext).", "seccompProfile")
            }

            for p in c["ports"]?.items ?? [] {
                if let hp = p.pair("hostPort") {
                    creport("CS-K8S-021", hp.key, "binds hostPort \(hp.value.scalar ?? "?").", "ports|\(hp.value.scalar ?? "")")
                }
            }

            for e in c["env"]?.items ?? [] {
                guard let n = e["name"]?.scalar, Heuristics.looksLikeSecretName(n), let v = e.pair("value"),
                      let s = v.value.scalar, Heuristics.isLiteralSecretValue(s) else { continue }
                creport("CS-K8S-022", v.key, "sets env \(n) to a literal secret value.", "env|\(n)", ["variable": .string(n)])
            }
        }
    }
}
