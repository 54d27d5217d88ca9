import Foundation
import YAMLReader

/// Reads Kubernetes manifests (multi-document YAML, `List` kinds) from files and folders into a `ClusterModel`.
/// A document analyze cannot use becomes a problem (reported as a finding); the rest are still read.
public enum ManifestLoader {
    static let workloadKinds: Set<String> = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                             "ReplicationController", "Job", "CronJob"]

    /// `*.yaml` / `*.yml` below `folder` (hidden folders skipped), sorted for stable output.
    public static func yamlFiles(in folder: String) throws -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) else {
            throw ManifestProblem("\(folder) does not exist", nil)
        }
        if !isDir.boolValue { return [folder] }
        guard let walker = FileManager.default.enumerator(atPath: folder) else { throw ManifestProblem("\(folder) cannot be read", nil) }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            if rel.hasSuffix(".yaml") || rel.hasSuffix(".yml") { out.append(folder + "/" + rel) }
        }
        return out.sorted()
    }

    /// - Parameter display: how a file is named in the model (relative paths for findings).
    public static func load(files: [String], display: (String) -> String = { $0 }) -> ClusterModel {
        var model = ClusterModel()
        for path in files {
            let name = display(path)
            guard let data = FileManager.default.contents(atPath: path) else {
                model.problems.append((name, nil, "cannot be read"))
                continue
            }
            let docs: [YAMLNode]
            do { docs = try YAMLReader.parse(bytes: [UInt8](data)) } catch {
                model.problems.append((name, error.line, "not valid YAML: \(error.message)"))
                continue
            }
            for doc in docs { add(doc, file: name, to: &model) }
        }
        return model
    }

    static func add(_ doc: YAMLNode, file: String, to model: inout ClusterModel) {
        guard doc.isMapping, let kind = doc["kind"]?.scalar else { return }
        if kind.hasSuffix("List"), let items = doc["items"], items.isSequence {
            for item in items.items { add(item, file: file, to: &model) }
            return
        }
        let namespace = doc.at("metadata", "namespace")?.scalar.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let name = doc.at("metadata", "name")?.scalar ?? ""
        do throws(ManifestProblem) {
            switch kind {
            case "Namespace":
                guard !name.isEmpty else { throw ManifestProblem("a Namespace without metadata.name", doc) }
                model.touchNamespace(name)
                for p in doc.at("metadata", "labels")?.pairs ?? [] {
                    if let k = p.key.scalar, let v = p.value.scalar { model.namespaces[name]!.labels[k] = v }
                }
            case "NetworkPolicy":
                guard doc["apiVersion"]?.scalar == "networking.k8s.io/v1" else { return }
                model.touchNamespace(namespace)
                model.policies.append(try policy(doc, name: name, namespace: namespace, file: file))
            case _ where workloadKinds.contains(kind):
                model.touchNamespace(namespace)
                if let w = try workload(doc, kind: kind, name: name, namespace: namespace, file: file) { model.workloads.append(w) }
            default:
                return
            }
        } catch {
            model.problems.append((file, error.line ?? doc.line, "\(kind) \(namespace)/\(name): \(error.message)"))
        }
    }

    static func workload(_ doc: YAMLNode, kind: String, name: String, namespace: String, file: String) throws(ManifestProblem) -> ClusterModel.Workload? {
        let template: YAMLNode?
        switch kind {
        case "Pod": template = doc
        case "CronJob": template = doc.at("spec", "jobTemplate", "spec", "template")
        default: template = doc.at("spec", "template")
        }
        guard let template, !name.isEmpty else { throw ManifestProblem("no pod template (spec.template) or no metadata.name", doc) }
        var labels: [String: String] = [:]
        for p in template.at("metadata", "labels")?.pairs ?? [] {
            if let k = p.key.scalar, let v = p.value.scalar { labels[k] = v }
        }
        let spec = template["spec"]
        var ports: [ClusterModel.ContainerPort] = []
        for container in (spec?["containers"]?.items ?? []) + (spec?["initContainers"]?.items ?? []) {
            for p in container["ports"]?.items ?? [] {
                guard let number = p["containerPort"]?.int else { continue }
                let proto = p["protocol"]?.scalar.flatMap(TransportProtocol.init(parsing:)) ?? .tcp
                ports.append(.init(name: p["name"]?.scalar, port: number, proto: proto))
            }
        }
        return ClusterModel.Workload(name: name, kind: kind, namespace: namespace, labels: labels, ports: ports,
                                     hostNetwork: spec?["hostNetwork"]?.bool == true, file: file, line: doc.line)
    }

    static func policy(_ doc: YAMLNode, name: String, namespace: String, file: String) throws(ManifestProblem) -> ClusterModel.Policy {
        guard !name.isEmpty else { throw ManifestProblem("a NetworkPolicy without metadata.name", doc) }
        let spec = doc["spec"]
        let podSelector = try spec?["podSelector"].map { n throws(ManifestProblem) in try LabelSelector.read(n) } ?? .everything
        let ingress = try rules(spec?["ingress"], peerKey: "from")
        let egress = try rules(spec?["egress"], peerKey: "to")
        var types = Set<Direction>()
        if let declared = spec?["policyTypes"], !declared.isNull {
            for t in declared.items {
                switch t.scalar {
                case "Ingress": types.insert(.ingress)
                case "Egress": types.insert(.egress)
                default: throw ManifestProblem("policyTypes entry '\(t.scalar ?? "?")' is not Ingress or Egress", t)
                }
            }
        } else {
            // API default: Ingress always, Egress when the policy has an egress section.
            types.insert(.ingress)
            if spec?["egress"].map({ !$0.isNull }) == true { types.insert(.egress) }
        }
        return ClusterModel.Policy(name: name, namespace: namespace, podSelector: podSelector, types: types,
                                   ingress: ingress, egress: egress, file: file, line: doc.line)
    }

    static func rules(_ node: YAMLNode?, peerKey: String) throws(ManifestProblem) -> [ClusterModel.Rule] {
        guard let node, !node.isNull else { return [] }
        guard node.isSequence else { throw ManifestProblem("must be a list of rules", node) }
        var out: [ClusterModel.Rule] = []
        for r in node.items {
            var peers: [ClusterModel.PeerSpec]? = nil
            if let list = r[peerKey], !list.items.isEmpty {
                peers = []
                for p in list.items { peers!.append(try peer(p)) }
            }
            var ports: [ClusterModel.Port]? = nil
            if let list = r["ports"], !list.items.isEmpty {
                ports = []
                for p in list.items { ports!.append(try port(p)) }
            }
            out.append(ClusterModel.Rule(peers: peers, ports: ports, line: r.line))
        }
        return out
    }

    static func peer(_ node: YAMLNode) throws(ManifestProblem) -> ClusterModel.PeerSpec {
        if let block = node["ipBlock"], !block.isNull {
            if node["podSelector"] != nil || node["namespaceSelector"] != nil {
                throw ManifestProblem("a peer with ipBlock may not also have podSelector or namespaceSelector", node)
            }
            guard let text = block["cidr"]?.scalar, let cidr = CIDR(text, lenient: true) else {
                throw ManifestProblem("ipBlock.cidr '\(block["cidr"]?.scalar ?? "")' is not a CIDR block", block)
            }
            var except: [CIDR] = []
            for e in block["except"]?.items ?? [] {
                guard let t = e.scalar, let c = CIDR(t, lenient: true), cidr.contains(c) else {
                    throw ManifestProblem("ipBlock.except '\(e.scalar ?? "")' is not a CIDR block inside \(text)", e)
                }
                except.append(c)
            }
            return .ipBlock(cidr, except: except)
        }
        let pod = try node["podSelector"].map { n throws(ManifestProblem) in try LabelSelector.read(n) }
        let ns = try node["namespaceSelector"].map { n throws(ManifestProblem) in try LabelSelector.read(n) }
        guard pod != nil || ns != nil else { throw ManifestProblem("a peer needs podSelector, namespaceSelector or ipBlock", node) }
        return .pods(podSelector: pod, namespaceSelector: ns)
    }

    static func port(_ node: YAMLNode) throws(ManifestProblem) -> ClusterModel.Port {
        let protoText = node["protocol"]?.scalar ?? "TCP"
        guard let proto = TransportProtocol(rawValue: protoText) else {
            throw ManifestProblem("protocol '\(protoText)' is not TCP, UDP or SCTP", node)
        }
        var value: ClusterModel.Port.Value?
        if let p = node["port"], !p.isNull {
            if let n = p.int {
                guard (1...65535).contains(n) else { throw ManifestProblem("port \(n) is outside 1-65535", p) }
                value = .number(n)
            } else if let s = p.scalar {
                value = .named(s)
            }
        }
        var endPort: Int?
        if let e = node["endPort"], !e.isNull {
            guard let n = e.int, case .number(let start)? = value, n >= start, n <= 65535 else {
                throw ManifestProblem("endPort needs a numeric port no greater than it", e)
            }
            endPort = n
        }
        return ClusterModel.Port(proto: proto, value: value, endPort: endPort)
    }
}
