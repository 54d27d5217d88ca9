import Foundation
import ContsecPluginKit
import ContsecProtocol
import RegistryClient
import RegistryPlugin

/// `contsec run registry cleanup --registry … --repo R --cleanup-days 60 --keep-tags latest,stable,v1.0 [--yes]`.
enum CleanupCommand {
    static let command = Command(
        name: "cleanup", description: "Delete tags older than --cleanup-days, keeping named, recent and newest tags (a plan unless --yes)",
        params: [
            ParamSpec(name: "registry", type: .string, description: "Registry host[:port] (with --repo a path in it)"),
            ParamSpec(name: "repo", type: .string, required: true, description: "Repository, or registry/repository"),
            ParamSpec(name: "cleanup-days", type: .int, default: 60, description: "Delete images whose config was created more than N days ago"),
            ParamSpec(name: "keep-tags", type: .list, description: "Tags never deleted (latest is always kept)"),
            ParamSpec(name: "keep-last", type: .int, default: 0, description: "Also keep the N newest tags"),
            ParamSpec(name: "keep-regex", type: .string, description: "Also keep tags matching this regular expression (whole tag)"),
            ParamSpec(name: "yes", type: .bool, description: "Delete for real; without it (or under --dry-run) the plan is only shown"),
        ] + CommonParams.connection, handler: run)

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let repo = try RegistryTarget.reference(registry: a.string("registry"), repo: a.string("repo") ?? "", tag: nil)
            let policy = try RetentionPolicy(olderThanDays: a.int("cleanup-days") ?? 60, keepTags: a.list("keep-tags"),
                                             keepRegex: a.string("keep-regex"), keepLast: a.int("keep-last") ?? 0)
            let client = try CommonParams.client(a, registry: repo.registry)
            let plan = try await CleanupPlanner(client: client).plan(repository: repo.repository, policy: policy) { done, total in
                ctx.progress("read \(done)/\(total) tags", current: done, total: total)
            }
            let execute = a.bool("yes") && !ctx.dryRun
            var deleted = 0, orphansDeleted = 0, failed = 0
            var rows: [[String: JSONValue]] = []
            for deletion in plan.deletions {
                let target = "\(repo.name)@\(deletion.digest)"
                let age = deletion.created.map { "created \(day($0)), \(Int(policy.now.timeIntervalSince($0) / 86_400)) days ago" } ?? "undated"
                let detail = "deletes tag(s) \(deletion.tags.joined(separator: ", ")) (\(age)); deleting a digest deletes every tag on it"
                    + (deletion.signatureDigest != nil ? "; its signature \(deletion.digest.signatureTag) goes too" : "")
                rows.append(["tag": .string(deletion.tags.joined(separator: ",")), "digest": .string(deletion.digest.short),
                             "created": .string(deletion.created.map(day) ?? "-"), "decision": .string(execute ? "deleted" : "delete (planned)"),
                             "reason": .string("older than \(policy.olderThanDays) days")])
                let digests = [deletion.digest] + (deletion.signatureDigest.map { [$0] } ?? [])
                switch try await apply("tag-deleted", target: target, detail: detail, execute: execute, ctx: ctx, client: client,
                                       repository: repo.repository, digests: digests) {
                case true?: deleted += 1
                case false?: failed += 1
                case nil: break
                }
            }
            for orphan in plan.orphanedSignatures {
                let target = "\(repo.name)@\(orphan.digest)"
                let detail = "deletes signature tag \(orphan.tag): the image it signs, \(orphan.signedDigest) no longer exists in \(repo.name)"
                rows.append(["tag": .string(orphan.tag), "digest": .string(orphan.digest.short), "created": "-",
                             "decision": .string(execute ? "deleted" : "delete (planned)"),
                             "reason": .string("orphaned signature: image \(orphan.signedDigest.short) is gone")])
                switch try await apply("signature-deleted", target: target, detail: detail, execute: execute, ctx: ctx, client: client,
                                       repository: repo.repository, digests: [orphan.digest]) {
                case true?: orphansDeleted += 1
                case false?: failed += 1
                case nil: break
                }
            }
            for (tag, reason) in plan.kept {
                rows.append(["tag": .string(tag), "digest": "", "created": "", "decision": "keep", "reason": .string(reason.description)])
            }
            if execute && deleted + orphansDeleted > 0 {
                ctx.log(.info, "manifests are deleted; their blobs stay on disk until the registry's garbage collection runs "
                    + "(docker-registry garbage-collect CONFIG, with the registry read-only or stopped)")
            } else if !execute && !(plan.deletions.isEmpty && plan.orphanedSignatures.isEmpty) {
                ctx.log(.info, "this is the plan only: run again with --yes to delete")
            }
            let table = ResultTable(title: "cleanup of \(repo.name) (older than \(policy.olderThanDays) days)",
                                    columns: [.init("tag", "TAG"), .init("digest", "DIGEST"), .init("created", "CREATED"),
                                              .init("decision", "DECISION"), .init("reason", "REASON")], rows: rows)
            return .ok(summary: ["repository": .string(repo.name), "tags": .int(plan.tagsSeen),
                                 "digestsToDelete": .int(plan.deletions.count),
                                 "tagsToDelete": .int(plan.deletions.reduce(0) { $0 + $1.tags.count }),
                                 "orphanedSignatures": .int(plan.orphanedSignatures.count),
                                 "kept": .int(plan.kept.count), "deleted": .int(deleted), "orphanedSignaturesDeleted": .int(orphansDeleted), "failed": .int(failed),
                                 "executed": .bool(execute), "requests": .int(await client.requestCount)], table: table)
        }
    }

    /// One planned deletion as an action: `planned` unless `execute`; otherwise the manifests are deleted in order and
    /// the action is `applied` (true) or `failed` (false). A registry without deletes stops the whole run.
    static func apply(_ kind: String, target: String, detail: String, execute: Bool, ctx: RunContext, client: RegistryClient,
                      repository: String, digests: [Digest]) async throws -> Bool? {
        guard execute else {
            ctx.emit(Action(kind: kind, target: target, status: .planned, detail: detail))
            return nil
        }
        do {
            for digest in digests { try await client.deleteManifest(repository, digest: digest) }
            ctx.emit(Action(kind: kind, target: target, status: .applied, detail: detail))
            return true
        } catch RegistryError.deleteDisabled(let registry) {
            throw RegistryError.deleteDisabled(registry: registry)
        } catch let error as RegistryError {
            ctx.emit(Action(kind: kind, target: target, status: .failed, detail: "\(detail): \(error.description)"))
            return false
        }
    }

    /// `yyyy-MM-dd` in UTC. A format style, not a DateFormatter per row: building an ICU formatter for each of
    /// 1,000 planned deletions was a visible share of the plan's CPU (perf, bench/registry-bench.sh).
    static let dayStyle = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!).year().month().day()

    static func day(_ date: Date) -> String { dayStyle.format(date) }
}
