import Foundation
import ContsecPluginKit
import ContainerKit
import HTTPServer
import Observability

/// The Engine client every command uses, with a clear precondition error when it cannot be made.
func dockerClient() throws -> DockerClient {
    do { return try DockerClient(requestTimeout: 30) } catch { throw PluginError.preconditionFailed("\(error)") }
}

/// Fails the run with a clear message when the Engine does not answer.
func requireEngine(_ docker: DockerClient) async throws {
    do { _ = try await docker.ping() } catch {
        throw PluginError.preconditionFailed("\(error)")
    }
}

/// `--log-dir`, else `logs/security` under the workspace (where contsec writes its daily log).
func logDirectory(_ ctx: RunContext) -> String {
    ctx.arguments.path("log-dir") ?? ctx.workspace + "/logs/security"
}

func listenAddress(_ ctx: RunContext, param: String, defaultPort: UInt16) throws -> ListenAddress {
    do {
        return try ListenAddress.parse(ctx.arguments.string(param) ?? "127.0.0.1:\(defaultPort)", defaultPort: defaultPort)
    } catch {
        throw PluginError.invalidParams(param: param, message: "\(error)")
    }
}

func startServer(_ address: ListenAddress, allowRemote: Bool, param: String,
                 handler: @escaping HTTPServer.Handler) throws -> HTTPServer {
    do {
        let server = try HTTPServer(listen: address, allowRemote: allowRemote, handler: handler)
        server.start()
        return server
    } catch let e as HTTPServerError {
        if case .notLoopback = e { throw PluginError.invalidParams(param: param, message: "\(e)") }
        throw PluginError.preconditionFailed("\(e)")
    }
}

/// Keeps a long-running command alive until cancelled or `--duration` seconds (0: until stopped), sending a
/// progress line every `every` seconds (also what keeps the host's idle timer from firing).
func runUntilStopped(_ ctx: RunContext, duration: Int, every: Double = 5, status: () -> String) async {
    let start = Date()
    var lastProgress = Date.distantPast
    while !ctx.isCancelled && !Task.isCancelled {
        if duration > 0 && Date().timeIntervalSince(start) >= Double(duration) { break }
        if Date().timeIntervalSince(lastProgress) >= every {
            ctx.progress(status())
            lastProgress = Date()
        }
        try? await Task.sleep(nanoseconds: 100_000_000)
    }
}

func durationParam(_ ctx: RunContext) throws -> Int {
    let d = ctx.arguments.int("duration") ?? 0
    guard d >= 0 else { throw PluginError.invalidParams(param: "duration", message: "must be 0 (until stopped) or a number of seconds") }
    return d
}

enum ListenAddressDefault {
    static func loopback(_ port: UInt16) -> ListenAddress { ListenAddress(host: "127.0.0.1", port: port) }
}
