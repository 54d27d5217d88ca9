import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench

@Suite("cis-bench section 4/5 on real containers", .serialized,
       .enabled(if: CISTestEnvironment.shouldRun, CISTestEnvironment.skipReason))
struct DockerEngineContainerChecksTests {
    typealias Env = CISTestEnvironment
    let docker: DockerClient
    init() throws { docker = try Env.client() }

    /// The section-5 (and 4.1) checks a hardened container must pass. 5.2/5.3 depend on the host's LSM, 5.9/5.18/
    /// 5.19/5.24/5.28/5.30 are manual, 5.1 is about the node.
    static let hardenedPasses = ["4.1", "5.4", "5.5", "5.6", "5.7", "5.8", "5.10", "5.11", "5.12", "5.13", "5.14", "5.15",
                                 "5.16", "5.17", "5.20", "5.21", "5.22", "5.23", "5.25", "5.26", "5.27", "5.29", "5.31", "5.32"]

    @Test("a hardened container passes every section-5 check that applies, and 4.1")
    func hardenedPasses() async throws {
        let spec = Env.hardened("hardened")
        try await Env.withContainers(docker, [spec]) {
            // 5.23 can pass only where the audit log could show a privileged exec: give it one with docker records.
            let result = try await Env.audit(docker, checks: Self.hardenedPasses + ["5.2", "5.3"], containers: [spec.name],
                                             auditLog: Env.execAuditLog)
            #expect(result.facts.containers.map(\.name) == [spec.name])
            for id in Self.hardenedPasses {
                #expect(result.report.status(id) == .pass, "\(id): \(result.report.outcome(id)?.result.details ?? "")")
            }
            // AppArmor / SELinux: judged only where the engine has them, else not applicable (INFO).
            let lsm = result.facts.securityOptions
            #expect(result.report.status("5.2") == (lsm.contains { $0.contains("apparmor") } ? .pass : .info))
            #expect(result.report.status("5.3") == (lsm.contains { $0.contains("selinux") } ? .warn : .info))
            #expect(result.findings.isEmpty || !result.findings.contains { $0.target.name == spec.name })
        }
    }

    @Test("each container with one insecure setting warns on exactly the right check and names that container")
    func insecureVariants() async throws {
        let network = Env.uniqueName("net")
        let net = try await docker.createNetwork(NetworkCreateOptions(name: network, internal: true))
        let outcome = await Result { try await insecureVariants(network: network) }
        try? await docker.removeNetwork(net.id)
        try outcome.get()
    }

    func insecureVariants(network: String) async throws {
        func variant(_ what: String, _ change: (inout Env.Spec) -> Void) -> Env.Spec {
            var s = Env.hardened(what)
            change(&s)
            return s
        }
        // The checks under test and the one each variant must trip.
        let cases: [(String, Env.Spec)] = [
            ("5.4", variant("caps") { $0.host.capAdd = ["NET_ADMIN", "SYS_ADMIN"] }),
            ("5.16", variant("hostpid") { $0.host.pidMode = "host" }),
            ("5.17", variant("hostipc") { $0.host.ipcMode = "host" }),
            ("5.10", variant("hostnet") { $0.host.networkMode = "host" }),
            ("5.6", variant("etc") { $0.host.binds = ["/etc:/host-etc:ro"] }),
            ("5.32", variant("sock") { $0.host.binds = ["/var/run/docker.sock:/var/run/docker.sock:ro"] }),
            ("5.11", variant("nomem") { $0.host.memory = 0; $0.host.memorySwap = 0 }),
            ("5.22", variant("seccomp") { $0.host.securityOpt = ["no-new-privileges", "seccomp=unconfined"] }),
            // Port 80 bound to loopback on an internal network: the engine accepts it and publishes nothing, so the
            // check reads the declared binding.
            ("5.8", variant("port80") {
                $0.host.networkMode = network
                $0.host.portBindings = ["80/tcp": [PortBinding(hostIp: "127.0.0.1", hostPort: "80")]]
            }),
            ("4.1", variant("root") { $0.config.user = "" }),
            // --privileged cannot start on these machines: created only, audited with --all-containers.
            ("5.5", variant("priv") { $0.host.privileged = true; $0.start = false }),
        ]
        let hardened = Env.hardened("baseline")
        let underTest = cases.map(\.0)
        try await Env.withContainers(docker, cases.map(\.1) + [hardened]) {
            let names = cases.map(\.1.name) + [hardened.name]
            let result = try await Env.audit(docker, checks: underTest, containers: names, allContainers: true)
            #expect(result.facts.containers.count == names.count)
            for (id, spec) in cases {
                #expect(result.report.status(id) == .warn, "\(id) should warn")
                let tripped = underTest.filter { result.report.offenders($0).contains(spec.name) }
                #expect(tripped == [id], "\(spec.name) tripped \(tripped), expected only \(id)")
                // One finding per offender, naming the container and its id.
                let findings = result.findings.filter { $0.ruleId == "CIS-\(id)" && $0.target.name == spec.name }
                #expect(findings.count == 1)
                #expect(findings.first?.target.kind == "container")
                #expect(findings.first?.category == .compliance)
                #expect(findings.first?.properties["containerId"]?.stringValue?.isEmpty == false)
                #expect(findings.first?.message?.contains(spec.name) == true)
                #expect(findings.first?.fingerprint == "CIS-\(id)/container/\(spec.name)")
            }
            #expect(!underTest.contains { result.report.offenders($0).contains(hardened.name) })
            #expect(!result.findings.contains { $0.target.name == hardened.name })
        }
    }

