import Foundation
import ContsecProtocol

/// Percent-encodes a name or ID for use inside a URL path (image references keep their `/` and `:`).
func pathSegment(_ value: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~:/@")
    return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
}

extension DockerClient {
    /// `GET /containers/json`: running containers, or all with `all: true`.
    /// - Parameter filters: Docker filters, e.g. ["label": ["app=web"]], ["name": ["db"]].
    public func listContainers(all: Bool = false, filters: [String: [String]] = [:]) async throws -> [ContainerSummary] {
        let response = try await send("GET", "/containers/json",
                                      query: [("all", all ? "1" : nil), ("filters", QueryItems.filters(filters))])
        return try Self.decode([ContainerSummary].self, from: response.body)
    }

    /// `GET /containers/{id}/json`. Throws `DockerError.notFound(.container, id)` for an unknown container.
    public func inspectContainer(_ id: String) async throws -> ContainerInspect {
        let response = try await send("GET", "/containers/\(pathSegment(id))/json", notFound: (.container, id))
        return try Self.decode(ContainerInspect.self, from: response.body)
    }

    /// `POST /containers/create`. The image must exist locally (nothing is pulled).
    public func createContainer(name: String? = nil, _ options: ContainerCreateOptions) async throws -> ContainerCreateResponse {
        let response = try await send("POST", "/containers/create", query: [("name", name)], body: try Self.encode(options),
                                      notFound: (.image, options.config.image ?? ""))
        return try Self.decode(ContainerCreateResponse.self, from: response.body)
    }

    /// `POST /containers/{id}/start`. Starting a running container is not an error.
    public func startContainer(_ id: String) async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/start", notFound: (.container, id))
    }

    /// `POST /containers/{id}/stop`: SIGTERM (or the container's stop signal), then SIGKILL after `timeout` seconds.
    public func stopContainer(_ id: String, timeout: Int = 10) async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/stop", query: [("t", String(timeout))],
                           notFound: (.container, id), timeout: requestTimeout + Double(timeout))
    }

    /// `POST /containers/{id}/kill` with a signal name such as "SIGKILL" or "SIGHUP".
    public func killContainer(_ id: String, signal: String = "SIGKILL") async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/kill", query: [("signal", signal)], notFound: (.container, id))
    }

    /// `POST /containers/{id}/pause`: freezes every process of the container (cgroup freezer) until `unpause`.
    public func pauseContainer(_ id: String) async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/pause", notFound: (.container, id))
    }

    /// `POST /containers/{id}/unpause`.
    public func unpauseContainer(_ id: String) async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/unpause", notFound: (.container, id))
    }

    /// `DELETE /containers/{id}`.
    /// - Parameters:
    ///   - force: kill it first if running.
    ///   - volumes: also remove its anonymous volumes.
    public func removeContainer(_ id: String, force: Bool = false, volumes: Bool = false) async throws {
        _ = try await send("DELETE", "/containers/\(pathSegment(id))",
                           query: [("force", force ? "1" : nil), ("v", volumes ? "1" : nil)], notFound: (.container, id))
    }

    /// `POST /containers/{id}/wait`: blocks until the container stops and returns its exit status.
    /// - Parameter condition: "not-running" (default), "next-exit" or "removed".
    public func waitContainer(_ id: String, condition: String = "not-running") async throws -> ContainerWaitResponse {
        // No read timeout: waiting for a long-running container is the point.
        let response = try await send("POST", "/containers/\(pathSegment(id))/wait", query: [("condition", condition)],
                                      notFound: (.container, id), timeout: 0)
        return try Self.decode(ContainerWaitResponse.self, from: response.body)
    }

    /// `GET /containers/{id}/top`: processes inside the container.
    public func top(_ id: String, psArgs: String? = nil) async throws -> ContainerTop {
        let response = try await send("GET", "/containers/\(pathSegment(id))/top", query: [("ps_args", psArgs)],
                                      notFound: (.container, id))
        return try Self.decode(ContainerTop.self, from: response.body)
    }

    /// `GET /containers/{id}/changes`: files added, changed or deleted relative to the image.
    public func changes(_ id: String) async throws -> [FilesystemChange] {
        let response = try await send("GET", "/containers/\(pathSegment(id))/changes", notFound: (.container, id))
        // The daemon answers `null` when nothing changed.
        return (try? JSONDecoder().decode([FilesystemChange]?.self, from: response.body)).flatMap { $0 } ?? []
    }

    /// One stats sample (`stream=false`); the daemon waits about a second to fill in the previous CPU sample.
    /// - Parameter oneShot: answer at once without the previous sample (`precpu_stats` empty; API 1.41+, older
    ///   daemons ignore it) — for collectors that keep the cumulative counters themselves, as Prometheus exporters do.
    public func stats(_ id: String, oneShot: Bool = false) async throws -> ContainerStats {
        let response = try await send("GET", "/containers/\(pathSegment(id))/stats",
                                      query: [("stream", "false"), ("one-shot", oneShot ? "true" : nil)],
                                      notFound: (.container, id))
        return try Self.decode(ContainerStats.self, from: response.body)
    }

    /// Live stats, one sample about every second, until the consumer stops iterating or the container is removed.
    public func statsStream(_ id: String) -> AsyncThrowingStream<ContainerStats, Error> {
        makeStream(JSONLinesFramer<ContainerStats>(), "GET", "/containers/\(pathSegment(id))/stats",
                   query: [("stream", "true")], notFound: (.container, id))
    }

    /// `GET /containers/{id}/logs`, delivered frame by frame as the daemon sends them.
    /// - Parameter tty: whether the container was created with a TTY (its output is then not multiplexed and all of
    ///   it arrives as stdout); nil detects it from the first bytes.
    public func logs(_ id: String, options: LogOptions = LogOptions(), tty: Bool? = nil) -> AsyncThrowingStream<OutputChunk, Error> {
        let query: [(String, String?)] = [
            ("stdout", options.stdout ? "1" : "0"), ("stderr", options.stderr ? "1" : "0"),
            ("follow", options.follow ? "1" : "0"), ("timestamps", options.timestamps ? "1" : "0"),
            ("since", options.since.map(String.init)), ("until", options.until.map(String.init)),
            ("tail", options.tail.map(String.init)),
        ]
        let path = "/containers/\(pathSegment(id))/logs"
        if tty == true { return makeStream(TTYFramer(), "GET", path, query: query, notFound: (.container, id)) }
        return makeStream(MultiplexFramer(detectTTY: tty == nil), "GET", path, query: query, notFound: (.container, id))
    }

    /// `GET /containers/{id}/archive?path=...`: a tar of `path` inside the container (file or directory),
    /// handed to `onChunk` as it arrives. Works on stopped containers too.
    /// - Returns: the number of bytes delivered.
    @discardableResult
    public func copyOut(_ id: String, path: String, onChunk: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        try await streamBlocking("GET", "/containers/\(pathSegment(id))/archive", query: [("path", path)],
                                 notFound: (.container, id), onChunk: onChunk)
    }

    /// `PUT /containers/{id}/archive?path=...`: unpacks a tar into the directory `path` inside the container.
    /// - Parameter noOverwriteDirNonDir: refuse to replace a directory with a non-directory or the reverse.
    public func copyIn(_ id: String, path: String, tar: FileHandle, noOverwriteDirNonDir: Bool = true) async throws {
        _ = try await send("PUT", "/containers/\(pathSegment(id))/archive",
                           query: [("path", path), ("noOverwriteDirNonDir", noOverwriteDirNonDir ? "1" : nil)],
                           body: .file(tar, contentType: "application/x-tar"), notFound: (.container, id), timeout: 0)
    }

    /// `GET /containers/{id}/export`: the container's filesystem as a tar, handed to `onChunk` piece by piece.
    /// - Returns: the number of bytes delivered.
    @discardableResult
    public func exportContainer(_ id: String, onChunk: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        try await streamBlocking("GET", "/containers/\(pathSegment(id))/export", query: [], notFound: (.container, id), onChunk: onChunk)
    }
}

