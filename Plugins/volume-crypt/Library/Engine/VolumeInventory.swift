import Foundation
import ContainerKit
import ContsecProtocol
#if canImport(Glibc)
import Glibc
#endif

/// One volume as `list` shows it.
public struct VolumeStatus: Sendable, Equatable {
    public var name: String
    public var kind: VolumeKind
    /// Encrypted: the plaintext mount is there. Temp: its tmpfs is mounted (a container uses it).
    public var mounted: Bool
    /// Bytes used: the cipher directory on disk, or the tmpfs while mounted.
    public var bytesUsed: Int64?
    /// "name (state)" of each container using it.
    public var containers: [String]
    public var keyFile: String?
    public var createdAt: String?
    public var autoDelete: Bool
    /// What holds the data: "gocryptfs", "tmpfs", or what a temp volume wrongly sits on.
    public var storage: String
}

/// `list`: every volume of the state root, from the Docker volumes labelled with it and the records in it, with
/// findings for what is wrong.
public enum VolumeInventory {
    public static func list(_ ctx: VolumeCryptContext) async throws -> [VolumeStatus] {
        try ctx.state.prepare(create: false)
        let dockerVolumes = try await ctx.docker.listVolumes(filters: VolumeLabels.filter(stateRoot: ctx.state.path))
        let byName = Dictionary(dockerVolumes.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(byName.keys).union(ctx.state.recordedNames()).sorted()
        let mounts = MountTable()
        var statuses: [VolumeStatus] = []
        for name in names {
            let users = try await ctx.containersUsing(name).map { "\(VolumeCryptContext.displayName($0)) (\($0.state ?? "unknown"))" }
            if let record = try? ctx.state.record(name) {
                let status = VolumeStatus(
                    name: name, kind: .encrypted, mounted: OpenCloseVolume.isMounted(name, ctx.state, mounts: mounts),
                    bytesUsed: FileTree.diskUsage(ctx.state.cipherDirectory(name)), containers: users, keyFile: record.keyFile,
                    createdAt: record.createdAt, autoDelete: false, storage: "gocryptfs")
                statuses.append(status)
                for finding in encryptedFindings(status, record: record, docker: byName[name], ctx.state) { ctx.report.finding(finding) }
            } else if let volume = byName[name] {
                let kind = VolumeKind(rawValue: volume.labels?[VolumeLabels.kind] ?? "") ?? .temp
                let mount = volume.mountpoint.flatMap { mounts.entry(at: $0) }
                let status = VolumeStatus(
                    name: name, kind: kind, mounted: mount != nil, bytesUsed: mount.map { usedBytes($0.mountPoint) } ?? 0,
                    containers: users, keyFile: nil, createdAt: volume.createdAt,
                    autoDelete: volume.labels?[VolumeLabels.autoDelete] == "true",
                    storage: mount?.fileSystemType ?? volume.options?["type"] ?? "disk")
                statuses.append(status)
                for finding in tempFindings(status, volume: volume) { ctx.report.finding(finding) }
            }
        }
        return statuses
    }

    private static func usedBytes(_ path: String) -> Int64 {
        var fs = statvfs()
        guard statvfs(path, &fs) == 0 else { return 0 }
        return Int64(fs.f_blocks - fs.f_bfree) * Int64(fs.f_frsize)
    }

    // MARK: - Findings

    static func encryptedFindings(_ status: VolumeStatus, record: VolumeRecord, docker: Volume?, _ state: StateRoot) -> [Finding] {
        var findings: [Finding] = []
        let target = Target(kind: "volume", name: status.name)
        var info = stat()
        if lstat(record.keyFile, &info) != 0 {
            findings.append(Finding(
                ruleId: "VC-002", title: "Key file of an encrypted volume is missing", severity: .high, category: .storage, target: target,
                message: "\(record.keyFile) does not exist: once unmounted (or after a reboot) volume \(status.name) cannot be opened, and its backups cannot be restored.",
                remediation: "Put the key back at \(record.keyFile) from your safe copy; while the volume is still mounted, back up its data with a new key."))
        } else if info.st_mode & 0o077 != 0 || (info.st_mode & S_IFMT) != S_IFREG {
            findings.append(Finding(
                ruleId: "VC-001", title: "Key file readable or writable by others", severity: .high, category: .secret, target: target,
                message: String(format: "%@ (the key of volume %@) is mode %04o%@.", record.keyFile, status.name, info.st_mode & 0o7777,
                                (info.st_mode & S_IFMT) == S_IFLNK ? " and a symbolic link" : ""),
                remediation: "chmod 600 \(record.keyFile); treat the key as exposed: back up the volume and restore it under a new key if others could read it."))
        }
        if !status.mounted {
            findings.append(Finding(
                ruleId: "VC-003", title: "Encrypted volume is not mounted", severity: .medium, category: .storage, target: target,
                message: "The plaintext mount of \(status.name) is missing (not mounted again after a reboot, or closed): containers using the volume cannot start.",
                remediation: "contsec run volume-crypt open --volume \(status.name)"))
        }
        if docker == nil {
            findings.append(Finding(
                ruleId: "VC-005", title: "Docker volume of an encrypted volume is missing", severity: .low, category: .storage, target: target,
                message: "The state folder holds volume \(status.name) but the engine has no volume of that name, so -v \(status.name):/path would create an unencrypted one.",
                remediation: "contsec run volume-crypt open --volume \(status.name) re-creates it"))
        } else if let device = docker?.options?["device"], device != state.dataDirectory(status.name) {
            findings.append(Finding(
                ruleId: "VC-006", title: "Docker volume does not point into the encrypted mount", severity: .high, category: .storage, target: target,
                message: "Docker volume \(status.name) binds \(device), not \(state.dataDirectory(status.name)): data written through it may not be encrypted.",
                remediation: "Remove the Docker volume (docker volume rm \(status.name)) and run contsec run volume-crypt open --volume \(status.name)"))
        }
        return findings
    }

    static func tempFindings(_ status: VolumeStatus, volume: Volume) -> [Finding] {
        guard status.kind == .temp else { return [] }
        let onDisk = volume.options?["type"] != "tmpfs" || (status.mounted && status.storage != "tmpfs")
        guard onDisk else { return [] }
        return [Finding(
            ruleId: "VC-004", title: "Temp volume on disk-backed storage", severity: .high, category: .storage,
            target: Target(kind: "volume", name: status.name),
            message: "\(status.name) is labelled a volume-crypt temp volume but its storage is \(status.storage): its data reaches the disk and outlives its containers.",
            remediation: "Re-create it as tmpfs: contsec run volume-crypt destroy --volume \(status.name), then create --volume \(status.name) --temp")]
    }
}
