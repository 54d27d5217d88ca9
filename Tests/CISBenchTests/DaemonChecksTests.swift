import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench

@Suite("cis-bench daemon and file checks (real engine, injected configuration)", .serialized,
       .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineDaemonChecksTests {
    typealias Env = CISTestEnvironment
    let docker: DockerClient
    let dir: String
    init() throws {
        docker = try Env.client()
        dir = NSTemporaryDirectory() + "contsec-cis-test-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func fixture(_ name: String, _ json: String, mode: Int = 0o644) throws -> String {
        let path = dir + "/" + name
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    static let toggles = ["2.2", "2.14", "2.15", "2.16"]

    @Test("icc, no-new-privileges, live-restore, userland-proxy change verdict with daemon.json")
    func daemonJSONChangesVerdicts() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = try fixture("empty.json", "{}")
        let hardened = try fixture("hardened.json",
                                   #"{"icc": false, "no-new-privileges": true, "live-restore": true, "userland-proxy": false}"#)
        let before = try await Env.audit(docker, checks: Self.toggles, daemonJSON: empty, cmdline: [])
        let after = try await Env.audit(docker, checks: Self.toggles, daemonJSON: hardened, cmdline: [])
        #expect(before.facts.daemon.configPath == empty)
        #expect(before.report.status("2.2") == .warn)
        #expect(before.report.status("2.14") == .warn)
        #expect(before.report.status("2.16") == .warn)
        // The engine's own LiveRestoreEnabled also passes 2.15; the test daemon runs without it.
        if before.facts.info.liveRestoreEnabled != true { #expect(before.report.status("2.15") == .warn) }
        for id in Self.toggles { #expect(after.report.status(id) == .pass, "\(id) with hardened daemon.json") }
        #expect(after.report.score == before.report.score + 2 * before.report.count(.warn))
        // Daemon findings point at the daemon and carry the remediation.
        let icc = before.findings.first { $0.ruleId == "CIS-2.2" }
        #expect(icc?.target.kind == "daemon")
        #expect(icc?.remediation?.contains("icc") == true)
    }

    @Test("the dockerd command line is read too: --icc=false and --no-new-privileges pass")
    func commandLineChangesVerdicts() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let empty = try fixture("empty.json", "{}")
        let result = try await Env.audit(docker, checks: ["2.2", "2.14", "2.4", "2.3"], daemonJSON: empty,
                                         cmdline: ["--icc=false", "--no-new-privileges", "--iptables=false", "--log-level", "debug"])
        #expect(result.report.status("2.2") == .pass)
        #expect(result.report.status("2.14") == .pass)
        #expect(result.report.status("2.4") == .warn)
        #expect(result.report.status("2.3") == .warn)
    }

    @Test("TLS and daemon.json files: TCP without verify warns, loose modes warn, dockerd's own config file missing is INFO")
    func tlsAndFiles() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ca = try fixture("ca.pem", "not a real certificate", mode: 0o644)
        let key = try fixture("key.pem", "not a real key", mode: 0o400)
        let config = try fixture("tls.json", #"{"hosts": ["tcp://127.0.0.1:2376"], "tls": true, "tlscacert": "\#(ca)", "tlskey": "\#(key)"}"#,
                                 mode: 0o666)
        let result = try await Env.audit(docker, checks: ["2.7", "3.9", "3.10", "3.11", "3.14", "3.17", "3.18"],
                                         daemonJSON: config, cmdline: [])
        #expect(result.report.status("2.7") == .warn)
        #expect(result.report.outcome("2.7")?.result.details?.contains("no verification") == true)
        #expect(result.report.status("3.9") == (getuid() == 0 && getgid() == 0 ? .pass : .warn))
        #expect(result.report.status("3.10") == .warn)
        #expect(result.report.offenders("3.10") == [ca])
        #expect(result.report.status("3.11") == .info)  // no server certificate configured
        #expect(result.report.status("3.14") == .pass)
        #expect(result.report.status("3.18") == .warn)
        #expect(result.findings.contains { $0.ruleId == "CIS-3.18" && $0.target.kind == "file" && $0.target.name == config })

        // dockerd's own daemon.json (its --config-file) missing: the recommendations do not apply, INFO. (A missing
        // file named by --daemon-json is a usage error instead: DockerEngineCISInputErrorTests.)
        let missing = try await Env.audit(docker, checks: ["3.17", "3.18", "1.1.11"], cmdline: ["--config-file", dir + "/absent.json"])
        #expect(missing.facts.daemon.configPath == dir + "/absent.json")
        for id in ["3.17", "3.18", "1.1.11"] { #expect(missing.report.status(id) == .info, "\(id) on a missing daemon.json") }
    }

    @Test("the test daemon's real /etc/docker/daemon.json and cmdline: iptables false warns on 2.4")
    func realConfiguration() async throws {
        let result = try await Env.audit(docker, checks: ["2.2", "2.4", "2.14", "2.16", "3.17", "3.18"])
        let daemon = result.facts.daemon
        #expect(daemon.argumentsSource.hasPrefix("/proc/"), "dockerd found in /proc: \(daemon.argumentsSource)")
        #expect(daemon.configPath == (daemon.flag("config-file") ?? "/etc/docker/daemon.json"))
        let real = DaemonSettings.readConfig(daemon.configPath).config
        #expect(daemon.config == real)
        // Expected verdicts follow from the file the test environment wrote.
        let iptablesOff = real["iptables"]?.boolValue == false || daemon.flag("iptables") == "false"
        #expect(result.report.status("2.4") == (iptablesOff ? .warn : .pass))
        #expect(result.report.status("2.2") == (daemon.boolSetting("icc") == false ? .pass : .warn))
        #expect(result.report.status("2.16") == (daemon.boolSetting("userland-proxy") == false ? .pass : .warn))
        if let st = HostFiles.stat(daemon.configPath) {
            #expect(result.report.status("3.18") == (st.modeWithin(0o644) ? .pass : .warn))
        }
    }
}
