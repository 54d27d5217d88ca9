import ContainerKit
import ContsecProtocol

/// `apply-policy`: makes the Docker host match the policies.
///
/// 1. Every target service's container joins exactly the networks its placement needs (`NetworkPlan`): missing
///    ones are connected first, then every other network is disconnected. A container in `host`, `none` or
///    `container:` network mode cannot be reconnected live; it is re-created on its networks with ContainerKit's
///    `ContainerRecreator` (original kept until the new one runs, rollback on failure).
/// 2. Rules are rendered from the policy with the addresses of that moment and loaded into each container's own
///    network namespace. Services applied earlier are refreshed too when a peer's addresses changed.
///
/// Everything is checked before anything changes; under dry-run every change is a `planned` action. A second
/// apply with nothing changed reports only `skipped` actions.
public struct PolicyApplier: Sendable {
    public let docker: DockerClient
    public let prefix: String
    public let policies: PolicySet
    public var recreate = true
    public var firewall = NamespaceFirewall()

    public init(docker: DockerClient, prefix: String, policies: PolicySet) {
        self.docker = docker; self.prefix = prefix; self.policies = policies
    }

    public struct ServiceResult: Sendable {
        public var service: String
        public var containers: [String] = []
        public var networks: [String] = []
        public var rules = 0
        public var changed = false
    }

    public func apply(services targets: [String], dryRun: Bool, report: Reporter) async throws -> [ServiceResult] {
        let locator = ServiceLocator(docker: docker, prefix: prefix)
        var state = try await ProjectState.read(locator: locator, policies: policies)
        let plan = NetworkPlan(policies: policies, currentTiers: state.currentTiers)

        // Check everything first: nothing changes unless every target can be applied.
        var problems: [String] = []
        for service in targets {
            guard let placement = plan[service] else {
                problems.append("there is no policy for service \(service): create one with create-policy --service \(service)")
                continue
            }
            if placement.tiers.isEmpty {
                problems.append("the policy of \(service) names no tier and no peer to place it by: add tiers (create-policy --tier)")
            }
            for tier in placement.tiers where state.tierNetworks[tier] == nil {
                problems.append("network \(prefix)_\(tier) (tier \(tier) of \(service)) does not exist: run `contsec run netpolicy setup --prefix \(prefix) --tiers ...` with that tier")
            }
            let list = state.containers[service] ?? []
            if list.isEmpty {
                problems.append("service \(service) has no container in project \(prefix): label it \(TierLayout.serviceLabel)=\(service) and \(TierLayout.projectLabel)=\(prefix), run it with compose project \(prefix), or name it \(service)")
            }
            for c in list where !c.running {
                problems.append("container \(c.name) (service \(service)) is not running (\(c.inspect.state.status ?? "stopped")): start it with docker start \(c.name), then apply again")
            }
        }
        if !problems.isEmpty {
            throw NetPolicyError.precondition(problems.count == 1 ? problems[0] : "cannot apply:\n- " + problems.joined(separator: "\n- "))
        }
        if !dryRun { _ = try firewall.tools() }

        // 1. Networks.
        var results: [String: ServiceResult] = [:]
        for service in targets {
            var r = ServiceResult(service: service)
            let wanted = plan[service]!.tiers.map { "\(prefix)_\($0)" }
            r.networks = wanted
            for reason in plan[service]!.reasons { report.log(.info, "\(service) \(reason)") }
            for c in state.containers[service]! {
                r.containers.append(c.name)
                if try await placeContainer(c, on: wanted, dryRun: dryRun, report: report) { r.changed = true }
            }
            results[service] = r
        }
        if !dryRun, results.values.contains(where: \.changed) {
            state = try await ProjectState.read(locator: locator, policies: policies)
        }

        // 2. Firewall rules: the targets, plus services already enforced whose peers may have moved.
        let book = state.addressBook
        let peerPorts = policies.policies.mapValues(\.ports)
        for service in policies.services {
            let isTarget = targets.contains(service)
            let policy = policies[service]!
            for c in (state.containers[service] ?? []) where c.running {
                var current = NamespaceFirewall.State(digest: nil, ruleCount: 0)
                do {
                    current = try await firewall.state(of: c)
                } catch let error as NetPolicyError where !isTarget || dryRun {
                    // A peer that cannot be read is left alone; a dry run without root plans the rules anyway.
                    report.log(isTarget ? .warning : .debug, "\(c.name): cannot read its current rules: \(error)")
                    if !isTarget { continue }
                }
                if !isTarget && current.digest == nil { continue }
                let ruleset = FirewallRenderer.render(policy, book: book, peerPorts: peerPorts)
                for peer in ruleset.unresolved {
                    report.log(.warning, "\(service): no rule lets \(peer) through: it has no running container or its ports are unknown; apply again once it runs")
                }
                var r = results[service] ?? ServiceResult(service: service, containers: [c.name])
                r.rules = ruleset.ruleCount
                let detail = "\(ruleset.ruleCount) rules (\(Direction.allCases.filter(policy.defaultDeny.contains).map(\.rawValue).joined(separator: "+")) default-deny), \(ruleset.digest), in the container's network namespace"
                if current.digest == ruleset.digest && current.ruleCount == ruleset.ruleCount {
                    report.action(Action(kind: "firewall-applied", target: c.name, status: .skipped, detail: "unchanged: " + detail))
                } else if dryRun {
                    report.action(Action(kind: "firewall-applied", target: c.name, status: .planned, detail: detail))
                    r.changed = true
                } else {
                    do {
                        try await firewall.apply(ruleset, to: c)
                    } catch {
                        report.action(Action(kind: "firewall-applied", target: c.name, status: .failed, detail: "\(error)"))
                        throw error
                    }
                    report.action(Action(kind: "firewall-applied", target: c.name, status: .applied,
                                         detail: (isTarget ? "" : "refreshed for peer changes: ") + detail))
                    r.changed = true
                }
                results[service] = r
            }
        }
        return results.values.sorted { $0.service < $1.service }
    }

