/// What analyze reads from manifests: namespaces, workloads (pods and pod templates) and NetworkPolicies.
public struct ClusterModel: Sendable {
    public struct Namespace: Sendable, Hashable {
        public var name: String
        /// Declared labels plus the automatic `kubernetes.io/metadata.name`.
        public var labels: [String: String]
    }

    /// A container port: what named ports resolve to.
    public struct ContainerPort: Sendable, Hashable {
        public var name: String?
        public var port: Int
        public var proto: TransportProtocol
    }

    public struct Workload: Sendable, Hashable {
        public var name: String
        /// Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob.
        public var kind: String
        public var namespace: String
        /// The pods' labels (the template's for controllers).
        public var labels: [String: String]
        public var ports: [ContainerPort]
        /// Pods on the node's network: NetworkPolicies do not apply to them.
        public var hostNetwork: Bool
        public var file: String
        public var line: Int

        /// np-guard's name: `namespace/name[Kind]`.
        public var id: String { "\(namespace)/\(name)[\(kind)]" }
    }

    public struct Port: Sendable, Hashable {
        public enum Value: Sendable, Hashable { case number(Int), named(String) }
        public var proto: TransportProtocol
        /// nil: every port of the protocol.
        public var value: Value?
        public var endPort: Int?
    }

    public enum PeerSpec: Sendable, Hashable {
        /// podSelector and/or namespaceSelector; nil namespaceSelector means the policy's own namespace.
        case pods(podSelector: LabelSelector?, namespaceSelector: LabelSelector?)
        case ipBlock(CIDR, except: [CIDR])
    }

    public struct Rule: Sendable, Hashable {
        /// nil (or empty in the manifest): every peer, workloads and external addresses alike.
        public var peers: [PeerSpec]?
        /// nil (or empty): every port.
        public var ports: [Port]?
        public var line: Int
    }

    public struct Policy: Sendable, Hashable {
        public var name: String
        public var namespace: String
        public var podSelector: LabelSelector
        public var types: Set<Direction>
        public var ingress: [Rule]
        public var egress: [Rule]
        public var file: String
        public var line: Int
        public var id: String { "\(namespace)/\(name)" }
    }

    public var namespaces: [String: Namespace] = [:]
    public var workloads: [Workload] = []
    public var policies: [Policy] = []
    /// Files or documents that could not be used, for findings.
    public var problems: [(file: String, line: Int?, message: String)] = []

    public init() {}

    /// A namespace named anywhere exists, with its automatic name label.
    mutating func touchNamespace(_ name: String) {
        if namespaces[name] == nil {
            namespaces[name] = Namespace(name: name, labels: ["kubernetes.io/metadata.name": name])
        }
    }
}
