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
