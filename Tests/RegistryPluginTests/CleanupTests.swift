import Foundation
import Testing
@testable import RegistryClient
@testable import RegistryPlugin
import CryptoTools
import RegistryTestSupport

@Suite("registry plugin: retention rules")
struct RetentionRuleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    func digest(_ n: Int) -> Digest { Digest(of: Data("image \(n)".utf8)) }
    func state(_ tag: String, _ n: Int, daysAgo: Double?) -> TagState {
        TagState(tag: tag, digest: digest(n), created: daysAgo.map { now.addingTimeInterval(-$0 * 86_400) })
    }

    @Test("old tags go, named/regex/newest/recent/undated stay, and a digest with any kept tag stays whole")
    func decide() throws {
        let policy = try RetentionPolicy(olderThanDays: 30, keepTags: ["stable"], keepRegex: "release-.*", keepLast: 1, now: now)
        let tags = [state("a", 1, daysAgo: 100), state("stable", 1, daysAgo: 100), state("b", 2, daysAgo: 90),
                    state("c", 2, daysAgo: 90), state("release-1", 3, daysAgo: 80), state("d", 4, daysAgo: 10),
                    state("e", 5, daysAgo: nil), state("f", 6, daysAgo: 5), state("latest", 7, daysAgo: 200), state("g", 8, daysAgo: 31)]
        let plan = CleanupPlan.decide(repository: "r", tags: tags, signatureTags: [], policy: policy)
        #expect(plan.deletions.map(\.tags) == [["b", "c"], ["g"]])
        let kept = Dictionary(uniqueKeysWithValues: plan.kept.map { ($0.tag, $0.reason) })
        #expect(kept["a"] == .sharesDigest(with: "stable") && kept["stable"] == .named && kept["release-1"] == .regex)
        #expect(kept["d"] == .recent && kept["e"] == .undated && kept["f"] == .newest(rank: 1) && kept["latest"] == .named)
    }

    @Test("bad flags: negative days, negative --keep-last, an invalid regex")
    func badFlags() {
        #expect(throws: RetentionError.self) { try RetentionPolicy(olderThanDays: -1, keepTags: [], keepRegex: nil, keepLast: 0) }
        #expect(throws: RetentionError.self) { try RetentionPolicy(olderThanDays: 1, keepTags: [], keepRegex: nil, keepLast: -2) }
        #expect(throws: RetentionError.self) { try RetentionPolicy(olderThanDays: 1, keepTags: [], keepRegex: "(", keepLast: 0) }
    }

    @Test("config dates as Docker and OCI write them")
    func dates() {
        #expect(CreatedDate.parse("2024-05-06T07:08:09Z")?.timeIntervalSince1970 == 1_714_979_289)
        #expect(CreatedDate.parse("2024-05-06T07:08:09.123456789Z")!.timeIntervalSince1970 - 1_714_979_289.123 < 0.001)
        #expect(CreatedDate.parse("2024-05-06T09:08:09+02:00")?.timeIntervalSince1970 == 1_714_979_289)
        #expect(CreatedDate.parse("yesterday") == nil)
    }
}

/// 30 tags over 12 digests with spread `created` dates in the open registry; skopeo says what is left.
@Suite("registry plugin: cleanup against the test registry", .enabled(if: RegistryTestEnvironment.shouldRun, Comment(rawValue: RegistryTestEnvironment.skipReason)))
struct CleanupTests {
    let registry = RegistryTestEnvironment.registry

    /// (days ago, tags) per digest; with --cleanup-days 60 --keep-tags stable,v1.0 --keep-regex 'release-.*'
    /// digests 1, 2, 3, 5 and 7 (13 tags) go.
    static let layout: [(Double, [String])] = [
        (400, ["old-1", "old-2", "stable"]), (300, ["v0.1", "v0.1.0"]), (200, ["v0.2", "v0.2.0"]),
        (150, ["v0.3", "v0.3-rc1", "v0.3-rc2", "nightly-150"]), (120, ["v1.0", "v1.0.0"]), (100, ["v0.5", "nightly-100"]),
        (90, ["v0.6", "release-0.6"]), (80, ["v0.7", "v0.7.1", "v0.7.2"]), (45, ["v0.8", "v0.8.1"]),
        (30, ["v0.9", "v0.9.1", "v0.9.2"]), (10, ["v0.10", "candidate"]), (1, ["latest", "v0.11", "edge"]),
    ]
    static let deletedDigests: Set<Int> = [1, 2, 3, 5, 7]