    @Test("sshd running in a container warns on 5.7 (process table read once from /proc)")
    func sshdProcess() async throws {
        // A script's process is named after the script file: /tmp/sshd runs as a process called sshd.
        var spec = Env.hardened("sshd")
        spec.host.readonlyRootfs = false
        spec.config.cmd = ["sh", "-c", "printf '#!/bin/sh\\nsleep 600\\n' > /tmp/sshd && chmod +x /tmp/sshd && exec /tmp/sshd"]
        let quiet = Env.hardened("quiet")
        try await Env.withContainers(docker, [spec, quiet]) {
            try await Task.sleep(nanoseconds: 300_000_000)
            let result = try await Env.audit(docker, checks: ["5.7"], containers: [spec.name, quiet.name])
            #expect(result.report.offenders("5.7") == [spec.name], "\(result.report.outcome("5.7")?.result.details ?? "")")
        }
    }

    @Test("a running exec session as root is listed by 5.24 (INFO); 5.23 without audit records is INFO, never PASS")
    func execSessions() async throws {
        let spec = Env.hardened("exec")
        let emptyLog = try Env.emptyAuditLog()
        defer { try? FileManager.default.removeItem(atPath: emptyLog) }
        try await Env.withContainers(docker, [spec]) {
            let session = Task { try await docker.exec(spec.name, ExecOptions(["sleep", "3"], user: "root")) }
            defer { session.cancel() }
            var listed = false
            for _ in 0..<20 where !listed {
                try await Task.sleep(nanoseconds: 100_000_000)
                let result = try await Env.audit(docker, checks: ["5.23", "5.24"], containers: [spec.name], auditLog: emptyLog)
                listed = result.report.offenders("5.24") == [spec.name]
                if listed {
                    #expect(result.report.status("5.24") == .info)
                    #expect(result.report.outcome("5.24")?.result.offenders.first?.detail?.hasPrefix("running exec session") == true)
                    #expect(result.report.status("5.23") == .info)
                    #expect(result.findings.isEmpty)
                }
            }
            #expect(listed, "the root exec session never showed in 5.24")
            _ = try? await session.value
        }
    }

    @Test("--check 5.4,5.10 runs only those and gathers no images")
    func onlySelected() async throws {
        let spec = Env.hardened("only")
        try await Env.withContainers(docker, [spec]) {
            let result = try await Env.audit(docker, checks: ["5.4,5.10"], containers: [spec.name])
            #expect(result.report.outcomes.map(\.check.id) == ["5.4", "5.10"])
            #expect(result.facts.images.isEmpty)
            let checks = result.summary["checks"]?.arrayValue ?? []
            #expect(checks.compactMap { $0["id"]?.stringValue } == ["5.4", "5.10"])
            #expect(result.summary["counts"]?["PASS"]?.intValue == 2)
            #expect(result.summary["score"]?.intValue == 2)
        }
    }
}
