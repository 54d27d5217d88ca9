import Foundation
import ContsecProtocol
import RegistryClient

/// Reads a repository for cleanup: every tag, each tag's manifest, each digest's config `created` date (one config
/// read per digest, however many tags share it), `concurrency` requests in flight over reused connections.
public struct CleanupPlanner: Sendable {
    let client: RegistryClient
    let concurrency: Int

    public init(client: RegistryClient, concurrency: Int = 8) {
        self.client = client
        self.concurrency = max(1, concurrency)
    }

    public func plan(repository: String, policy: RetentionPolicy,
                     progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> CleanupPlan {
        let all = try await client.tags(repository)
        let signatureTags = all.filter { Digest(signatureTag: $0) != nil }
        let imageTags = all.filter { Digest(signatureTag: $0) == nil }
        let states = try await states(repository, tags: imageTags, progress: progress)
        var plan = CleanupPlan.decide(repository: repository, tags: states, signatureTags: signatureTags, policy: policy)
        let signed = Set(signatureTags)
        var deletions = plan.deletions
        for index in deletions.indices where signed.contains(deletions[index].digest.signatureTag) {
            // Read, not HEAD: the digest that will be deleted is the one computed from the bytes.
            deletions[index].signatureDigest = try await client.manifest(repository, reference: deletions[index].digest.signatureTag).digest
        }
        plan = CleanupPlan(repository: plan.repository, deletions: deletions, kept: plan.kept, tagsSeen: plan.tagsSeen,
                           signatureTags: plan.signatureTags)
        return plan
    }

    func states(_ repository: String, tags: [String], progress: @escaping @Sendable (Int, Int) -> Void) async throws -> [TagState] {
        let dates = DateCache()
        var states: [TagState] = []
        var next = 0
        try await withThrowingTaskGroup(of: TagState.self) { group in
            func add() {
                let tag = tags[next]
                next += 1
                group.addTask { try await self.state(repository, tag: tag, dates: dates) }
            }
            while next < min(concurrency, tags.count) { add() }
            while let state = try await group.next() {
                states.append(state)
                if states.count % 50 == 0 || states.count == tags.count { progress(states.count, tags.count) }
                if next < tags.count { add() }
            }
        }
        return states
    }

    func state(_ repository: String, tag: String, dates: DateCache) async throws -> TagState {
        let manifest = try await client.manifest(repository, reference: tag)
        let created = try await dates.created(of: manifest.digest) {
            try await self.createdDate(repository, manifest: manifest)
        }
        return TagState(tag: tag, digest: manifest.digest, created: created)
    }

    /// The config's `created`; for an index, the newest of its images' dates.
    func createdDate(_ repository: String, manifest: Manifest) async throws -> Date? {
        if manifest.isIndex {
            var newest: Date?
            for child in manifest.manifests.prefix(16) {
                let image = try await client.manifest(repository, reference: child.digest.description)
                if let date = try await createdDate(repository, manifest: image), date > (newest ?? .distantPast) { newest = date }
            }
            return newest
        }
        guard let config = manifest.config else { return nil }
        let data = try await client.blob(repository, digest: config.digest, expectedSize: config.size)
        guard let json = try? JSONParser.parse(Array(data)), let text = json["created"]?.stringValue else { return nil }
        return CreatedDate.parse(text)
    }
}

/// One config read per digest, shared by the tasks that need it.
actor DateCache {
    private var known: [Digest: Task<Date?, Error>] = [:]

    func created(of digest: Digest, _ load: @escaping @Sendable () async throws -> Date?) async throws -> Date? {
        if let task = known[digest] { return try await task.value }
        let task = Task { try await load() }
        known[digest] = task
        return try await task.value
    }
}