    @Test("the plan, a dry run that changes nothing, then exactly the kept set left (skopeo), signatures of deleted digests and orphaned signatures gone")
    func cleanup() async throws {
        let repository = RegistryTestEnvironment.uniqueRepository()
        defer { Skopeo.removeRepository(registry, repository) }
        let workspace = try RegistryTestEnvironment.temporaryFolder("cleanup")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let formatter = ISO8601DateFormatter()
        var fixtures: [OCIFixture] = []
        for (index, (days, tags)) in Self.layout.enumerated() {
            let fixture = OCIFixture(created: formatter.string(from: Date().addingTimeInterval(-days * 86_400)), marker: "\(repository)-\(index)")
            try fixture.push(registry: registry, repository: repository, tags: tags)
            fixtures.append(fixture)
        }
        #expect(Self.layout.reduce(0) { $0 + $1.1.count } == 30)
        // Signatures on a digest that goes (3) and one that stays (11).
        let pair = try await KeyPairGenerator.ecdsaP256(try OpenSSL(), passphrase: nil)
        let key = workspace + "/k.key"
        try pair.privateKeyPEM.write(to: URL(fileURLWithPath: key))
        let client = RegistryClient(registry: registry)
        let signer = try ImageSigner(client: client, openssl: try OpenSSL(), keyPath: key, passphrase: nil, passphraseVariable: "X")
        for index in [3, 11] {
            _ = try await signer.sign(try ImageReference(parsing: "\(registry)/\(repository):\(Self.layout[index].1[0])"), dryRun: false)
        }
        let signatureTag = { (index: Int) in "sha256-\(fixtures[index].digest.dropFirst(7)).sig" }
        // An orphan: an image signed, then deleted behind cleanup's back (skopeo delete), its signature left behind.
        let gone = OCIFixture(created: formatter.string(from: Date().addingTimeInterval(-500 * 86_400)), marker: "\(repository)-gone")
        try gone.push(registry: registry, repository: repository, tags: ["gone"])
        _ = try await signer.sign(try ImageReference(parsing: "\(registry)/\(repository):gone"), dryRun: false)
        let deleteGone = try runCommand("skopeo", ["delete", "--tls-verify=false", "docker://\(registry)/\(repository):gone"])
        #expect(deleteGone.status == 0, "\(deleteGone.stderr)")
        // Not an orphan: an old image signed, then its tag moved to a new image. The old one still exists (by digest),
        // so its signature must stay.
        let moved = OCIFixture(created: formatter.string(from: Date().addingTimeInterval(-500 * 86_400)), marker: "\(repository)-moved")
        try moved.push(registry: registry, repository: repository, tags: ["moving"])
        _ = try await signer.sign(try ImageReference(parsing: "\(registry)/\(repository):moving"), dryRun: false)
        let current = OCIFixture(created: formatter.string(from: Date().addingTimeInterval(-86_400)), marker: "\(repository)-current")
        try current.push(registry: registry, repository: repository, tags: ["moving"])
        defer { _ = try? runCommand("skopeo", ["delete", "--tls-verify=false", "docker://\(registry)/\(repository)@\(moved.digest)"]) }
        let goneSignature = "sha256-\(gone.digest.dropFirst(7)).sig", movedSignature = "sha256-\(moved.digest.dropFirst(7)).sig"
        let before = try Skopeo.tags(registry, repository)
        #expect(before.count == 35 && before.contains(goneSignature) && before.contains(movedSignature) && !before.contains("gone"))

        let flags = ["cleanup", "--registry", registry, "--repo", repository, "--cleanup-days", "60",
                     "--keep-tags", "stable,v1.0", "--keep-regex", "release-.*"]
        let plan = try ContsecRun.registry(flags, workspace: workspace)
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = plan.actions.filter { $0["kind"] as? String == "tag-deleted" }
        #expect(planned.count == 5 && planned.allSatisfy { $0["status"] as? String == "planned" })
        #expect(Set(planned.compactMap { ($0["target"] as? String)?.split(separator: "@").last.map(String.init) })
                == Set(Self.deletedDigests.map { fixtures[$0].digest }))
        #expect(plan.summary["tagsToDelete"] as? Int == 13 && plan.summary["executed"] as? Bool == false)
        let orphans = plan.actions.filter { $0["kind"] as? String == "signature-deleted" }
        #expect(orphans.count == 1 && orphans.first?["status"] as? String == "planned" && plan.summary["orphanedSignatures"] as? Int == 1)
        #expect((orphans.first?["detail"] as? String)?.contains(goneSignature) == true)
        #expect((orphans.first?["detail"] as? String)?.contains("\(gone.digest) no longer exists") == true)
        let shared = planned.first { ($0["target"] as? String)?.hasSuffix(fixtures[3].digest) == true }
        #expect((shared?["detail"] as? String)?.contains("deleting a digest deletes every tag on it") == true)
        #expect((shared?["detail"] as? String)?.contains(signatureTag(3)) == true)
        #expect(try Skopeo.tags(registry, repository) == before)

        let dry = try ContsecRun.registry(flags + ["--yes"], workspace: workspace, global: ["--dry-run"])
        #expect(dry.status == 0 && dry.actions.allSatisfy { $0["status"] as? String == "planned" })
        #expect(try Skopeo.tags(registry, repository) == before)

        let real = try ContsecRun.registry(flags + ["--yes"], workspace: workspace)
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.actions.filter { $0["status"] as? String == "applied" && $0["kind"] as? String == "tag-deleted" }.count == 5)
        #expect(real.actions.filter { $0["status"] as? String == "applied" && $0["kind"] as? String == "signature-deleted" }.count == 1)
        var expected = Set<String>()
        for (index, (_, tags)) in Self.layout.enumerated() where !Self.deletedDigests.contains(index) { expected.formUnion(tags) }
        expected.formUnion([signatureTag(11), "moving", movedSignature])
        #expect(try Skopeo.tags(registry, repository) == expected.sorted())
        #expect(expected.count == 20)
        #expect(try Skopeo.digest("\(registry)/\(repository)@\(moved.digest)") == moved.digest) // untagged, still there
        #expect(try Skopeo.digest("\(registry)/\(repository):old-1") == fixtures[0].digest) // protected by "stable"
    }
}
