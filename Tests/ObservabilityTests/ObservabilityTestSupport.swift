#if canImport(Glibc)
import Glibc
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import ContainerKit
@testable import Observability

/// Docker-dependent tests run whenever a daemon answers, always under CI=true (where a missing engine must fail).
enum ObsTestEnvironment {
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
        "observability engine test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"

    static func client() throws -> DockerClient { try DockerClient(socketPath: socketPath) }

    static func uniqueName(_ what: String = "c") -> String {
        "contsec-test-observability-\(what)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates and starts a container, runs `body` with its id and name, then removes it whatever happens.
    static func withContainer<T>(_ docker: DockerClient, command: [String] = ["sleep", "300"], host: HostConfig = HostConfig(),
                                 user: String? = nil, name: String = uniqueName(),
                                 _ body: (String, String) async throws -> T) async throws -> T {
        let created = try await docker.createContainer(
            name: name, ContainerCreateOptions(config: ContainerConfig(image: image, cmd: command, user: user, labels: ["contsec-test": "1"]),
                                               hostConfig: host))
        let result = await Result { () async throws -> T in
            try await docker.startContainer(created.id)
            return try await body(created.id, name)
        }
        try? await docker.removeContainer(created.id, force: true, volumes: true)
        return try result.get()
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Blocking work (tools, sleeps, raw sockets) off the concurrency pool, which the code under test needs.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { cont in
        DispatchQueue.global().async { cont.resume(with: Result { try body() }) }
    }
}

/// A plain HTTP request through Foundation's URLSession.
func http(_ url: String, method: String = "GET", body: Data? = nil, timeout: Double = 10) async throws -> (status: Int, body: Data) {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    request.httpBody = body
    return try await withCheckedThrowingContinuation { cont in
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { cont.resume(throwing: error); return }
            cont.resume(returning: ((response as? HTTPURLResponse)?.statusCode ?? 0, data ?? Data()))
        }.resume()
    }
}

/// A free loopback TCP port (bound and released; good enough for a test's own server).
func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var sa = sockaddr_in()
    sa.sin_family = sa_family_t(AF_INET)
    sa.sin_port = 0
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr)
    _ = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return UInt16(bigEndian: sa.sin_port)
}

/// A private temporary folder, removed by the caller.
func tempDir(_ what: String) throws -> String {
    let path = NSTemporaryDirectory() + "contsec-obs-\(what)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Runs a program to completion and returns its exit status and combined output.
@discardableResult
func run(_ path: String, _ args: [String], timeout: Double = 60) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Where an apt-installed tool lives, or a clear skip/failure.
func tool(_ name: String, package: String) throws -> String {
    for dir in ["/usr/bin", "/usr/local/bin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
    }
    throw ToolMissing(message: "\(name) is not installed: apt-get install \(package) (scripts/test-env.sh installs it)")
}

struct ToolMissing: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Whether a tool-dependent test runs: always under CI (a missing tool must fail), elsewhere only when installed.
func hasTool(_ name: String) -> Bool {
    ObsTestEnvironment.isCI || FileManager.default.isExecutableFile(atPath: "/usr/bin/\(name)")
}
