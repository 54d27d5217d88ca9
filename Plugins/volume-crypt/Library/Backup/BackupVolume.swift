import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// What `backup` is asked for.
public struct BackupOptions: Sendable {
    public var volume: String
    /// Where the archive goes (absolute, inside the workspace); the manifest is written beside it.
    public var archivePath: String
    /// Temp volumes only: the user accepts that their plaintext is archived, encrypted with age to `recipients`.
    public var allowPlaintext: Bool
    public var recipients: [String]
    public var recipientsFile: String?

    public init(volume: String, archivePath: String, allowPlaintext: Bool = false, recipients: [String] = [],
                recipientsFile: String? = nil) {
        self.volume = volume; self.archivePath = archivePath; self.allowPlaintext = allowPlaintext
        self.recipients = recipients; self.recipientsFile = recipientsFile
    }
}

/// `backup`: an encrypted volume's cipher directory (still encrypted under the volume key: a stolen backup is
/// useless without it), or with `--allow-plaintext` a temp volume's files encrypted with age; plus a manifest.
public enum BackupVolume {
    public static func run(_ options: BackupOptions, _ ctx: VolumeCryptContext) async throws -> [String: String] {
        let name = try VolumeName.validate(options.volume)
        if try ctx.state.record(name) != nil {
            return try await encrypted(name, options, try Compression.forArchive(options.archivePath), ctx)
        }
        guard let volume = try await ctx.dockerVolume(name), volume.labels?[VolumeLabels.stateRoot] == ctx.state.path else {
            throw VolumeCryptError.precondition("no volume-crypt volume named \(name) in \(ctx.state.path): list shows what exists")
        }
        guard options.allowPlaintext else {
            throw VolumeCryptError.precondition("\(name) is a temp volume: its data lives in memory on purpose and is not backed up. "
                + "If it must be, add --allow-plaintext with --recipient AGE_PUBLIC_KEY: the archive is then encrypted with age")
        }
        return try await TempBackup(ctx: ctx, volume: name, options: options).run()
    }

    private static func encrypted(_ name: String, _ options: BackupOptions, _ compression: Compression,
                                  _ ctx: VolumeCryptContext) async throws -> [String: String] {
        if options.allowPlaintext || !options.recipients.isEmpty {
            throw VolumeCryptError.invalidParameter(param: "allow-plaintext", message: "\(name) is encrypted: its backup holds the cipher directory, encrypted under the volume key; --allow-plaintext and --recipient apply to temp volumes only")
        }
        let tar = TarTool(tools: ctx.tools)
        try tar.requireInstalled(compression)
        let writer = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun)
        let cipher = ctx.state.cipherDirectory(name)
        let manifestPath = BackupManifest.path(forArchive: options.archivePath)

        return try await WriterPause(ctx: ctx, volume: name).around { paused in
            if ctx.dryRun {
                ctx.report.action(.init(kind: "file-written", target: options.archivePath, status: .planned,
                                        detail: "\(compression.rawValue) tar of the cipher directory \(cipher) (data stays encrypted), mode 0600"))
                ctx.report.action(.init(kind: "file-written", target: manifestPath, status: .planned,
                                        detail: "manifest: SHA-256 of the archive and of every file"))
                _ = try writer.write(manifestPath, Data(), mode: 0o600, directoryMode: 0o700) // confinement check only
                return ["volume": name, "archive": options.archivePath]
            }
            sync() // what the paused containers wrote reaches the cipher files before they are read
            ctx.report.progress("hashing the cipher directory of \(name)")
            let files = try FileTree.entries(cipher)
            ctx.report.progress("archiving \(files.count) files")
            let archive = try await writer.writeProduced(options.archivePath, mode: 0o600, directoryMode: 0o700) { temporary in
                try await tar.create(archive: temporary, compression: compression, directory: ctx.state.volumeDirectory(name), members: ["cipher"])
            }
            let manifest = BackupManifest(
                format: BackupManifest.currentFormat, volume: name, kind: .encrypted, encryption: "gocryptfs", recipients: nil,
                createdAt: VolumeRecord.now(),
                archive: .init(file: (options.archivePath as NSString).lastPathComponent, sha256: archive.sha256 ?? "",
                               bytes: Int64(archive.bytes), compression: compression.rawValue),
                files: files, pausedContainers: paused)
            let written = try writer.write(manifestPath, try manifest.encoded(), mode: 0o600, directoryMode: 0o700)
            ctx.report.action(.init(kind: "file-written", target: archive.path, status: .applied,
                                    detail: "backup of \(name): \(files.count) files, \(archive.bytes) bytes, sha256 \(archive.sha256 ?? "")",
                                    artifacts: [archive.path]))
            ctx.report.action(.init(kind: "file-written", target: written.path, status: .applied, detail: "backup manifest",
                                    artifacts: [written.path]))
            return ["volume": name, "archive": archive.path, "manifest": written.path, "sha256": archive.sha256 ?? "",
                    "files": String(files.count), "bytes": String(archive.bytes)]
        }
    }
}
