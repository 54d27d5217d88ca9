import Foundation
import Testing
import ContsecProtocol
@testable import TrivyScanner

/// The mapping of Trivy's real JSON reports (Fixtures/reports, from Trivy's own integration tests) into findings.
@Suite struct ReportMappingTests {
    func findings(_ name: String, _ options: MappingOptions = MappingOptions()) throws -> [Finding] {
        FindingMapper.findings(from: try TrivyReport.decode(try Fixtures.report(name)), options: options)
    }

    @Test func alpineReportBecomesOneFindingPerVulnerablePackage() throws {
        let all = try findings("alpine-39")
        #expect(all.count == 6)
        #expect(all.allSatisfy { $0.category == .vulnerability })
        #expect(all.filter { $0.severity == .critical }.count == 2)
        #expect(all.filter { $0.severity == .medium }.count == 4)
        #expect(Set(all.map(\.ruleId)) == ["CVE-2019-1549", "CVE-2019-1551", "CVE-2019-14697"])
        #expect(Set(all.compactMap { $0.properties["package"]?.stringValue })
                == ["libcrypto1.1", "libssl1.1", "musl", "musl-utils"])
    }

    @Test func vulnerabilityFieldsComeFromTheReport() throws {
        let all = try findings("alpine-39")
        let musl = try #require(all.first { $0.ruleId == "CVE-2019-14697" && $0.properties["package"] == "musl" })
        #expect(musl.severity == .critical)
        #expect(musl.properties["installedVersion"] == "1.1.20-r4")
        #expect(musl.properties["fixedVersion"] == "1.1.20-r5")
        #expect(musl.properties["status"] == "fixed")
        #expect(musl.properties["layerDiffID"] == "sha256:f1b5933fe4b5f49bbe8258745cf396afe07e625bdab3168e364daf7c956b6b81")
        #expect(musl.properties["layerDigest"] == "sha256:e7c96db7181be991f19a9fb6975cdbbd73c65f4a2681348e63a141a2192a5f10")
        #expect(musl.references.first == "https://avd.aquasec.com/nvd/cve-2019-14697")
        #expect(musl.references.count == 4)  // the primary URL, then Trivy's 3 references
        // An OS package has no file: the finding is about the image (SARIF anchors it there, with a logical location).
        #expect(musl.target == Target(kind: "image", name: "testdata/fixtures/images/alpine-39.tar.gz"))
        #expect(musl.properties["resultTarget"] == "testdata/fixtures/images/alpine-39.tar.gz (alpine 3.9.4)")
        #expect(musl.title.contains("musl"))
        #expect(musl.remediation == "Upgrade musl to 1.1.20-r5 or later and rebuild the image.")
        #expect(musl.message?.contains("1.1.20-r4") == true)
    }

    @Test func unfixedVulnerabilitySaysSoAndIgnoreUnfixedDropsIt() throws {
        let all = try findings("debian-buster")
        #expect(all.count == 2)
        let bash = try #require(all.first { $0.ruleId == "CVE-2019-18276" })
        #expect(bash.severity == .low)
        #expect(bash.properties["fixedVersion"] == nil)
        #expect(bash.properties["status"] == "affected")
        #expect(bash.remediation?.hasPrefix("No fix published yet") == true)
        let idn = try #require(all.first { $0.ruleId == "CVE-2019-18224" })
        #expect(idn.severity == .critical)
        #expect(idn.properties["fixedVersion"] == "2.0.5-1+deb10u1")

        let fixedOnly = try findings("debian-buster", MappingOptions(ignoreUnfixed: true))
        #expect(fixedOnly.map(\.ruleId) == ["CVE-2019-18224"])
    }

    @Test func severityListFilters() throws {
        let critical = try findings("alpine-39", MappingOptions(severities: [.critical, .high]))
        #expect(critical.count == 2)
        #expect(critical.allSatisfy { $0.severity == .critical })
    }

    @Test func fingerprintsAreStableAndDistinct() throws {
        let first = try findings("alpine-39").map(\.fingerprint)
        let second = try findings("alpine-39").map(\.fingerprint)
        #expect(first == second)
        #expect(Set(first.compactMap { $0 }).count == 6)  // same CVE in two packages: two fingerprints
        #expect(first.allSatisfy { ($0?.count ?? 0) == 64 })
        // The artifact is part of the identity: the same report for another image is another set of problems.
        let renamed = try findings("alpine-39", MappingOptions(artifactName: "registry.local/app:1")).map(\.fingerprint)
        #expect(Set(renamed).isDisjoint(with: Set(first)))
    }

    @Test func artifactNameOverrideReplacesTheTarballPath() throws {
        let all = try findings("alpine-39", MappingOptions(artifactName: "your-org/your-app:latest"))
        #expect(all.allSatisfy { $0.target.name == "your-org/your-app:latest" && $0.target.kind == "image" })
    }

    /// Trivy can list one vulnerable package twice (two data sources); one problem is one finding.
    @Test func anExactDuplicateEntryIsOneFinding() throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Fixtures.report("alpine-39")) as? [String: Any])
        var results = try #require(object["Results"] as? [[String: Any]])
        var vulns = try #require(results[0]["Vulnerabilities"] as? [[String: Any]])
        vulns.append(vulns[0])
        results[0]["Vulnerabilities"] = vulns
        object["Results"] = results
        let all = FindingMapper.findings(from: try TrivyReport.decode(try JSONSerialization.data(withJSONObject: object)))
        #expect(all.count == 6)
        #expect(Set(all.compactMap(\.fingerprint)).count == 6)
    }

    @Test func otherSchemaVersionIsRefusedWithAHint() throws {
        let old = Data(#"{"SchemaVersion": 1, "Results": []}"#.utf8)
        #expect(throws: TrivyScannerError.self) { try TrivyReport.decode(old) }
        do { _ = try TrivyReport.decode(old) } catch { #expect("\(error)".contains("upgrade trivy")) }
        #expect(throws: TrivyScannerError.self) { try TrivyReport.decode(Data("not json".utf8)) }
    }

    @Test func secretFindingsCarryNoMatchOrCode() throws {
        let report = Data("""
        {"SchemaVersion": 2, "ArtifactName": "app", "ArtifactType": "filesystem", "Results": [{"Target": "deploy.env",
         "Class": "secret", "Secrets": [{"RuleID": "aws-access-key-id", "Category": "AWS", "Severity": "CRITICAL",
         "Title": "AWS Access Key ID", "StartLine": 3, "EndLine": 3, "Match": "AWS_ACCESS_KEY_ID=UNREDACTED-CANARY",
         "Code": {"Lines": [{"Number": 3, "Content": "AWS_ACCESS_KEY_ID=UNREDACTED-CANARY"}]}}]}]}
        """.utf8)
        let all = FindingMapper.findings(from: try TrivyReport.decode(report))
        let secret = try #require(all.first)
        #expect(secret.category == .secret)
        #expect(secret.ruleId == "aws-access-key-id")
        #expect(secret.target == Target(kind: "file", name: "app", file: "deploy.env", line: 3, endLine: 3))
        // Even if a Trivy version stopped redacting, nothing of Match or Code reaches the finding.
        let encoded = String(decoding: try JSONEncoder().encode(all), as: UTF8.self)
        #expect(!encoded.contains("CANARY"))
    }

    @Test func misconfigurationKeepsLineAndSkipsPassedChecks() throws {
        let report = Data("""
        {"SchemaVersion": 2, "ArtifactName": "app", "ArtifactType": "filesystem", "Results": [{"Target": "Dockerfile",
         "Class": "config", "Type": "dockerfile", "Misconfigurations": [
          {"ID": "DS-0002", "Title": "Image user should not be 'root'", "Message": "Last USER command should not be 'root'",
           "Resolution": "Add a USER", "Severity": "HIGH", "PrimaryURL": "https://avd.aquasec.com/misconfig/ds-0002",
           "Status": "FAIL", "CauseMetadata": {"StartLine": 4, "EndLine": 4}},
          {"ID": "DS-0001", "Title": "latest", "Severity": "MEDIUM", "Status": "PASS"}]}]}
        """.utf8)
        let all = FindingMapper.findings(from: try TrivyReport.decode(report))
        #expect(all.count == 1)
        let f = try #require(all.first)
        #expect(f.category == .misconfiguration && f.severity == .high && f.ruleId == "DS-0002")
        #expect(f.target.file == "Dockerfile" && f.target.line == 4)
        #expect(f.remediation == "Add a USER")
        #expect(f.references == ["https://avd.aquasec.com/misconfig/ds-0002"])
    }
}
