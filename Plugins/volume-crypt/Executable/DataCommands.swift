import Foundation
import ContsecPluginKit
import VolumeCrypt

/// backup, restore, list.
enum DataCommands {
    static let backup = Command(
        name: "backup", description: "Archive a volume with a SHA-256 manifest (encrypted volumes stay encrypted; writers are paused for a consistent snapshot)",
        params: [
            CommonParams.volume(),
            ParamSpec(name: "backup-path", type: .path, required: true, description: "Archive to write in the workspace: .tar.gz, .tar.zst, .tar.xz, .tar (temp volumes: .tar.age)"),
            ParamSpec(name: "allow-plaintext", type: .bool, description: "Temp volumes only: back up their plaintext, encrypted with age"),
            ParamSpec(name: "recipient", type: .list, description: "age recipient(s) for --allow-plaintext (age1...)"),
            ParamSpec(name: "recipients-file", type: .path, description: "File of age recipients for --allow-plaintext"),
            CommonParams.stateDir,
        ],
        handler: handler { ctx, vc in
            let a = ctx.arguments
            let options = BackupOptions(volume: a.string("volume") ?? "", archivePath: a.path("backup-path") ?? "",
                                        allowPlaintext: a.bool("allow-plaintext"), recipients: a.list("recipient"),
                                        recipientsFile: a.path("recipients-file"))
            return .ok(summary: summary(try await BackupVolume.run(options, vc)))
        })

    static let restore = Command(
        name: "restore", description: "Verify a backup (checksums, then the key with gocryptfs -fsck) and swap it in atomically; the live volume is untouched on any failure",
        params: [
            CommonParams.volume("Volume to restore into (replaced if it exists, created if not)"),
            ParamSpec(name: "backup-path", type: .path, required: true, description: "Archive written by backup (its .manifest.json beside it)"),
            ParamSpec(name: "key", type: .path, description: "Key the backup was made under (default: the volume's key file)"),
            ParamSpec(name: "to", type: .string, description: "Restore into this new volume instead, beside the original"),
            CommonParams.stateDir,
        ],
        handler: handler { ctx, vc in
            let a = ctx.arguments
            let options = RestoreOptions(volume: a.string("volume") ?? "", archivePath: a.path("backup-path") ?? "",
                                         keyFile: a.path("key"), newVolume: a.string("to"))
            return .ok(summary: summary(try await RestoreVolume(options, vc).run()))
        })

    static let list = Command(
        name: "list", description: "List volume-crypt volumes (kind, mounted, size, containers, key file, created, auto-delete) with findings",
        isDefault: true, params: [CommonParams.stateDir],
        handler: handler { _, vc in
            let volumes = try await VolumeInventory.list(vc)
            return .ok(summary: ["count": .int(volumes.count)], table: table(volumes))
        })

    /// One row per volume; sizes in bytes so JSON consumers can compute, the terminal shows them as they are.
    static func table(_ volumes: [VolumeStatus]) -> ResultTable {
        ResultTable(
            title: "volumes",
            columns: [.init("name", "NAME"), .init("kind", "KIND"), .init("mounted", "MOUNTED"), .init("bytesUsed", "USED (BYTES)"),
                      .init("containers", "CONTAINERS"), .init("keyFile", "KEY FILE"), .init("created", "CREATED"),
                      .init("autoDelete", "AUTO-DELETE"), .init("storage", "STORAGE")],
            rows: volumes.map { v in
                var row: [String: JSONValue] = [
                    "name": .string(v.name), "kind": .string(v.kind.rawValue), "mounted": .bool(v.mounted),
                    "containers": .string(v.containers.joined(separator: ", ")), "autoDelete": .bool(v.autoDelete),
                    "storage": .string(v.storage),
                ]
                if let bytes = v.bytesUsed { row["bytesUsed"] = .int(Int(bytes)) }
                if let key = v.keyFile { row["keyFile"] = .string(key) }
                if let created = v.createdAt { row["created"] = .string(created) }
                return row
            })
    }
}
