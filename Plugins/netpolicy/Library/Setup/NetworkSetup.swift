import Foundation
import ContainerKit
import ContsecProtocol
import YAMLReader

/// `setup`: one Docker network per tier (`<prefix>_<tier>`, the inner ones `internal`, labelled as contsec's) and
/// `security/network/docker-compose.network.yml` declaring them `external: true` for compose projects.
/// Idempotent: what exists as wanted is left alone; a network of that name with another configuration is
/// reported (a finding) and never reused or changed.
public struct NetworkSetup: Sendable {
    public static let composePath = "security/network/docker-compose.network.yml"

    public var layout: TierLayout
    /// Tiers whose network gets no route outside the host (`internal`); by default all but the first.
    public var internalTiers: Set<String>
    /// Extra labels for the networks (e.g. `contsec-test=1`).
    public var extraLabels: [String: String]

    public init(layout: TierLayout, internalTiers: Set<String>? = nil, extraLabels: [String: String] = [:]) {
        self.layout = layout
        self.internalTiers = internalTiers ?? Set(layout.tiers.dropFirst())
        self.extraLabels = extraLabels
    }

    /// The labels a tier's network carries.
    public func labels(_ tier: String) -> [String: String] {
        extraLabels.merging([TierLayout.managedLabel: "true", TierLayout.projectLabel: layout.prefix,
                             TierLayout.tierLabel: tier]) { _, ours in ours }
    }

    /// What is wrong with an existing network for `tier`, or nil when it is what setup would create.
    public func mismatch(_ network: Network, tier: String) -> String? {
        var problems: [String] = []
        if (network.driver ?? "bridge") != "bridge" { problems.append("driver \(network.driver ?? "?") instead of bridge") }
        let wantInternal = internalTiers.contains(tier)
        if (network.internal ?? false) != wantInternal { problems.append(wantInternal ? "not internal" : "internal") }
        let have = network.labels ?? [:]
        for (k, v) in labels(tier) where have[k] != v {
            problems.append(have[k] == nil ? "no label \(k)" : "label \(k)=\(have[k]!) instead of \(v)")
        }
        return problems.isEmpty ? nil : problems.joined(separator: ", ")
    }

    public struct Result: Sendable {
        public var created: [String] = []
        public var unchanged: [String] = []
        public var conflicting: [String] = []
        public var composeFile: String?
        public var composeChanged = false
    }

    public func run(docker: DockerClient, writer: ConfinedWriter, dryRun: Bool, report: Reporter) async throws -> Result {
        var result = Result()
        for tier in layout.tiers {
            let name = layout.networkName(tier)
            let existing = try await docker.listNetworks(filters: ["name": [name]]).first { $0.name == name }
            if let existing {
                if let problem = mismatch(existing, tier: tier) {
                    result.conflicting.append(name)
                    report.finding(Finding(
                        ruleId: "NP-SETUP-001", title: "A network with the tier's name exists with another configuration",
                        severity: .medium, category: .network, target: Target(kind: "network", name: name),
                        message: "Network \(name) exists (\(existing.id.prefix(12))) but \(problem); setup left it as it is and did not reuse it for tier \(tier).",
                        remediation: "Remove or rename it (docker network rm \(name)) if it is not in use, or choose another --prefix.",
                        properties: ["network": .string(name), "tier": .string(tier)]))
                    report.action(Action(kind: "network-created", target: name, status: .skipped, detail: "exists with another configuration: \(problem)"))
                } else {
                    result.unchanged.append(name)
                    report.action(Action(kind: "network-created", target: name, status: .skipped, detail: "already exists as wanted"))
                }
                continue
            }
            let isInternal = internalTiers.contains(tier)
            let detail = "bridge network for tier \(tier)\(isInternal ? ", internal" : "")"
            if dryRun {
                report.action(Action(kind: "network-created", target: name, status: .planned, detail: detail))
                result.created.append(name)
                continue
            }
            do {
                _ = try await docker.createNetwork(NetworkCreateOptions(name: name, driver: "bridge", internal: isInternal,
                                                                       attachable: true, labels: labels(tier)))
                result.created.append(name)
                report.action(Action(kind: "network-created", target: name, status: .applied, detail: detail))
            } catch {
                report.action(Action(kind: "network-created", target: name, status: .failed, detail: "\(error)"))
                throw error
            }
        }
        let text = composeFile()
        let path = writer.root + "/" + Self.composePath
        result.composeFile = path
        if FileManager.default.contents(atPath: path) == Data(text.utf8) {
            report.action(Action(kind: "file-written", target: Self.composePath, status: .skipped, detail: "unchanged", artifacts: [path]))
        } else {
            let written = try writer.write(Self.composePath, Data(text.utf8), mode: 0o644)
            result.composeChanged = true
            report.action(Action(kind: "file-written", target: Self.composePath, status: dryRun ? .planned : .applied,
                                 detail: "compose networks for prefix \(layout.prefix) (external: true)", artifacts: [written.path]))
        }
        return result
    }

    /// The compose file: each tier as an external network under its Docker name.
    public func composeFile() -> String {
        let networks: [(String, YAMLValue)] = layout.tiers.map { tier in
            (tier, .object([("name", .string(layout.networkName(tier))), ("external", .bool(true))]))
        }
        return """
            # Networks made by `contsec run netpolicy setup --prefix \(layout.prefix)`. Add this file to your compose
            # project (docker compose -f docker-compose.yml -f \(Self.composePath) up) and attach each service to
            # its tiers; compose uses the networks as they are (external: true) and never creates or removes them.

            """ + YAMLWriter.document(.object([("networks", .object(networks))]))
    }
}
