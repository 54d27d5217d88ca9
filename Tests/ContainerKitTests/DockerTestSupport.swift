import Foundation
import Testing
@testable import ContainerKit

/// Whether the Docker-dependent tests run: always under CI=true (where a missing engine must fail loudly),
/// elsewhere only when the daemon's socket exists.
enum DockerTestEnvironment {
    static let image = "contsec-test/busybox:1"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let socketPath = (try? DockerClient.socketPath(dockerHost: ProcessInfo.processInfo.environment["DOCKER_HOST"]))
        ?? DockerClient.defaultSocketPath
    /// Under CI nothing skips; elsewhere the daemon must accept a connection (a socket file alone may be stale).
    static let shouldRun: Bool = {
        if isCI { return true }
        guard let socket = try? UnixSocket(connectingTo: socketPath) else { return false }
        socket.close()
        return true
    }()
    static let skipReason: Comment =
        "Docker-dependent test skipped: no Docker daemon answers on its socket (run scripts/test-env.sh as root to start one)"

    static func client() throws -> DockerClient { try DockerClient(socketPath: socketPath) }

    /// A unique name for an object this test run creates.
    static func uniqueName(_ what: String) -> String {
        "contsec-test-\(what)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// Creates and starts a busybox container running `command`, runs `body`, and removes the container
    /// whatever happens (Swift's `defer` cannot await, hence the wrapper).
    static func withContainer<T>(_ docker: DockerClient, image: String = image, command: [String] = ["sleep", "300"],
                                 hostConfig: HostConfig? = nil, start: Bool = true,
                                 _ body: (String, String) async throws -> T) async throws -> T {
        let name = uniqueName("ctr")
        let created = try await docker.createContainer(
            name: name,
            ContainerCreateOptions(config: ContainerConfig(image: image, cmd: command, labels: ["contsec-test": "1"]),
                                   hostConfig: hostConfig))
        do {
            if start { try await docker.startContainer(created.id) }
            let result = try await body(created.id, name)
            try? await docker.removeContainer(created.id, force: true, volumes: true)
            return result
        } catch {
            try? await docker.removeContainer(created.id, force: true, volumes: true)
            throw error
        }
    }
}

/// Fails the test if `operation` does not finish within `seconds` (streams must never hang a test run).
func withTimeout<T: Sendable>(_ seconds: Double, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            throw TimeoutError(seconds: seconds)
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var seconds: Double
    var description: String { "did not finish within \(seconds) s" }
}

/// Reads the members of a ustar/GNU tar archive (enough for `docker save` output).
struct TarReader {
    struct Entry {
        var name: String
        var type: UInt8
        var data: Data
    }

    static func entries(_ archive: Data) throws -> [Entry] {
        let bytes = [UInt8](archive)
        var entries: [Entry] = []
        var offset = 0
        var longName: String?
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            func field(_ start: Int, _ length: Int) -> String {
                let raw = header[(offset + start)..<(offset + start + length)]
                return String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            let sizeText = field(124, 12).trimmingCharacters(in: CharacterSet(charactersIn: " \0"))
            guard let size = Int(sizeText.isEmpty ? "0" : sizeText, radix: 8) else {
                throw TarError(message: "bad size field '\(sizeText)' at offset \(offset)")
            }
            let type = header[offset + 156]
            var name = field(0, 100)
            let prefix = field(345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else { throw TarError(message: "entry \(name) runs past the end") }
            let data = Data(bytes[dataStart..<(dataStart + size)])
            offset = dataStart + (size + 511) / 512 * 512
            if type == UInt8(ascii: "L") { // GNU long name for the next entry
                longName = String(decoding: data.prefix(while: { $0 != 0 }), as: UTF8.self)
                continue
            }
            if let long = longName { name = long; longName = nil }
            entries.append(Entry(name: name, type: type, data: data))
        }
        return entries
    }

    struct TarError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

extension Result where Failure == Error {
    /// Captures an async throwing call, so cleanup can run before the error is rethrown.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
