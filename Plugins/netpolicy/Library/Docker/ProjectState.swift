import ContainerKit

/// What the engine says about one project right now: its tier networks and the containers of every service its
/// policies name (as subject or peer).
public struct ProjectState: Sendable {
    public var tierNetworks: [String: Network]
    public var containers: [String: [ServiceContainer]]

    public static func read(locator: ServiceLocator, policies: PolicySet) async throws -> ProjectState {
        let networks = try await locator.tierNetworks()
        var services = Set(policies.services)
        for s in policies.services { services.formUnion(policies[s]!.peerServices) }
        var containers: [String: [ServiceContainer]] = [:]
        for s in services.sorted() { containers[s] = try await locator.containers(for: s) }
        return ProjectState(tierNetworks: networks, containers: containers)
    }

    /// Tier networks by name, for reverse lookups.
    public var tierByNetworkName: [String: String] {
        Dictionary(uniqueKeysWithValues: tierNetworks.map { ($0.value.name, $0.key) })
    }

    /// Tiers the containers of each service are on now.
    public var currentTiers: [String: [String]] {
        let byName = tierByNetworkName
        var out: [String: [String]] = [:]
        for (service, list) in containers {
            var tiers: [String] = []
            for c in list { for n in c.networks.keys.sorted() { if let t = byName[n], !tiers.contains(t) { tiers.append(t) } } }
            out[service] = tiers
        }
        return out
    }

    /// Addresses for firewall rules: running containers only (a stopped one has none).
    public var addressBook: AddressBook {
        var book = AddressBook()
        for (service, list) in containers {
            book.services[service] = list.filter(\.running).flatMap(\.addresses).sorted()
        }
        for (tier, network) in tierNetworks {
            if let pool = network.ipam?.config?.first, let subnet = pool.subnet {
                book.tiers[tier] = (subnet, pool.gateway)
            }
        }
        return book
    }
}
