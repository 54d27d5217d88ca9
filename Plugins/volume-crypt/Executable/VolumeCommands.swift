import Foundation
import ContsecPluginKit
import VolumeCrypt

/// create, open, close, destroy, gc.
enum VolumeCommands {
    static let create = Command(
        name: "create", description: "Create an encrypted (gocryptfs) or temp (tmpfs) volume, exposed as a named Docker volume",
        params: [
            CommonParams.volume(),
            ParamSpec(name: "encrypted", type: .bool, description: "gocryptfs-encrypted volume on disk (the default)"),
            ParamSpec(name: "temp", type: .bool, description: "tmpfs volume: memory only, gone with its last container"),
            ParamSpec(name: "key", type: .path, description: "Key file (0600, yours, at least 32 characters); default: generate one in the state folder"),
            ParamSpec(name: "size", type: .string, description: "Temp only: tmpfs size, e.g. 64m, 1g, 10% (default \(CreateOptions.defaultTempSize))"),
            ParamSpec(name: "mode", type: .string, description: "Mode of the volume's top folder (default \(CreateOptions.defaultMode))"),
            ParamSpec(name: "uid", type: .int, description: "Owner uid of the volume's top folder"),
            ParamSpec(name: "gid", type: .int, description: "Owner gid of the volume's top folder"),
            ParamSpec(name: "auto-delete", type: .bool, description: "Temp only: gc removes it once no container uses it"),
            ParamSpec(name: "label", type: .list, description: "Extra Docker labels, KEY=VALUE"),
            CommonParams.stateDir,
        ],
        handler: handler { ctx, vc in
            let a = ctx.arguments
            if a.bool("encrypted") && a.bool("temp") {
                throw PluginError.invalidParams(param: "temp", message: "choose --encrypted or --temp, not both")
            }
            var labels: [String: String] = [:]
            for item in a.list("label") {
                guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                    throw PluginError.invalidParams(param: "label", message: "'\(item)' is not KEY=VALUE")
                }
                labels[String(item[..<equals])] = String(item[item.index(after: equals)...])
            }
            let options = CreateOptions(name: a.string("volume") ?? "", kind: a.bool("temp") ? .temp : .encrypted, keyFile: a.path("key"),
                                        size: a.string("size"), mode: a.string("mode"), uid: a.int("uid"), gid: a.int("gid"),
                                        autoDelete: a.bool("auto-delete"), labels: labels)
            return .ok(summary: summary(try await CreateVolume.run(options, vc)))
        })

    static let open = Command(
        name: "open", description: "Mount an encrypted volume again (after a reboot or close) and re-create its Docker volume if missing",
        params: [CommonParams.volume(), ParamSpec(name: "key", type: .path, description: "Key file (default: the one it was created with)"),
                 CommonParams.stateDir],
        handler: handler { ctx, vc in
            .ok(summary: summary(try await OpenCloseVolume.open(ctx.arguments.string("volume") ?? "", keyFile: ctx.arguments.path("key"), vc)))
        })

    static let close = Command(
        name: "close", description: "Unmount an encrypted volume's plaintext view (refused while running containers use it)",
        params: [CommonParams.volume(), CommonParams.stateDir],
        handler: handler { ctx, vc in
            .ok(summary: summary(try await OpenCloseVolume.close(ctx.arguments.string("volume") ?? "", vc)))
        })

    static let attach = Command(
        name: "attach", description: "Add a volume to a container: re-created with its identical configuration plus the mount (rolled back on failure)",
        params: [CommonParams.volume(),
                 ParamSpec(name: "container", type: .string, required: true, description: "Container name or id"),
                 ParamSpec(name: "mount", type: .string, required: true, description: "Absolute path the volume appears at, e.g. /app/data"),
                 ParamSpec(name: "read-only", type: .bool, description: "Mount it read-only"),
                 CommonParams.stateDir],
        handler: handler { ctx, vc in
            let a = ctx.arguments
            return .ok(summary: summary(try await AttachDetach.attach(
                .init(volume: a.string("volume") ?? "", container: a.string("container") ?? "", mountPath: a.string("mount"),
                      readOnly: a.bool("read-only")), vc)))
        })

    static let detach = Command(
        name: "detach", description: "Take a volume off a container: re-created with its identical configuration minus the mount (rolled back on failure)",
        params: [CommonParams.volume(),
                 ParamSpec(name: "container", type: .string, required: true, description: "Container name or id"),
                 CommonParams.stateDir],
        handler: handler { ctx, vc in
            let a = ctx.arguments
            return .ok(summary: summary(try await AttachDetach.detach(.init(volume: a.string("volume") ?? "", container: a.string("container") ?? ""), vc)))
        })

    static let destroy = Command(
        name: "destroy", description: "Remove a volume for good: Docker volume, mount, cipher directory and generated key (crypto-erase)",
        params: [CommonParams.volume(),
                 ParamSpec(name: "erase-key", type: .bool, description: "Also erase a key file you supplied with --key (kept by default: it may protect backups)"),
                 CommonParams.stateDir],
        handler: handler { ctx, vc in
            .ok(summary: summary(try await DestroyVolume.run(ctx.arguments.string("volume") ?? "", eraseKey: ctx.arguments.bool("erase-key"), vc)))
        })

    static let gc = Command(
        name: "gc", description: "Remove --auto-delete temp volumes that no container uses",
        params: [ParamSpec(name: "min-age", type: .int, default: .int(0), description: "Spare volumes created less than this many seconds ago"),
                 CommonParams.stateDir],
        handler: handler(collectFirst: false) { ctx, vc in
            let minimumAge = ctx.arguments.int("min-age") ?? 0
            guard minimumAge >= 0 else { throw PluginError.invalidParams(param: "min-age", message: "must be 0 or more") }
            let removed = try await GarbageCollector.collect(vc, minimumAge: TimeInterval(minimumAge))
            return .ok(summary: ["removed": .array(removed.map { .string($0) }), "count": .int(removed.count)])
        })
}
