import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// What `create` is asked for.
public struct CreateOptions: Sendable {
    public var name: String
    public var kind: VolumeKind
    /// Encrypted only: the user's key file; nil generates one.
    public var keyFile: String?
    /// Temp only: tmpfs size (`64m`, `1g`, `10%`).
    public var size: String?
    /// Octal mode of the volume's top folder, e.g. "0755".
    public var mode: String?
    public var uid: Int?
    public var gid: Int?
    /// Temp only: `gc` removes the volume once no container uses it.
    public var autoDelete: Bool
    /// Extra Docker labels.
    public var labels: [String: String]

    public init(name: String, kind: VolumeKind, keyFile: String? = nil, size: String? = nil, mode: String? = nil,
                uid: Int? = nil, gid: Int? = nil, autoDelete: Bool = false, labels: [String: String] = [:]) {
        self.name = name; self.kind = kind; self.keyFile = keyFile; self.size = size; self.mode = mode
        self.uid = uid; self.gid = gid; self.autoDelete = autoDelete; self.labels = labels
    }

    public static let defaultTempSize = "64m"
    public static let defaultMode = "0755"

    /// The mode as a number, refusing anything but 3 or 4 octal digits.
    func parsedMode() throws -> mode_t {
        let text = mode ?? Self.defaultMode
        guard (3...4).contains(text.count), let value = UInt32(text, radix: 8), value <= 0o7777 else {
            throw VolumeCryptError.invalidParameter(param: "mode", message: "'\(text)' is not an octal mode such as 0755 or 1777")
        }
        return mode_t(value)
    }

    func validate() throws {
        _ = try VolumeName.validate(name)
        _ = try parsedMode()
        for (param, value) in [("uid", uid), ("gid", gid)] {
            if let value, value < 0 { throw VolumeCryptError.invalidParameter(param: param, message: "must be 0 or more, got \(value)") }
        }
        if let reserved = labels.keys.first(where: { $0.hasPrefix("contsec.volume-crypt.") }) {
            throw VolumeCryptError.invalidParameter(param: "label", message: "\(reserved) is volume-crypt's own label; choose another key")
        }
        switch kind {
        case .encrypted:
            if size != nil {
                throw VolumeCryptError.invalidParameter(param: "size", message: "applies to --temp volumes only: an encrypted volume grows on the disk it lives on")
            }
            if autoDelete {
                throw VolumeCryptError.invalidParameter(param: "auto-delete", message: "applies to --temp volumes only: an encrypted volume is removed with destroy")
            }
        case .temp:
            if keyFile != nil {
                throw VolumeCryptError.invalidParameter(param: "key", message: "a --temp volume lives in memory only and has no key; drop --key or --temp")
            }
            let text = size ?? Self.defaultTempSize
            let digits = text.prefix { $0.isASCII && $0.isNumber }
            let unit = text.dropFirst(digits.count)
            guard !digits.isEmpty, Int(digits).map({ $0 > 0 }) == true, ["", "k", "m", "g", "%"].contains(unit.lowercased()) else {
                throw VolumeCryptError.invalidParameter(param: "size", message: "'\(text)' is not a tmpfs size: use bytes or a k, m, g or % suffix, e.g. 64m")
            }
        }
    }
}

/// `create`: a new encrypted (gocryptfs) or temp (tmpfs) volume, exposed as a labelled named Docker volume.
public enum CreateVolume {
    public static func run(_ options: CreateOptions, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        try options.validate()
        if try await ctx.dockerVolume(options.name) != nil {
            throw VolumeCryptError.precondition("a Docker volume named \(options.name) already exists: choose another name, or remove it first (docker volume rm \(options.name))")
        }
        switch options.kind {
        case .temp: return try await createTemp(options, ctx)
        case .encrypted: return try await createEncrypted(options, ctx)
        }
    }

    static func labels(_ options: CreateOptions, _ ctx: VolumeCryptContext) -> [String: String] {
        var labels = options.labels
        labels[VolumeLabels.kind] = options.kind.rawValue
        labels[VolumeLabels.stateRoot] = ctx.state.path
        if options.autoDelete { labels[VolumeLabels.autoDelete] = "true" }
        return labels
    }

    // MARK: - Temp

    private static func createTemp(_ options: CreateOptions, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        var mountOptions = ["size=\(options.size ?? CreateOptions.defaultTempSize)",
                            "mode=\(String(try options.parsedMode(), radix: 8))", "nosuid", "nodev"]
        if let uid = options.uid { mountOptions.append("uid=\(uid)") }
        if let gid = options.gid { mountOptions.append("gid=\(gid)") }
        let driverOptions = ["type": "tmpfs", "device": "tmpfs", "o": mountOptions.joined(separator: ",")]
        let detail = "tmpfs (\(mountOptions.joined(separator: ",")))\(options.autoDelete ? ", removed by gc once no container uses it" : "")"
        try await ctx.step("volume-created", options.name, detail) {
            _ = try await ctx.docker.createVolume(VolumeCreateOptions(name: options.name, driver: "local", driverOpts: driverOptions,
                                                                      labels: labels(options, ctx)))
        }
        return ["volume": options.name, "kind": "temp"]
    }

