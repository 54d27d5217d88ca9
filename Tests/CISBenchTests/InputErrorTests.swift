import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench
import EngineTestSupport

/// A filter or file that names nothing is a usage error naming the input, never an audit of nothing that passes.
@Suite("cis-bench: inputs that name nothing are usage errors (real engine)", .serialized,
       .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineCISInputErrorTests {
    typealias Env = CISTestEnvironment
    let docker: DockerClient
    init() throws { docker = try Env.client() }

    func inputError(_ body: () async throws -> Void) async -> AuditInputError? {
        do { try await body() } catch let e as AuditInputError { return e } catch { Issue.record("not an input error: \(error)") }
        return nil
    }

    @Test("--container naming no container fails with the name and the counts; a stopped one points at --all-containers")
    func containerFilter() async throws {
        let running = Env.hardened("running")
        var stopped = Env.hardened("stopped")
        stopped.start = false
        try await Env.withContainers(docker, [running, stopped]) {
            let missing = "contsec-cis-test-nosuch-\(UUID().uuidString.prefix(6))"
            let e = await inputError { _ = try await Env.audit(docker, checks: ["5.4"], containers: [running.name, missing]) }
            #expect(e?.param == "container")
            #expect(e?.message.contains("no container is named '\(missing)'") == true, "\(e?.message ?? "")")
            // Not only with a container check: a typo is a typo whatever is selected.
            #expect(await inputError { _ = try await Env.audit(docker, checks: ["2.2"], containers: [missing]) }?.param == "container")

            let notRunning = await inputError { _ = try await Env.audit(docker, checks: ["5.4"], containers: [stopped.name]) }
            #expect(notRunning?.message.contains("'\(stopped.name)' is created") == true, "\(notRunning?.message ?? "")")
            #expect(notRunning?.message.contains("add --all-containers") == true)

            // Names, comma lists and id prefixes all select.
            let both = try await Env.audit(docker, checks: ["5.4"], containers: ["\(running.name),\(stopped.name)"], allContainers: true)
            #expect(both.facts.containers.map(\.name).sorted() == [running.name, stopped.name].sorted())
            let byID = try await Env.audit(docker, checks: ["5.4"], containers: [String(both.facts.containers[0].id.prefix(12))], allContainers: true)
            #expect(byID.facts.containers.map(\.id) == [both.facts.containers[0].id])
        }
    }

    @Test("--daemon-json naming a missing or broken file fails naming it (and CONTSEC_CIS_DAEMON_JSON says so)")
    func daemonJSON() async throws {
        let dir = NSTemporaryDirectory() + "contsec-cis-test-djson-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let missing = dir + "/staged.json"
        let e = await inputError { _ = try await Env.audit(docker, checks: ["2.4"], daemonJSON: missing) }
        #expect(e?.param == "daemon-json")
        #expect(e?.message == "\(missing) does not exist: give the daemon.json to judge, or leave the option out to judge dockerd's own")

        var fromEnv = AuditOptions(environment: ["CONTSEC_CIS_DAEMON_JSON": missing])
        fromEnv.applyEnvironmentOverrides()
        #expect(throws: AuditInputError.self) { try fromEnv.checkDaemonJSON() }
        do { try fromEnv.checkDaemonJSON() } catch let e as AuditInputError {
            #expect(e.message.hasPrefix("\(missing) (from CONTSEC_CIS_DAEMON_JSON) does not exist"))
        }

        try Data(#"{"icc": false,"#.utf8).write(to: URL(fileURLWithPath: dir + "/broken.json"))
        let broken = await inputError { _ = try await Env.audit(docker, checks: ["2.2"], daemonJSON: dir + "/broken.json") }
        #expect(broken?.message.hasPrefix("\(dir)/broken.json is not valid JSON") == true, "\(broken?.message ?? "")")
        try Data("[1]".utf8).write(to: URL(fileURLWithPath: dir + "/array.json"))
        let array = await inputError { _ = try await Env.audit(docker, checks: ["2.2"], daemonJSON: dir + "/array.json") }
        #expect(array?.message == "\(dir)/array.json is not a JSON object")
    }

    @Test("through the CLI: exit 2 (usage) with the message on stderr, no audit output")
    func cliExitCode() throws {
        let missing = "contsec-cis-test-nosuch-\(UUID().uuidString.prefix(6))"
        let run = try ContsecCLI.run("cis-bench", ["--container", missing])
        #expect(run.status == 2, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(run.stderr.contains("--container") && run.stderr.contains(missing), "\(run.stderr)")
        let json = try ContsecCLI.run("cis-bench", ["--daemon-json", "/nonexistent/daemon.json"])
        #expect(json.status == 2)
        #expect(json.stderr.contains("/nonexistent/daemon.json does not exist"), "\(json.stderr)")
    }
}

@Suite("cis-bench 1.1.8: the containerd socket dockerd uses (real engine)", .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineContainerdSocketTests {
    /// The gRPC address of the running containerd, read from its own config file (`containerd --config FILE`), or
    /// the system default when it runs without one: the socket dockerd talks to, found without cis-bench's code.
    static func runningContainerdSocket() throws -> String {
        for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") where Int(entry) != nil {
            guard let comm = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .whitespacesAndNewlines) == "containerd",
                  let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let argv = raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let i = argv.firstIndex(where: { $0 == "--config" || $0 == "-c" }), i + 1 < argv.count,
                  let toml = try? String(contentsOfFile: argv[i + 1], encoding: .utf8) else { return "/run/containerd/containerd.sock" }
            var inGRPC = false
            for line in toml.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if line.hasPrefix("[") { inGRPC = line == "[grpc]" }
                if inGRPC, line.hasPrefix("address") { return line.split(separator: "\"")[1].description }
            }
        }
        return "/run/containerd/containerd.sock"
    }

    @Test("1.1.8 audits the containerd socket in use (3.23's), not the containerd.socket unit; the remediation names it")
    func containerdSocket() async throws {
        let socket = try Self.runningContainerdSocket()
        try #require(HostFiles.stat(socket)?.kind == .socket, "\(socket) is not a socket")
        let dir = NSTemporaryDirectory() + "contsec-cis-test-ctrd-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir + "/rules.d", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "-w /var/lib/docker -k docker\n".write(toFile: dir + "/audit.rules", atomically: true, encoding: .utf8)
        let checks = try CheckSelection.resolve(check: ["1.1.8", "3.23"], exclude: [], sections: [])
        let docker = try CISTestEnvironment.client()
        let without = try await CISAudit(docker: docker, options: AuditOptions(environment: [:], auditDirectory: dir, useAuditctl: false)).run(checks)
        #expect(without.report.status("1.1.8") == .warn)
        #expect(without.report.offenders("1.1.8") == [socket])
        #expect(without.report.outcome("3.23")?.result.details?.contains(socket) == true)
        let finding = without.findings.first { $0.ruleId == "CIS-1.1.8" }
        #expect(finding?.remediation?.contains("-w \(socket) -k docker") == true, "\(finding?.remediation ?? "")")

        try "-w \(socket) -k docker\n".write(toFile: dir + "/rules.d/containerd.rules", atomically: true, encoding: .utf8)
        let with = try await CISAudit(docker: docker, options: AuditOptions(environment: [:], auditDirectory: dir, useAuditctl: false)).run(checks)
        #expect(with.report.status("1.1.8") == .pass, "\(with.report.outcome("1.1.8")?.result.details ?? "")")
    }

    @Test("1.1.3's remediation names the dockerd binary that runs (/usr/sbin/dockerd on Debian), not /usr/bin/dockerd")
    func dockerdRemediation() async throws {
        let dir = NSTemporaryDirectory() + "contsec-cis-test-dockerd-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let pid = try #require(ProcFS.findDockerd(), "no dockerd process")
        let binary = try #require(ProcFS.readlink("/proc/\(pid)/exe"))
        let checks = try CheckSelection.resolve(check: ["1.1.3"], exclude: [], sections: [])
        let result = try await CISAudit(docker: try CISTestEnvironment.client(),
                                        options: AuditOptions(environment: [:], auditDirectory: dir, useAuditctl: false)).run(checks)
        let finding = try #require(result.findings.first { $0.ruleId == "CIS-1.1.3" })
        #expect(finding.target.name != "" && finding.remediation?.contains("-w \(binary) -k docker") == true, "\(finding.remediation ?? "")")
        if binary != "/usr/bin/dockerd" { #expect(finding.remediation?.contains("/usr/bin/dockerd") == false) }
    }
}
