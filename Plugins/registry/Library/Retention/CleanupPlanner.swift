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
        let taggedDigests = Set(states.map(\.digest))
        // Read, not HEAD: the digest that will be deleted is the one computed from the bytes.
        let signatureDigests = try await boundedMap(plan.deletions, limit: concurrency) { deletion -> Digest? in
            guard signed.contains(deletion.digest.signatureTag) else { return nil }
            return try await client.manifest(repository, reference: deletion.digest.signatureTag).digest
        }
        var deletions = plan.deletions
        for index in deletions.indices {
            // A signature manifest that is also an image tag's manifest would take that tag with it: leave it.
            if let digest = signatureDigests[index], !taggedDigests.contains(digest) { deletions[index].signatureDigest = digest }
        }
        let orphans = try await orphanedSignatures(repository, signatureTags: signatureTags, taggedDigests: taggedDigests)
        plan = CleanupPlan(repository: plan.repository, deletions: deletions, orphanedSignatures: orphans, kept: plan.kept,
                           tagsSeen: plan.tagsSeen, signatureTags: plan.signatureTags)
        return plan
    }

    /// Signature tags whose image is gone. A digest some tag points at exists; any other is asked for by digest
    /// (an untagged image, e.g. after its tag moved, or an index's platform image, still exists: its signature stays).
    func orphanedSignatures(_ repository: String, signatureTags: [String], taggedDigests: Set<Digest>) async throws -> [OrphanedSignature] {
        let candidates: [(String, Digest)] = signatureTags.sorted().compactMap { tag in
            guard let signed = Digest(signatureTag: tag), !taggedDigests.contains(signed) else { return nil }
            return (tag, signed)
        }
        let found = try await boundedMap(candidates, limit: concurrency) { candidate -> OrphanedSignature? in
            let (tag, signed) = candidate
            guard try await client.manifestHead(repository, reference: signed.description) == nil else { return nil }
            let digest = try await client.manifest(repository, reference: tag).digest
            guard !taggedDigests.contains(digest) else { return nil }
            return OrphanedSignature(tag: tag, signedDigest: signed, digest: digest)
        }
        return found.compactMap { $0 }
    }

    func states(_ repository: String, tags: [String], progress: @escaping @Sendable (Int, Int) -> Void) async throws -> [TagState] {
        let dates = DateCache()
        let total = tags.count
        return try await boundedMap(tags, limit: concurrency, progress: { done in
            if done % 50 == 0 || done == total { progress(done, total) }
        }) { tag in try await self.state(repository, tag: tag, dates: dates) }
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