// MARK: - Raw JSON forms (every field the engine reports, not only those the typed models know)

extension DockerClient {
    /// `GET /containers/{id}/json` as raw JSON, for callers that must keep fields the typed `ContainerInspect`
    /// does not model (re-creating a container with its whole configuration).
    public func inspectContainerJSON(_ id: String) async throws -> JSONValue {
        let response = try await send("GET", "/containers/\(pathSegment(id))/json", notFound: (.container, id))
        return try Self.parseJSON(response.body, what: "container \(id)")
    }

    /// `POST /containers/create` with a raw body (config fields at the top level, `HostConfig`, `NetworkingConfig`).
    public func createContainer(name: String? = nil, body: JSONValue) async throws -> ContainerCreateResponse {
        let response = try await send("POST", "/containers/create", query: [("name", name)],
                                      body: .json(Data(JSONWriter.bytes(body))),
                                      notFound: (.image, body["Image"]?.stringValue ?? ""))
        return try Self.decode(ContainerCreateResponse.self, from: response.body)
    }

    /// `POST /containers/{id}/rename`. The engine refuses a name another container already has.
    public func renameContainer(_ id: String, to newName: String) async throws {
        _ = try await send("POST", "/containers/\(pathSegment(id))/rename", query: [("name", newName)],
                           notFound: (.container, id))
    }

    static func parseJSON(_ data: Data, what: String) throws -> JSONValue {
        do { return try JSONParser.parse([UInt8](data)) } catch {
            throw DockerError.badResponse("could not read \(what): \(error)")
        }
    }
}
