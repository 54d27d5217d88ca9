import ContsecProtocol
import Testing
@testable import IaCScan

let allCases = dockerfileCases + composeCases + kubernetesCases

@Suite struct RuleFixtureTests {
    @Test(arguments: allCases)
    func badFixtureTriggersOnTheRightLine(_ c: RuleCase) throws {
        let r = scan(c.bad, c.kind)
        #expect(r.parseError == nil)
        let hits = r.findings.filter { $0.ruleId == c.id }
        #expect(!hits.isEmpty, "\(c.id) did not fire; got \(r.findings.map(\.ruleId))")
        #expect(c.expectedLine > 0)
        #expect(hits.contains { $0.target.line == c.expectedLine }, "\(c.id) lines \(hits.map { $0.target.line ?? 0 }), expected \(c.expectedLine)")
        for f in hits {
            let info = RuleTable.info(c.id)
            #expect(f.severity == info.severity)
            #expect(f.target.kind == "file")
            #expect(f.target.file == f.target.name)
            #expect(f.fingerprint?.count == 64)
            #expect(f.remediation == info.remediation)
            if let h = info.hadolint { #expect(f.properties["hadolint"] == .string(h)) }
            if let t = info.trivy { #expect(f.properties["trivy"] == .string(t)) }
            if let k = info.checkov { #expect(f.properties["checkov"] == .string(k)) }
        }
    }

    @Test(arguments: allCases)
    func goodFixtureDoesNotTrigger(_ c: RuleCase) {
        let r = scan(c.good, c.kind)
        #expect(r.parseError == nil)
        #expect(!r.findings.contains { $0.ruleId == c.id }, "\(c.id) fired on the good fixture")
    }

    @Test func everyRuleHasAFixtureAndTheTableIsSound() {
        let covered = Set(allCases.map(\.id))
        let ids = RuleTable.all.map(\.id)
        #expect(ids.count >= 45)
        #expect(Set(ids).count == ids.count, "duplicate rule ids")
        #expect(Set(ids) == covered, "rules without fixtures: \(Set(ids).subtracting(covered).sorted())")
        for r in RuleTable.all {
            let parts = r.id.split(separator: "-")
            #expect(parts.count == 3 && parts[0] == "CS" && parts[2].count == 3)
            #expect(!r.title.isEmpty && !r.remediation.isEmpty)
        }
    }

    /// Plugins/iac-scan/README.md carries the rule table for readers; it must list every rule as the registry does.
    @Test func readmeRuleTableMatchesTheRegistry() throws {
        let here = #filePath
        let repo = String(here[..<here.range(of: "/Tests/IaCScanTests/")!.lowerBound])
        let text = String(decoding: FileDiscovery.readFile(repo + "/Plugins/iac-scan/README.md") ?? [], as: UTF8.self)
        var rows: [String: (String, String)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| CS-") {
            let cells = line.split(separator: "|").map { $0.trimmingSpaces }
            rows[cells[0]] = (cells[1], cells[2])
        }
        #expect(rows.count == RuleTable.all.count)
        for r in RuleTable.all {
            #expect(rows[r.id]?.0 == r.severity.rawValue, "\(r.id) severity in README")
            #expect(rows[r.id]?.1 == r.title, "\(r.id) title in README")
        }
    }

    @Test func secureBaselinesAreClean() {
        #expect(scan(secureCompose, .compose).findings.map(\.ruleId) == [])
        #expect(scan(securePod, .kubernetes).findings.map(\.ruleId) == [])
        let df = """
        # syntax=docker/dockerfile:1
        FROM golang:1.23 AS build
        WORKDIR /src
        COPY . .
        RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

        FROM gcr.io/distroless/static:nonroot
        COPY --from=build /out/app /app
        USER 65532:65532
        HEALTHCHECK CMD ["/app", "-healthcheck"]
        ENTRYPOINT ["/app"]
        """
        #expect(scan(df, .dockerfile).findings.map(\.ruleId) == [])
    }
}
