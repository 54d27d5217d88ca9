import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// `destroy`: unmount, remove the Docker volume, then crypto-erase — overwrite the gocryptfs config (the only copy
/// of the wrapped master key on this host) and a generated key with random bytes before deleting them, and remove
/// the cipher directory. Refused while any container, running or stopped, uses the volume.
public enum DestroyVolume {
    public static func run(_ name: String, eraseKey: Bool, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        _ = try VolumeName.validate(name)
        try ctx.state.prepare(create: false)
        let record = try ctx.state.record(name)
        let docker = try await ctx.dockerVolume(name)
        if let docker, docker.labels?[VolumeLabels.stateRoot] != ctx.state.path {
            throw VolumeCryptError.precondition("the Docker volume \(name) is not a volume-crypt volume of \(ctx.state.path); destroy removes only its own volumes (docker volume rm \(name) removes others)")
        }
        guard record != nil || docker != nil else {
            throw VolumeCryptError.precondition("no volume-crypt volume named \(name) in \(ctx.state.path): list shows what exists")
        }
        try await ctx.refuseIfInUse(name, runningOnly: false, doing: "destroy")
        if docker != nil {
            try await ctx.step("volume-removed", name, "Docker volume removed") { try await ctx.docker.removeVolume(name) }
        }
        guard let record else { return ["volume": name, "kind": "temp"] }

        let state = ctx.state
        if OpenCloseVolume.isMounted(name, state) {
            try await ctx.step("volume-unmounted", state.mountPoint(name), "plaintext view removed") {
                try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name))
            }
        }
        let config = state.cipherDirectory(name) + "/gocryptfs.conf"
        try await ctx.step("key-erased", config, "gocryptfs config (the wrapped master key) overwritten and deleted: the cipher files can no longer be decrypted") {
            try overwrite(config)
        }
        try await ctx.step("volume-removed", state.volumeDirectory(name), "cipher directory, mount point and record removed") {
            try FileTree.remove(state.volumeDirectory(name))
        }
        if record.keyGenerated || eraseKey {
            try await ctx.step("key-erased", record.keyFile, "key file overwritten and deleted") { try overwrite(record.keyFile) }
        } else {
            ctx.report.action(.init(kind: "key-erased", target: record.keyFile, status: .skipped,
                                    detail: "your own key file is kept: it may protect backups or other volumes; --erase-key deletes it, or shred -u it yourself"))
        }
        return ["volume": name, "kind": "encrypted", "erased": "true"]
    }

    /// Overwrites a file in place with random bytes, syncs, and unlinks it. On SSDs and copy-on-write file systems
    /// the old blocks may survive the overwrite; the README says so.
    static func overwrite(_ path: String) throws {
        _ = chmod(path, 0o600) // gocryptfs.conf is read-only (0400)
        let fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw VolumeCryptError.failed("could not open \(path) to erase it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw VolumeCryptError.failed("\(path) is not a regular file; not erased")
        }
        var noise = [UInt8](repeating: 0, count: max(Int(info.st_size), 1))
        for i in noise.indices { noise[i] = UInt8.random(in: 0...255) }
        guard noise.withUnsafeBytes({ pwrite(fd, $0.baseAddress, $0.count, 0) }) == noise.count, fsync(fd) == 0 else {
            throw VolumeCryptError.failed("could not overwrite \(path): \(String(cString: strerror(errno)))")
        }
        guard unlink(path) == 0 else { throw VolumeCryptError.failed("could not delete \(path): \(String(cString: strerror(errno)))") }
    }
}