    /// Connects and disconnects (or re-creates) one container; true when something changed or would change.
    func placeContainer(_ c: ServiceContainer, on wanted: [String], dryRun: Bool, report: Reporter) async throws -> Bool {
        let mode = c.networkMode
        if mode == "host" || mode == "none" || mode.hasPrefix("container:") {
            guard recreate else {
                throw NetPolicyError.precondition("container \(c.name) uses network mode \(mode), which cannot join networks while it exists; allow apply-policy to re-create it (drop --no-recreate)")
            }
            let networks = wanted
            let service = c.service
            let change = RecreateChange("networks \(networks.joined(separator: ", ")) instead of network mode \(mode)") { spec in
                spec.networks = [:]
                spec.networkMode = networks[0]
                for n in networks { spec.connect(network: n, aliases: [service]) }
            }
            let recreator = ContainerRecreator(docker: docker)
            let plan = try await recreator.plan(container: c.id, change: change)
            if dryRun {
                for step in plan.steps {
                    report.action(Action(kind: "container-recreated", target: c.name, status: .planned, detail: step.description))
                }
                return !plan.isNoChange
            }
            do {
                let result = try await recreator.execute(plan)
                for w in result.warnings { report.log(.warning, w) }
                report.action(Action(kind: "container-recreated", target: c.name, status: .applied,
                                     detail: "re-created (\(result.containerID.prefix(12))) on \(networks.joined(separator: ", ")); was network mode \(mode)"))
            } catch {
                report.action(Action(kind: "container-recreated", target: c.name, status: .failed, detail: "\(error)"))
                throw NetPolicyError.failed("\(error)")
            }
            return true
        }
        var changed = false
        let current = Set(c.networks.keys)
        for n in wanted where !current.contains(n) {
            changed = true
            if dryRun {
                report.action(Action(kind: "network-connected", target: "\(c.name) → \(n)", status: .planned, detail: "alias \(c.service)"))
                continue
            }
            do {
                try await docker.connect(container: c.id, toNetwork: n, endpoint: EndpointConfig(aliases: [c.service]))
                report.action(Action(kind: "network-connected", target: "\(c.name) → \(n)", status: .applied, detail: "alias \(c.service)"))
            } catch {
                report.action(Action(kind: "network-connected", target: "\(c.name) → \(n)", status: .failed, detail: "\(error)"))
                throw error
            }
        }
        for n in current.sorted() where !wanted.contains(n) {
            changed = true
            if dryRun {
                report.action(Action(kind: "network-disconnected", target: "\(c.name) ✕ \(n)", status: .planned, detail: "not needed by its policy"))
                continue
            }
            do {
                try await docker.disconnect(container: c.id, fromNetwork: n)
                report.action(Action(kind: "network-disconnected", target: "\(c.name) ✕ \(n)", status: .applied, detail: "not needed by its policy"))
            } catch {
                report.action(Action(kind: "network-disconnected", target: "\(c.name) ✕ \(n)", status: .failed, detail: "\(error)"))
                throw error
            }
        }
        if !changed {
            report.action(Action(kind: "network-connected", target: c.name, status: .skipped, detail: "already on exactly \(wanted.joined(separator: ", "))"))
        }
        return changed
    }
}
