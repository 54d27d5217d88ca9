import Foundation
import EngineTestSupport
import Testing
import ContsecProtocol
@testable import ContainerKit
@testable import CISBench

/// #19 item 9: the results table reads like docker-bench-security's output (sections as headings, a status line per
/// check with (Automated)/(Manual), one offender per line, remediations on request, count and score in the footer).
@Suite("cis-bench results table")
struct AuditTableTests {
    static let report = AuditReport(outcomes: [
        CheckOutcome(check: CISCatalog.byID["1.1.2"]!, result: .info("docker group members: alice, bob",
                                                                     [Offender(kind: "user", name: "alice"), Offender(kind: "user", name: "bob")])),
        CheckOutcome(check: CISCatalog.byID["1.1.3"]!, result: CheckResult(.warn, "no audit rule for /usr/sbin/dockerd",
                                                                            remediation: "add `-w /usr/sbin/dockerd -k docker`")),
        CheckOutcome(check: CISCatalog.byID["2.2"]!, result: .pass()),
        CheckOutcome(check: CISCatalog.byID["5.4"]!, result: .warn("added capabilities: web, db", [
            Offender(kind: "container", name: "web", id: "3f2a1b0c9d8e44556677", detail: "CapAdd: NET_ADMIN"),
            Offender(kind: "container", name: "db", detail: "CapAdd: SYS_ADMIN"),
        ])),
        CheckOutcome(check: CISCatalog.byID["5.23"]!, result: .info("no audit records of docker commands")),
    ])

    func text(_ table: ResultTable) -> [String] {
        table.rows.map { r in ["section", "status", "id", "check"].map { r[$0].flatMap(\.stringValue) ?? "" }.joined(separator: "|") }
    }

    @Test("each check is a status line under its section; offenders, or else details, one per line below it")
    func rows() throws {
        let table = AuditTable.make(Self.report)
        try table.validate()
        #expect(table.group == "section")
        #expect(text(table) == [
            "1 - Host Configuration|INFO|1.1.2|Ensure only trusted users are allowed to control Docker daemon (Automated)",
            "1 - Host Configuration|||    * alice",
            "1 - Host Configuration|||    * bob",
            "1 - Host Configuration|WARN|1.1.3|Ensure auditing is configured for the Docker daemon (Automated)",
            "1 - Host Configuration|||    * no audit rule for /usr/sbin/dockerd",
            "2 - Docker daemon configuration|PASS|2.2|Ensure network traffic is restricted between containers on the default bridge (Automated)",
            "5 - Container Runtime|WARN|5.4|Ensure that Linux kernel capabilities are restricted within containers (Automated)",
            "5 - Container Runtime|||    * web (3f2a1b0c9d8e) [CapAdd: NET_ADMIN]",
            "5 - Container Runtime|||    * db [CapAdd: SYS_ADMIN]",
            "5 - Container Runtime|INFO|5.23|Ensure that docker exec commands are not used with the privileged option (Automated)",
            "5 - Container Runtime|||    * no audit records of docker commands",
        ])
        // 5 checks; scored PASS 2.2 (+1), scored WARN 1.1.3 and 5.4 (-2), INFO 0.
        #expect(table.footer == "Checks: 5  Score: -1  (PASS 1, WARN 2, INFO 2, NOTE 0)")
    }

    @Test("--remediation adds each WARN's remediation under it: this host's when the check has one, else the benchmark's")
    func remediation() throws {
        let lines = text(AuditTable.make(Self.report, remediation: true))
        let remediations = lines.filter { $0.contains("Remediation:") }
        #expect(remediations == [
            "1 - Host Configuration|||    * Remediation: add `-w /usr/sbin/dockerd -k docker`",
            "5 - Container Runtime|||    * Remediation: Drop all capabilities and add back only those needed: --cap-drop=all --cap-add=<needed>.",
        ])
        #expect(lines.firstIndex(of: remediations[0]) == 5, "right under 1.1.3's details")
        #expect(!text(AuditTable.make(Self.report)).contains { $0.contains("Remediation:") })
    }

    @Test("a details line longer than a cell may be is cut, and the table stays valid")
    func longDetails() throws {
        let long = String(repeating: "ü", count: 3000)
        let table = AuditTable.make(AuditReport(outcomes: [CheckOutcome(check: CISCatalog.byID["2.2"]!, result: .warn(long))]))
        try table.validate()
        #expect(table.rows[1]["check"]?.stringValue?.hasSuffix(" …") == true)
    }
}

@Suite("cis-bench results table through contsec (real engine)", .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineAuditTableTests {
    typealias Env = CISTestEnvironment

    @Test("the terminal shows the section heading, the WARN line, the offending container, its remediation and the score")
    func terminal() async throws {
        let docker = try Env.client()
        var caps = Env.hardened("table-caps")
        caps.host.capAdd = ["NET_ADMIN"]
        let hardened = Env.hardened("table-ok")
        try await Env.withContainers(docker, [caps, hardened]) {
            let run = try ContsecCLI.run("cis-bench", ["--check", "5.4", "--container", "\(caps.name),\(hardened.name)", "--remediation"])
            #expect(run.status == 0, "\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let heading = try #require(lines.firstIndex(of: "5 - Container Runtime"), "\(run.stdout)")
            #expect(lines[heading + 1].hasPrefix("WARN") && lines[heading + 1].contains("5.4")
                    && lines[heading + 1].hasSuffix("Ensure that Linux kernel capabilities are restricted within containers (Automated)"))
            #expect(lines[heading + 2].hasPrefix("* \(caps.name) (") && lines[heading + 2].contains("NET_ADMIN"), "\(run.stdout)")
            #expect(lines[heading + 3].hasPrefix("* Remediation: Drop all capabilities"), "\(run.stdout)")
            #expect(!run.stdout.contains("* \(hardened.name)"), "the hardened container is not an offender")
            #expect(lines.contains("Checks: 1  Score: -1  (PASS 0, WARN 1, INFO 0, NOTE 0)"), "\(run.stdout)")
        }
    }
}
