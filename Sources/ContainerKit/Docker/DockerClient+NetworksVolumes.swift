import Foundation

extension DockerClient {
    // MARK: Networks

    /// `GET /networks`.
    public func listNetworks(filters: [String: [String]] = [:]) async throws -> [Network] {
        let response = try await send("GET", "/networks", query: [("filters", QueryItems.filters(filters))])
        return try Self.decode([Network].self, from: response.body)
    }

    /// `GET /networks/{id}`, including attached containers.
    public func inspectNetwork(_ id: String) async throws -> Network {
        let response = try await send("GET", "/networks/\(pathSegment(id))", notFound: (.network, id))
        return try Self.decode(Network.self, from: response.body)
    }

    /// `POST /networks/create`. Use `internal: true` for networks that must not route outside.
    public func createNetwork(_ options: NetworkCreateOptions) async throws -> NetworkCreateResponse {
        let response = try await send("POST", "/networks/create", body: try Self.encode(options))
        return try Self.decode(NetworkCreateResponse.self, from: response.body)
    }

    /// `POST /networks/{id}/connect`.
    public func connect(container: String, toNetwork network: String, endpoint: EndpointConfig? = nil) async throws {
        struct Body: Encodable {
            var container: String
            var endpointConfig: EndpointConfig?
            enum CodingKeys: String, CodingKey { case container = "Container", endpointConfig = "EndpointConfig" }
        }
        _ = try await send("POST", "/networks/\(pathSegment(network))/connect",
                           body: try Self.encode(Body(container: container, endpointConfig: endpoint)),
                           notFound: (.network, network))
    }

    /// `POST /networks/{id}/disconnect`.
    public func disconnect(container: String, fromNetwork network: String, force: Bool = false) async throws {
        struct Body: Encodable {
            var container: String
            var force: Bool
            enum CodingKeys: String, CodingKey { case container = "Container", force = "Force" }
        }
        _ = try await send("POST", "/networks/\(pathSegment(network))/disconnect",
                           body: try Self.encode(Body(container: container, force: force)), notFound: (.network, network))
    }

    /// `DELETE /networks/{id}`.
    public func removeNetwork(_ id: String) async throws {
        _ = try await send("DELETE", "/networks/\(pathSegment(id))", notFound: (.network, id))
    }

    // MARK: Volumes

    /// `GET /volumes`.
    public func listVolumes(filters: [String: [String]] = [:]) async throws -> [Volume] {
        let response = try await send("GET", "/volumes", query: [("filters", QueryItems.filters(filters))])
        return try Self.decode(VolumeListResponse.self, from: response.body).volumes ?? []
    }

    /// `GET /volumes/{name}`.
    public func inspectVolume(_ name: String) async throws -> Volume {
        let response = try await send("GET", "/volumes/\(pathSegment(name))", notFound: (.volume, name))
        return try Self.decode(Volume.self, from: response.body)
    }

    /// `POST /volumes/create`. For a RAM-backed volume use driver "local" with
    /// driverOpts ["type": "tmpfs", "device": "tmpfs", "o": "size=16m"].
    public func createVolume(_ options: VolumeCreateOptions) async throws -> Volume {
        let response = try await send("POST", "/volumes/create", body: try Self.encode(options))
        return try Self.decode(Volume.self, from: response.body)
    }

    /// `DELETE /volumes/{name}`.
    public func removeVolume(_ name: String, force: Bool = false) async throws {
        _ = try await send("DELETE", "/volumes/\(pathSegment(name))", query: [("force", force ? "1" : nil)],
                           notFound: (.volume, name))
    }
}
