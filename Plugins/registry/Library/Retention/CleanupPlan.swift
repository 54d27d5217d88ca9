import Foundation
import RegistryClient

/// One tag as cleanup saw it.
public struct TagState: Sendable, Equatable {
    public let tag: String
    public let digest: Digest
    /// The image config's `created`; nil when the config has none (such tags are kept).
    public let created: Date?
}

/// Why a tag stays.
public enum KeepReason: Sendable, Equatable, CustomStringConvertible {
    case named, regex, newest(rank: Int), recent, undated
    /// Its digest is also the digest of a tag kept for another reason: deleting the digest would delete that tag.
    case sharesDigest(with: String)

    public var description: String {
        switch self {
        case .named: return "named in --keep-tags (or latest)"
        case .regex: return "matches --keep-regex"
        case .newest(let rank): return "among the newest (\(rank) of --keep-last)"
        case .recent: return "younger than --cleanup-days"
        case .undated: return "its config has no created date"
        case .sharesDigest(let tag): return "shares its digest with kept tag \(tag)"
        }
    }
}

/// A manifest to delete, with every tag that goes with it.
public struct PlannedDeletion: Sendable, Equatable {
    public let digest: Digest
    public let tags: [String]
    public let created: Date?
    /// The cosign signature manifest stored for this digest (`sha256-<hex>.sig`), deleted with it.
    public var signatureDigest: Digest?
}

/// A `sha256-<hex>.sig` tag whose image digest no longer exists in the repository (deleted by an earlier cleanup, by
/// hand, or by another tool that left signatures behind): nothing can use it, so it goes.
public struct OrphanedSignature: Sendable, Equatable {
    public let tag: String
    /// The image digest it signs, which the registry answered 404 for.
    public let signedDigest: Digest
    /// The signature manifest's own digest (computed from its bytes), the one deleted.
    public let digest: Digest
}

/// The whole plan: what goes, what stays and why.
public struct CleanupPlan: Sendable {
    public let repository: String
    public let deletions: [PlannedDeletion]
    /// Signature tags of images that are already gone, in tag order.
    public var orphanedSignatures: [OrphanedSignature] = []
    public let kept: [(tag: String, reason: KeepReason)]
    public let tagsSeen: Int
    public let signatureTags: Int

    /// Decides from the tags' digests and dates alone (no I/O), so the rules are testable on their own.
    public static func decide(repository: String, tags: [TagState], signatureTags: [String], policy: RetentionPolicy) -> CleanupPlan {
        var keep: [String: KeepReason] = [:]
        let newestFirst = tags.filter { $0.created != nil }.sorted { ($0.created!, $0.tag) > ($1.created!, $1.tag) }
        for (rank, state) in newestFirst.prefix(policy.keepLast).enumerated() { keep[state.tag] = .newest(rank: rank + 1) }
        for state in tags {
            if policy.keepTags.contains(state.tag) { keep[state.tag] = .named }
            else if policy.matchesRegex(state.tag) { keep[state.tag] = .regex }
            else if keep[state.tag] != nil { continue }
            else if let created = state.created { if created >= policy.cutoff { keep[state.tag] = .recent } }
            else { keep[state.tag] = .undated }
        }
        // Deleting a manifest deletes every tag on it: a digest with any kept tag stays whole.
        var keptTagOfDigest: [Digest: String] = [:]
        for state in tags.sorted(by: { $0.tag < $1.tag }) where keep[state.tag] != nil && keptTagOfDigest[state.digest] == nil {
            keptTagOfDigest[state.digest] = state.tag
        }
        var deletions: [Digest: PlannedDeletion] = [:]
        for state in tags where keep[state.tag] == nil {
            if let keeper = keptTagOfDigest[state.digest] {
                keep[state.tag] = .sharesDigest(with: keeper)
                continue
            }
            let existing = deletions[state.digest]
            deletions[state.digest] = PlannedDeletion(digest: state.digest, tags: ((existing?.tags ?? []) + [state.tag]).sorted(),
                                                      created: state.created, signatureDigest: nil)
        }
        let kept = tags.compactMap { state in keep[state.tag].map { (tag: state.tag, reason: $0) } }.sorted { $0.tag < $1.tag }
        return CleanupPlan(repository: repository,
                           deletions: deletions.values.sorted { ($0.created ?? .distantPast, $0.digest) < ($1.created ?? .distantPast, $1.digest) },
                           kept: kept, tagsSeen: tags.count, signatureTags: signatureTags.count)
    }
}
