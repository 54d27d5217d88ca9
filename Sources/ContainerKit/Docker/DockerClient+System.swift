import Foundation

extension DockerClient {
    /// `GET /_ping`: true when the daemon answers "OK". Throws the connection errors (socket missing...) as they are.
    public func ping() async throws -> Bool {
        let response = try await send("GET", "/_ping", versioned: false)
        return String(decoding: response.body, as: UTF8.self) == "OK"
    }

    /// `GET /version` (unversioned, so it also works before negotiation).
    public func version() async throws -> VersionInfo {
        let response = try await send("GET", "/version", versioned: false)
        return try Self.decode(VersionInfo.self, from: response.body)
    }

    /// `GET /info`: daemon-wide settings and counts.
    public func info() async throws -> SystemInfo {
        let response = try await send("GET", "/info")
        return try Self.decode(SystemInfo.self, from: response.body)
    }

    /// `GET /events` as a live stream; ends at `until` if set, or when the consumer stops iterating.
    public func events(_ filters: EventFilters = EventFilters()) -> AsyncThrowingStream<DockerEvent, Error> {
        makeStream(JSONLinesFramer<DockerEvent>(), "GET", "/events",
                   query: [("since", filters.since.map(String.init)), ("until", filters.until.map(String.init)),
                           ("filters", QueryItems.filters(filters.filters))],
                   notFound: nil)
    }
}
