import Foundation

extension DockerClient {
    /// `POST /build` with a tar of the build context (the classic builder).
    /// - Parameters:
    ///   - context: handle positioned at the start of a tar holding the Dockerfile and the files it uses.
    ///   - onProgress: each progress line as it arrives (`stream` carries the build output).
    /// - Returns: the ID of the built image.
    /// - Throws: `DockerError.daemon` with the builder's message when a step fails.
    public func buildImage(context: FileHandle, options: BuildOptions = BuildOptions(),
                           onProgress: (@Sendable (ProgressMessage) -> Void)? = nil) async throws -> String {
        var query: [(String, String?)] = options.tags.map { ("t", $0) }
        query += [
            ("dockerfile", options.dockerfile), ("networkmode", options.networkMode),
            ("nocache", options.noCache ? "1" : nil), ("pull", options.pull ? "1" : nil),
            ("forcerm", options.forceRemove ? "1" : nil), ("rm", "1"),
            ("buildargs", options.buildArgs.isEmpty ? nil : Self.jsonString(options.buildArgs)),
            ("labels", options.labels.isEmpty ? nil : Self.jsonString(options.labels)),
        ]
        let messages = try await progressRequest("POST", "/build", query: query,
                                                 body: .file(context, contentType: "application/x-tar"),
                                                 notFound: nil, onProgress: onProgress)
        if let id = messages.last(where: { $0.aux?.id != nil })?.aux?.id { return id }
        // Older daemons only print "Successfully built <short id>".
        if let line = messages.compactMap(\.stream).last(where: { $0.hasPrefix("Successfully built ") }) {
            let short = line.dropFirst("Successfully built ".count).trimmingCharacters(in: .whitespacesAndNewlines)
            return try await inspectImage(short).id
        }
        throw DockerError.badResponse("the build finished without reporting an image ID")
    }

    /// `POST /images/{name}/push`: pushes `name:tag` to the registry its name points at.
    /// - Returns: the digest of the pushed manifest (`sha256:...`).
    @discardableResult
    public func pushImage(_ name: String, tag: String, auth: RegistryAuth = RegistryAuth(),
                          onProgress: (@Sendable (ProgressMessage) -> Void)? = nil) async throws -> String {
        let messages = try await progressRequest("POST", "/images/\(pathSegment(name))/push", query: [("tag", tag)],
                                                 headers: [("X-Registry-Auth", auth.headerValue)], body: nil,
                                                 notFound: (.image, "\(name):\(tag)"), onProgress: onProgress)
        guard let digest = messages.last(where: { $0.aux?.digest != nil })?.aux?.digest else {
            throw DockerError.badResponse("push of \(name):\(tag) finished without a digest")
        }
        return digest
    }

    /// `POST /images/create?fromImage=...`: pulls `reference:tag` from its registry.
    public func pullImage(_ reference: String, tag: String, auth: RegistryAuth = RegistryAuth(),
                          onProgress: (@Sendable (ProgressMessage) -> Void)? = nil) async throws {
        _ = try await progressRequest("POST", "/images/create", query: [("fromImage", reference), ("tag", tag)],
                                      headers: [("X-Registry-Auth", auth.headerValue)], body: nil,
                                      notFound: (.image, "\(reference):\(tag)"), onProgress: onProgress)
    }

    /// Runs a request whose answer is a JSON progress stream; fails on the first `error` line.
    func progressRequest(_ method: String, _ path: String, query: [(String, String?)], headers: [(String, String)] = [],
                         body: DockerRequestBody?, notFound: (DockerResourceKind, String)?,
                         onProgress: (@Sendable (ProgressMessage) -> Void)?) async throws -> [ProgressMessage] {
        let query = QueryItems(query)
        return try await onDispatch { [self] in
            let (socket, reader) = try self.openStream(method, path, query: query, headers: headers, body: body, notFound: notFound)
            defer { socket.close() }
            var framer = JSONLinesFramer<ProgressMessage>()
            var all: [ProgressMessage] = []
            func handle(_ messages: [ProgressMessage]) throws {
                for message in messages {
                    onProgress?(message)
                    if let error = message.error { throw DockerError.daemon(status: reader.head.status, message: error) }
                    all.append(message)
                }
            }
            while let piece = try reader.next() { try handle(try framer.feed(piece)) }
            try handle(try framer.finish())
            return all
        }
    }

    static func jsonString(_ value: [String: String]) -> String? {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
