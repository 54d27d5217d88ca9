import Foundation
import ContainerKit

/// `gc`: removes this state root's `--auto-delete` temp volumes that no container (running or stopped) uses.
/// Also run at the start of every volume-crypt command, then sparing volumes younger than
/// `implicitMinimumAge`, so a volume just created is not collected before its container starts.
public enum GarbageCollector {
    public static let implicitMinimumAge: TimeInterval = 300

    @discardableResult
    public static func collect(_ ctx: VolumeCryptContext, minimumAge: TimeInterval = 0, now: Date = Date()) async throws -> [String] {
        let volumes = try await ctx.docker.listVolumes(filters: VolumeLabels.filter(stateRoot: ctx.state.path))
        var removed: [String] = []
        for volume in volumes.sorted(by: { $0.name < $1.name })
        where volume.labels?[VolumeLabels.kind] == VolumeKind.temp.rawValue && volume.labels?[VolumeLabels.autoDelete] == "true" {
            if minimumAge > 0, let created = parseDate(volume.createdAt), now.timeIntervalSince(created) < minimumAge { continue }
            guard try await ctx.containersUsing(volume.name).isEmpty else { continue }
            do {
                try await ctx.step("volume-removed", volume.name, "auto-delete temp volume no container uses") {
                    try await ctx.docker.removeVolume(volume.name)
                }
                if !ctx.dryRun { removed.append(volume.name) }
            } catch DockerError.daemon(let status, _) where status == 409 {
                continue // a container took it in the meantime
            }
        }
        return removed
    }

    /// The engine's `CreatedAt`: RFC 3339, with or without fractional seconds.
    static func parseDate(_ text: String?) -> Date? {
        guard let text else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
