import Foundation
import Testing
@testable import ContainerKit
@testable import CISBench

/// Docker-dependent tests run whenever a daemon answers, always under CI=true (where a missing engine must fail).
enum CISTestEnvironment {
    static let image = "contsec-test/busybox:1"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let socketPath = (try? DockerClient.socketPath(dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"]))
        ?? DockerClient.defaultSocketPath
    static let shouldRun: Bool = {
        if isCI { return true }
        guard let socket = try? UnixSocket(connectingTo: socketPath) else { return false }
        socket.close()
        return true
    }()
    static let skipReason: Comment =
        "cis-bench engine test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"

    static func client() throws -> DockerClient { try DockerClient(socketPath: socketPath) }

    static func uniqueName(_ what: String) -> String {
        "contsec-test-cisbench-\(what)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A container the tests create: its name, settings, and whether it is started.
    struct Spec {
        var name: String
        var config: ContainerConfig
        var host: HostConfig
        var start = true
    }

    /// The hardened baseline: non-root, read-only root, memory/pids/CPU limits, no-new-privileges, all capabilities
    /// dropped, a health check, restart on-failure:5, no network.
    static func hardened(_ what: String) -> Spec {
        Spec(name: uniqueName(what),
             config: ContainerConfig(image: image, cmd: ["sleep", "600"], user: "65534:65534",
                                     labels: ["contsec-test": "1"],
                                     healthcheck: HealthcheckConfig(test: ["CMD", "true"], interval: 5_000_000_000,
                                                                    timeout: 2_000_000_000, retries: 3)),
             host: HostConfig(capDrop: ["ALL"], networkMode: "none", securityOpt: ["no-new-privileges"],
                              readonlyRootfs: true, memory: 64 << 20, pidsLimit: 64, cpuShares: 512,
                              restartPolicy: RestartPolicy(name: "on-failure", maximumRetryCount: 5)))
    }

    /// Creates (and starts) every spec, runs `body`, then removes them all whatever happens.
    static func withContainers<T>(_ docker: DockerClient, _ specs: [Spec], _ body: () async throws -> T) async throws -> T {
        var created: [String] = []
        let result = await Result { () async throws -> T in
            for spec in specs {
                let c = try await docker.createContainer(name: spec.name, ContainerCreateOptions(config: spec.config, hostConfig: spec.host))
                created.append(c.id)
                if spec.start { try await docker.startContainer(c.id) }
            }
            return try await body()
        }
        for id in created { try? await docker.removeContainer(id, force: true, volumes: true) }
        return try result.get()
    }

    /// Runs the audit of `ids` over the given containers only. `auditLog`: search that file for `docker exec`
    /// (5.23/5.24) with no audit rules loaded (none read from the kernel or /etc/audit), so the verdict follows
    /// from the file alone.
    static func audit(_ docker: DockerClient, checks ids: [String], containers: [String] = [], allContainers: Bool = false,
                      daemonJSON: String? = nil, cmdline: [String]? = nil, auditLog: String? = nil) async throws -> CISAudit.Result {
        let checks = try CheckSelection.resolve(check: ids, exclude: [], sections: [])
        var options = AuditOptions(daemonJSONPath: daemonJSON, dockerdArguments: cmdline, allContainers: allContainers,
                                   containerFilter: containers, environment: [:])
        if let auditLog {
            options.auditLogPath = auditLog
            options.useAuditctl = false
            options.auditDirectory = "/nonexistent/contsec-test-no-audit-rules"
        }
        return try await CISAudit(docker: docker, options: options).run(checks)
    }

    /// A real audit log with `docker exec --privileged` and `--user root` commands (see Fixtures/audit/README.md).
    static let execAuditLog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path + "/Fixtures/audit/docker-exec.log"

    /// An empty audit log: auditd's format, no records.
    static func emptyAuditLog() throws -> String {
        let path = NSTemporaryDirectory() + "contsec-cis-test-empty-audit-\(UUID().uuidString.prefix(8)).log"
        guard FileManager.default.createFile(atPath: path, contents: Data()) else { throw CocoaError(.fileWriteUnknown) }
        return path
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension AuditReport {
    func status(_ id: String) -> CheckStatus? { outcome(id)?.result.status }
    /// Names of the offenders of check `id`.
    func offenders(_ id: String) -> Set<String> { Set(outcome(id)?.result.offenders.map(\.name) ?? []) }
}