    // MARK: - Encrypted

    private static func createEncrypted(_ options: CreateOptions, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        let name = options.name
        let state = ctx.state
        try ctx.gocryptfs.requireInstalled(mounting: true)
        try state.prepare(create: !ctx.dryRun)
        var probe = stat()
        if lstat(state.volumeDirectory(name), &probe) == 0 {
            throw VolumeCryptError.precondition("the state folder already holds a volume named \(name) (\(state.volumeDirectory(name))): open or destroy it, or choose another name")
        }
        let keyFile: String
        if let given = options.keyFile {
            try KeyFile.check(given)
            keyFile = given
        } else {
            keyFile = state.generatedKeyPath(name)
            if lstat(keyFile, &probe) == 0 {
                throw VolumeCryptError.precondition("a key for \(name) already exists at \(keyFile) (left by a volume that was not destroyed): move it away if it protects a backup, or delete it")
            }
        }
        let mode = try options.parsedMode()
        let undo = UndoStack()
        do {
            if options.keyFile == nil {
                try await ctx.step("key-generated", keyFile, "new 256-bit random key for volume \(name), mode 0600; keep a copy somewhere safe: backups cannot be restored without it",
                                   artifacts: [keyFile]) {
                    try state.writer(dryRun: false).writeSecret("keys/\(name).key", try KeyFile.generate())
                    undo.push("remove the generated key") { try FileTree.remove(keyFile) }
                }
            }
            try await ctx.step("volume-created", state.cipherDirectory(name), "gocryptfs cipher directory for volume \(name) (AES-256-GCM, key from \(keyFile))") {
                try state.makeDirectories(state.cipherDirectory(name))
                try state.makeDirectories(state.mountPoint(name))
                undo.push("remove the volume folder") { try FileTree.remove(state.volumeDirectory(name)) }
                try await ctx.gocryptfs.initialize(cipherDirectory: state.cipherDirectory(name), keyFile: keyFile)
            }
            try await ctx.step("volume-mounted", state.mountPoint(name), "plaintext view of \(name), visible to containers only through the Docker volume") {
                try await ctx.gocryptfs.mount(volume: name, cipherDirectory: state.cipherDirectory(name), mountPoint: state.mountPoint(name),
                                              keyFile: keyFile, logFile: state.mountLog(name))
                undo.push("unmount") { try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name)) }
                try makeDataDirectory(state.dataDirectory(name), mode: mode, uid: options.uid, gid: options.gid)
            }
            let record = VolumeRecord(name: name, kind: .encrypted, keyFile: keyFile, keyGenerated: options.keyFile == nil,
                                      createdAt: VolumeRecord.now(), uid: options.uid, gid: options.gid, mode: String(mode, radix: 8),
                                      labels: options.labels.isEmpty ? nil : options.labels)
            if !ctx.dryRun { try state.saveRecord(record) }
            try await ctx.step("volume-created", name, "Docker volume (local driver, bind of \(state.dataDirectory(name))); use it with -v \(name):/path") {
                _ = try await createDockerVolume(name, record: record, ctx)
            }
        } catch {
            await undo.unwind(ctx.report)
            throw error
        }
        if !ctx.dryRun, options.keyFile == nil {
            ctx.report.log(.info, "generated key for \(name): \(keyFile) (mode 0600); copy it somewhere safe, a backup cannot be restored without it")
        }
        return ["volume": name, "kind": "encrypted", "keyFile": keyFile, "cipherDirectory": state.cipherDirectory(name)]
    }

    /// The named Docker volume over the plaintext data folder (`docker volume create -o type=none -o o=bind -o device=…`).
    static func createDockerVolume(_ name: String, record: VolumeRecord, _ ctx: VolumeCryptContext) async throws -> Volume {
        var labels = record.labels ?? [:]
        labels[VolumeLabels.kind] = VolumeKind.encrypted.rawValue
        labels[VolumeLabels.stateRoot] = ctx.state.path
        return try await ctx.docker.createVolume(VolumeCreateOptions(
            name: name, driver: "local",
            driverOpts: ["type": "none", "o": "bind", "device": ctx.state.dataDirectory(name)], labels: labels))
    }

    private static func makeDataDirectory(_ path: String, mode: mode_t, uid: Int?, gid: Int?) throws {
        guard mkdir(path, mode) == 0 || errno == EEXIST, chmod(path, mode) == 0 else {
            throw VolumeCryptError.failed("could not create \(path) in the plaintext mount: \(String(cString: strerror(errno)))")
        }
        if uid != nil || gid != nil {
            guard chown(path, uid.map { uid_t($0) } ?? uid_t.max, gid.map { gid_t($0) } ?? gid_t.max) == 0 else {
                throw VolumeCryptError.failed("could not give \(path) to uid \(uid ?? -1) gid \(gid ?? -1): \(String(cString: strerror(errno)))")
            }
        }
    }
}
