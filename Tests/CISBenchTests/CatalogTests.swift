import Testing
@testable import CISBench

@Suite("CIS catalog and selection")
struct CatalogTests {
    @Test("117 checks of v1.6.0, unique ids in the benchmark's order, per-section counts")
    func catalogShape() {
        let checks = CISCatalog.checks
        #expect(checks.count == 117)
        #expect(Set(checks.map(\.id)).count == 117)
        var perSection: [Int: Int] = [:]
        for c in checks { perSection[c.section, default: 0] += 1 }
        #expect(perSection == [1: 20, 2: 18, 3: 24, 4: 12, 5: 32, 6: 2, 7: 9])
        #expect(checks.first?.id == "1.1.1" && checks.last?.id == "7.9")
        #expect(checks.filter(\.automated).count == 90)
        #expect(checks.filter { !$0.automated }.allSatisfy { !$0.scored })
        // Spot checks of numbering against docker-bench-security's v1.6.0 output.
        #expect(CISCatalog.byID["5.1"]?.title == "Ensure swarm mode is not Enabled, if not needed")
        #expect(CISCatalog.byID["5.4"]?.title == "Ensure that Linux kernel capabilities are restricted within containers")
        #expect(CISCatalog.byID["5.5"]?.title == "Ensure that privileged containers are not used")
        #expect(CISCatalog.byID["5.10"]?.title == "Ensure that the host's network namespace is not shared")
        #expect(CISCatalog.byID["5.32"]?.title == "Ensure that the Docker socket is not mounted inside any containers")
        #expect(CISCatalog.byID["2.4"]?.title == "Ensure Docker is allowed to make changes to iptables")
        #expect(CISCatalog.byID["3.20"]?.title == "Ensure that the /etc/default/docker file permissions are set to 644 or more restrictively")
        #expect(CISCatalog.byID["7.1"]?.title == "Ensure that the minimum number of manager nodes have been created in a swarm")
        #expect(checks.allSatisfy { !$0.remediation.isEmpty && !$0.audit.isEmpty })
    }

    @Test("--check 5.4,5.10 selects exactly those; groups, sections and exclusions")
    func selection() throws {
        #expect(try CheckSelection.resolve(check: ["5.4,5.10"], exclude: [], sections: []).map(\.id) == ["5.4", "5.10"])
        #expect(try CheckSelection.resolve(check: ["CIS-2.2"], exclude: [], sections: []).map(\.id) == ["2.2"])
        let group = try CheckSelection.resolve(check: ["1.1"], exclude: [], sections: [])
        #expect(group.count == 18 && group.allSatisfy { $0.id.hasPrefix("1.1.") })
        #expect(try CheckSelection.resolve(check: [], exclude: [], sections: ["1", "2"]).count == 38)
        #expect(try CheckSelection.resolve(check: [], exclude: ["5"], sections: []).count == 85)
        #expect(try CheckSelection.resolve(check: ["5"], exclude: ["5.1,5.2"], sections: []).count == 30)
        #expect(try CheckSelection.resolve(check: [], exclude: [], sections: []).count == 117)
    }

    @Test("an unknown id or section is a usage error naming it and where to find valid ids")
    func unknownIDs() {
        #expect {
            _ = try CheckSelection.resolve(check: ["5.4", "9.9"], exclude: [], sections: [])
        } throws: { error in
            guard let e = error as? AuditInputError else { return false }
            return e.param == "check" && e.message.contains("'9.9'") && e.message.contains("contsec run cis-bench list")
        }
        #expect(throws: AuditInputError.self) { _ = try CheckSelection.resolve(check: [], exclude: ["5.99"], sections: []) }
        #expect {
            _ = try CheckSelection.resolve(check: [], exclude: [], sections: ["8"])
        } throws: { ($0 as? AuditInputError)?.param == "section" }
    }

    @Test("dockerd command lines: long and short flags, booleans alone, values after a space")
    func commandLine() {
        let d = DaemonSettings(arguments: ["-H", "unix:///var/run/docker.sock", "--icc=false", "--live-restore", "--log-level", "debug",
                                           "-H=tcp://0.0.0.0:2375", "--insecure-registry", "10.0.0.1:5000", "--userland-proxy=false"],
                               argumentsSource: "test", configPath: "/nonexistent", configExists: false, config: [:])
        #expect(d.flagValues("host") == ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2375"])
        #expect(d.boolSetting("icc") == false)
        #expect(d.boolSetting("live-restore") == true)
        #expect(d.flag("log-level") == "debug")
        #expect(d.flagValues("insecure-registry") == ["10.0.0.1:5000"])
        #expect(d.boolSetting("userland-proxy") == false)
        #expect(d.boolSetting("no-new-privileges") == nil)
        #expect(AuditOptions.splitCommandLine("dockerd --icc=false  -D") == ["--icc=false", "-D"])
    }

    @Test("modes are judged bit by bit: 0640 is within 0644, 0606 is not (docker-bench's decimal compare passes it)")
    func modes() {
        let f = { (mode: UInt32) in FileFacts(path: "/x", kind: .file, uid: 0, gid: 0, mode: mode) }
        #expect(f(0o640).modeWithin(0o644))
        #expect(f(0o644).modeWithin(0o644))
        #expect(!f(0o606).modeWithin(0o644))
        #expect(!f(0o600).modeWithin(0o400))
        #expect(f(0o400).modeWithin(0o400))
    }
}
