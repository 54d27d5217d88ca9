import Foundation

extension DockerClient {
    /// `GET /images/json`.
    /// - Parameter filters: e.g. ["reference": ["nginx:*"]], ["dangling": ["true"]].
    public func listImages(all: Bool = false, filters: [String: [String]] = [:]) async throws -> [ImageSummary] {
        let response = try await send("GET", "/images/json",
                                      query: [("all", all ? "1" : nil), ("filters", QueryItems.filters(filters))])
        return try Self.decode([ImageSummary].self, from: response.body)
    }

    /// `GET /images/{name}/json`. Throws `DockerError.notFound(.image, name)` for an unknown image.
    public func inspectImage(_ name: String) async throws -> ImageInspect {
        let response = try await send("GET", "/images/\(pathSegment(name))/json", notFound: (.image, name))
        return try Self.decode(ImageInspect.self, from: response.body)
    }

    /// `GET /images/{name}/history`, newest layer first.
    public func imageHistory(_ name: String) async throws -> [ImageHistoryEntry] {
        let response = try await send("GET", "/images/\(pathSegment(name))/history", notFound: (.image, name))
        return try Self.decode([ImageHistoryEntry].self, from: response.body)
    }

    /// `POST /images/{name}/tag`: gives `name` the reference `repo:tag`.
    public func tagImage(_ name: String, repo: String, tag: String) async throws {
        _ = try await send("POST", "/images/\(pathSegment(name))/tag", query: [("repo", repo), ("tag", tag)],
                           notFound: (.image, name))
    }

    /// `DELETE /images/{name}`.
    /// - Parameters:
    ///   - force: remove even if tagged elsewhere or used by stopped containers.
    ///   - noPrune: keep untagged parents.
    @discardableResult
    public func removeImage(_ name: String, force: Bool = false, noPrune: Bool = false) async throws -> [ImageDeleteItem] {
        let response = try await send("DELETE", "/images/\(pathSegment(name))",
                                      query: [("force", force ? "1" : nil), ("noprune", noPrune ? "1" : nil)],
                                      notFound: (.image, name))
        return try Self.decode([ImageDeleteItem].self, from: response.body)
    }

    /// `GET /images/get?names=...`: a `docker save` tar of the images, handed to `onChunk` as it arrives.
    /// - Returns: the number of bytes delivered.
    @discardableResult
    public func saveImages(_ names: [String], onChunk: @escaping @Sendable (Data) throws -> Void) async throws -> Int {
        try await streamBlocking("GET", "/images/get", query: names.map { ("names", $0) },
                                 notFound: (.image, names.joined(separator: ", ")), onChunk: onChunk)
    }

    /// `docker save` of the images written to `handle` (e.g. a file opened for writing).
    @discardableResult
    public func saveImages(_ names: [String], to handle: FileHandle) async throws -> Int {
        try await saveImages(names) { chunk in try handle.write(contentsOf: chunk) }
    }

    /// `POST /images/create?fromSrc=-`: imports a root filesystem tar as a single-layer image (`docker import`).
    /// - Parameters:
    ///   - tar: handle positioned at the start of the tar.
    ///   - repo, tag: the reference to give the new image.
    ///   - changes: Dockerfile instructions to apply, e.g. `CMD ["/bin/sh"]`.
    /// - Returns: the new image ID.
    public func importImage(tar: FileHandle, repo: String, tag: String = "latest", changes: [String] = []) async throws -> String {
        var query: [(String, String?)] = [("fromSrc", "-"), ("repo", repo), ("tag", tag)]
        query += changes.map { ("changes", $0) }
        let messages = try await progressRequest("POST", "/images/create", query: query,
                                                 body: .file(tar, contentType: "application/x-tar"), notFound: nil,
                                                 onProgress: nil)
        // The last status line carries the new image's ID.
        guard let id = messages.last(where: { $0.status?.hasPrefix("sha256:") ?? false })?.status else {
            throw DockerError.badResponse("image import finished without an image ID")
        }
        return id
    }
}
