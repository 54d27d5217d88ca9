import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt
#if canImport(Glibc)
import Glibc
#endif

/// What the machine offers: the engine tests run when a daemon answers and gocryptfs can mount (root, /dev/fuse,
/// fusermount); under CI=true they always run, so a missing piece fails them instead of skipping.
enum VolumeCryptEnvironment {
    static let image = "contsec-test/busybox:1"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let socketPath = (try? DockerClient.socketPath(dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"]))
        ?? DockerClient.defaultSocketPath

    static let canRun: Bool = {
        if isCI { return true }
        let runner = ToolRunner()
        guard geteuid() == 0, access("/dev/fuse", R_OK | W_OK) == 0,
              (try? runner.resolve("gocryptfs", installHint: "")) != nil,
              (try? runner.resolve("fusermount3", installHint: "")) != nil || (try? runner.resolve("fusermount", installHint: "")) != nil
        else { return false }
        guard let socket = try? UnixSocket(connectingTo: socketPath) else { return false }
        socket.close()
        return true
    }()
    static let skipReason: Comment =
        "volume-crypt engine test skipped: needs root, /dev/fuse, gocryptfs and fuse3, and a Docker daemon (run scripts/test-env.sh as root)"

    /// `contsec-test-volumecrypt-<8 hex>`.
    static func uniqueName(_ what: String = "vol") -> String {
        "contsec-test-volumecrypt-\(what)-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Everything one reporter saw.
final class Recorded: @unchecked Sendable {
    private let lock = NSLock()
    private var _actions: [Action] = []
    private var _findings: [Finding] = []
    private var _logs: [String] = []

    var actions: [Action] { lock.lock(); defer { lock.unlock() }; return _actions }
    var findings: [Finding] { lock.lock(); defer { lock.unlock() }; return _findings }
    var logs: [String] { lock.lock(); defer { lock.unlock() }; return _logs }

    var reporter: Reporter {
        Reporter(action: { [self] a in lock.lock(); _actions.append(a); lock.unlock() },
                 finding: { [self] f in lock.lock(); _findings.append(f); lock.unlock() },
                 log: { [self] _, m in lock.lock(); _logs.append(m); lock.unlock() })
    }

    func clear() { lock.lock(); _actions = []; _findings = []; _logs = []; lock.unlock() }
}

/// A private state root and workspace for one test, and everything it made removed afterwards: containers it
/// started, mounts under its state root, Docker volumes labelled with its state root, the folders.
final class VolumeCryptFixture: @unchecked Sendable {
    let base: String
    let stateRoot: String
    let workspace: String
    let docker: DockerClient
    let recorded = Recorded()
    private let lock = NSLock()
    /// Names of the containers this test made: a re-created container keeps its name, not its id.
    private var containers: [String] = []

    init() throws {
        base = NSTemporaryDirectory() + VolumeCryptEnvironment.uniqueName("fixture")
        stateRoot = base + "/state"
        workspace = base + "/workspace"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        docker = try DockerClient(socketPath: VolumeCryptEnvironment.socketPath)
    }

    func context(dryRun: Bool = false) throws -> VolumeCryptContext {
        VolumeCryptContext(state: try StateRoot(explicit: stateRoot), docker: docker, workspace: workspace, dryRun: dryRun,
                           report: recorded.reporter)
    }

    var state: StateRoot { try! StateRoot(explicit: stateRoot) }

    /// Runs `body` with a fresh fixture and cleans up whatever happens.
    static func with<T>(_ body: (VolumeCryptFixture) async throws -> T) async throws -> T {
        let fixture = try VolumeCryptFixture()
        do {
            let result = try await body(fixture)
            await fixture.cleanUp()
            return result
        } catch {
            await fixture.cleanUp()
            throw error
        }
    }

    /// Runs until stopped and stops at once (a plain `sleep` as PID 1 ignores SIGTERM: every stop would wait 10 s).
    static let idle = ["sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 0.2; done"]

    /// A container of the test image with `binds` (e.g. "vol:/app/data"), started, running `command`.
    @discardableResult
    func startContainer(binds: [String], command: [String] = VolumeCryptFixture.idle, start: Bool = true,
                        config: ContainerConfig? = nil, hostConfig: HostConfig? = nil) async throws -> String {
        let name = VolumeCryptEnvironment.uniqueName("ctr")
        var host = hostConfig ?? HostConfig()
        host.binds = binds.isEmpty ? nil : binds // as `docker run` without -v: no Binds at all
        host.networkMode = "none"
        var config = config ?? ContainerConfig(image: VolumeCryptEnvironment.image)
        config.image = VolumeCryptEnvironment.image
        config.cmd = command
        config.labels = (config.labels ?? [:]).merging(["contsec-test": "1"]) { a, _ in a }
        let created = try await docker.createContainer(name: name, ContainerCreateOptions(config: config, hostConfig: host))
        lock.withLock { containers.append(name) }
        if start { try await docker.startContainer(created.id) }
        return name
    }

    /// Runs `command` in a new container with `binds` to completion; returns its exit code and stdout.
    func runContainer(binds: [String], _ command: String) async throws -> (Int, String) {
        let name = try await startContainer(binds: binds, command: ["sh", "-c", command], start: false)
        try await docker.startContainer(name)
        let status = try await docker.waitContainer(name).statusCode
        var output = Data()
        for try await chunk in docker.logs(name, options: LogOptions(stdout: true, stderr: true)) { output.append(chunk.data) }
        try await docker.removeContainer(name, force: true)
        return (status, String(decoding: output, as: UTF8.self))
    }

    func removeContainer(_ name: String) async throws {
        try await docker.removeContainer(name, force: true)
    }

    func cleanUp() async {
        for name in lock.withLock({ containers }) {
            for leftover in (try? await docker.listContainers(all: true, filters: ["name": [name]])) ?? [] {
                try? await docker.removeContainer(leftover.id, force: true) // the container and any -contsec-old/new-… copy
            }
        }
        for volume in (try? await docker.listVolumes(filters: ["label": ["\(VolumeLabels.stateRoot)=\(stateRoot)"]])) ?? [] {
            try? await docker.removeVolume(volume.name, force: true)
        }
        for entry in MountTable().entries.reversed() where entry.mountPoint.hasPrefix(base + "/") {
            // gocryptfs mounts, innermost first; then a tmpfs a test put under its state root, lazily: the gocryptfs
            // daemon that just lost its mount may still hold the cipher folder on it for a moment (EBUSY).
            let fuse = entry.fileSystemType.hasPrefix("fuse")
            _ = try? await ToolRunner().run(fuse ? "fusermount3" : "umount", fuse ? ["-u", entry.mountPoint] : ["--lazy", entry.mountPoint],
                                            options: ToolRunOptions(timeout: 30))
        }
        try? FileManager.default.removeItem(atPath: base)
    }

    // MARK: - Helpers

    /// SHA-256, mode and size of every file below `root`, for "before and after" comparisons.
    static func snapshot(_ root: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for entry in try FileTree.entries(root) {
            result[entry.path] = "\(entry.kind.rawValue) \(entry.mode) \(entry.uid):\(entry.gid) \(entry.size ?? -1) \(entry.sha256 ?? entry.target ?? "")"
        }
        return result
    }

    /// A key file with the given content and mode, in the workspace.
    func keyFile(_ name: String = "user.key", content: String = "k3y-" + UUID().uuidString + UUID().uuidString, mode: mode_t = 0o600) throws -> String {
        let path = workspace + "/" + name
        try Data((content + "\n").utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }
}
