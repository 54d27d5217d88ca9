import Foundation
import ContainerKit

/// `open` (mount an encrypted volume again, e.g. after a reboot) and `close` (unmount it: the data is then
/// unreadable on this host until the next `open`, and containers using the volume cannot start).
public enum OpenCloseVolume {
    /// The record of an encrypted volume of this state root, or a clear error.
    static func record(_ name: String, _ ctx: VolumeCryptContext) throws -> VolumeRecord {
        try ctx.state.prepare(create: false)
        guard let record = try ctx.state.record(name) else {
            throw VolumeCryptError.precondition("no encrypted volume named \(name) in \(ctx.state.path): create it first, or give the right --state-dir (list shows what exists)")
        }
        return record
    }

    public static func isMounted(_ name: String, _ state: StateRoot, mounts: MountTable = MountTable()) -> Bool {
        mounts.entry(at: state.mountPoint(name))?.fileSystemType == "fuse.gocryptfs"
    }

    public static func open(_ name: String, keyFile: String?, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        _ = try VolumeName.validate(name)
        let record = try record(name, ctx)
        try ctx.gocryptfs.requireInstalled(mounting: true)
        let key = keyFile ?? record.keyFile
        try KeyFile.check(key, param: keyFile == nil ? "volume" : "key")
        let state = ctx.state
        if isMounted(name, state) {
            ctx.report.action(.init(kind: "volume-mounted", target: state.mountPoint(name), status: .skipped, detail: "already mounted"))
        } else {
            try await ctx.step("volume-mounted", state.mountPoint(name), "plaintext view of \(name) (key \(key))") {
                try await ctx.gocryptfs.mount(volume: name, cipherDirectory: state.cipherDirectory(name), mountPoint: state.mountPoint(name),
                                              keyFile: key, logFile: state.mountLog(name))
            }
        }
        if try await ctx.dockerVolume(name) == nil {
            try await ctx.step("volume-created", name, "Docker volume re-created (local driver, bind of \(state.dataDirectory(name)))") {
                _ = try await CreateVolume.createDockerVolume(name, record: record, ctx)
            }
        }
        return ["volume": name, "mounted": "true"]
    }

    public static func close(_ name: String, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        _ = try VolumeName.validate(name)
        _ = try record(name, ctx)
        let state = ctx.state
        guard isMounted(name, state) else {
            ctx.report.action(.init(kind: "volume-unmounted", target: state.mountPoint(name), status: .skipped, detail: "not mounted"))
            return ["volume": name, "mounted": "false"]
        }
        try await ctx.refuseIfInUse(name, runningOnly: true, doing: "close")
        try await ctx.step("volume-unmounted", state.mountPoint(name), "plaintext view of \(name) removed; the data stays encrypted in \(state.cipherDirectory(name))") {
            try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name))
        }
        return ["volume": name, "mounted": "false"]
    }
}
