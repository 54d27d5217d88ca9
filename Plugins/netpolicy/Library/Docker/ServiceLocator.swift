import ContainerKit

/// A running (or stopped) container that runs a service.
public struct ServiceContainer: Sendable {
    public var service: String
    public var inspect: ContainerInspect

    public var id: String { inspect.id }
    /// Without Docker's leading slash.
    public var name: String { inspect.name.hasPrefix("/") ? String(inspect.name.dropFirst()) : inspect.name }
    public var running: Bool { inspect.state.running }
    public var pid: Int? { inspect.state.pid.flatMap { $0 > 0 ? $0 : nil } }
    public var networkMode: String { inspect.hostConfig.networkMode ?? "default" }
    /// Network name → attachment.
    public var networks: [String: EndpointSettings] { inspect.networkSettings?.networks ?? [:] }
    /// Every IPv4 address the container has, over all its networks, sorted.
    public var addresses: [String] {
        networks.values.compactMap { $0.ipAddress.flatMap { $0.isEmpty ? nil : $0 } }.sorted()
    }
    /// Network aliases (compose sets the service name), for certificate SANs.
    public var aliases: [String] {
        var out: [String] = []
        for (_, e) in networks.sorted(by: { $0.key < $1.key }) {
            for a in e.aliases ?? [] where !out.contains(a) && !id.hasPrefix(a) { out.append(a) }
        }
        return out
    }
}

/// Finds the containers of a service in one project (`--prefix`): those labelled `contsec.netpolicy.service=<s>`
/// and `contsec.netpolicy.project=<prefix>`; else a compose project's service (`com.docker.compose.project` =
/// prefix, `com.docker.compose.service` = s); else a container named exactly `<s>` that belongs to no other project.
public struct ServiceLocator: Sendable {
    public let docker: DockerClient
    public let prefix: String

    public init(docker: DockerClient, prefix: String) { self.docker = docker; self.prefix = prefix }

    public func containers(for service: String) async throws -> [ServiceContainer] {
        var found = try await docker.listContainers(all: true, filters: ["label": [
            "\(TierLayout.serviceLabel)=\(service)", "\(TierLayout.projectLabel)=\(prefix)"]])
        if found.isEmpty {
            found = try await docker.listContainers(all: true, filters: ["label": [
                "com.docker.compose.service=\(service)", "com.docker.compose.project=\(prefix)"]])
        }
        if found.isEmpty {
            found = try await docker.listContainers(all: true, filters: ["name": [service]]).filter { summary in
                summary.names.contains("/" + service)
                    && (summary.labels?[TierLayout.projectLabel].map { $0 == prefix } ?? true)
                    && (summary.labels?["com.docker.compose.project"].map { $0 == prefix } ?? true)
            }
        }
        var out: [ServiceContainer] = []
        for summary in found.sorted(by: { $0.id < $1.id }) {
            out.append(ServiceContainer(service: service, inspect: try await docker.inspectContainer(summary.id)))
        }
        return out
    }

    /// The networks of this project (labelled by setup), by tier.
    public func tierNetworks() async throws -> [String: Network] {
        var out: [String: Network] = [:]
        for n in try await docker.listNetworks(filters: ["label": ["\(TierLayout.projectLabel)=\(prefix)"]]) {
            guard let tier = n.labels?[TierLayout.tierLabel], n.name == "\(prefix)_\(tier)" else { continue }
            out[tier] = try await docker.inspectNetwork(n.id)
        }
        return out
    }
}
