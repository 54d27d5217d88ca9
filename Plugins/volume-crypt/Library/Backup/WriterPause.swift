import Foundation
import ContainerKit

/// A consistent snapshot without stopping services: the running containers that use the volume are paused (cgroup
/// freezer) while the archive is taken and unpaused afterwards, whatever happens. Refusing would force an outage for
/// every backup; copying while they write could catch a file half written. Pausing freezes every process of the
/// container at once, so no write is in flight while the files are read. Processes outside containers writing
/// into the plaintext mount cannot be paused this way; volume-crypt's volumes are meant for containers.
struct WriterPause {
    let ctx: VolumeCryptContext
    let volume: String

    /// Pauses the running users of the volume, runs `body`, unpauses them (also when `body` throws).
    func around<T>(_ body: ([String]) async throws -> T) async throws -> T {
        let running = try await ctx.containersUsing(volume).filter { $0.state == "running" }
        var paused: [String] = []
        do {
            for container in running {
                let name = VolumeCryptContext.displayName(container)
                let did = try await ctx.step("container-paused", name, "writers of \(volume) frozen while the snapshot is taken") {
                    try await ctx.docker.pauseContainer(container.id)
                }
                if did { paused.append(name) }
            }
            let result = try await body(running.map(VolumeCryptContext.displayName))
            try await resume(paused)
            return result
        } catch {
            try? await resume(paused)
            throw error
        }
    }

    private func resume(_ names: [String]) async throws {
        for name in names.reversed() {
            try await ctx.step("container-unpaused", name, "snapshot of \(volume) taken") {
                try await ctx.docker.unpauseContainer(name)
            }
        }
    }
}
