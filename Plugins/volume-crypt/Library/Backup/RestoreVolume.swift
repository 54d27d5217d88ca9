import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// What `restore` is asked for.
public struct RestoreOptions: Sendable {
    /// The volume the backup is restored into (replaced when it exists, created when it does not).
    public var volume: String
    public var archivePath: String
    /// The key the backup was made under; default: the volume's own key file.
    public var keyFile: String?
    /// Restore beside the original, into this new volume, leaving the original alone.
    public var newVolume: String?

    public init(volume: String, archivePath: String, keyFile: String? = nil, newVolume: String? = nil) {
        self.volume = volume; self.archivePath = archivePath; self.keyFile = keyFile; self.newVolume = newVolume
    }
}

/// `restore`: every check first — the archive's SHA-256 against its manifest, every extracted file against the
/// manifest, and the key against the restored copy (`gocryptfs -fsck`) — all on a copy in the state root's staging
/// folder. Only then is the live volume touched: unmounted, its cipher directory swapped with the verified one in one
/// atomic exchange, and mounted again. Any failure before the swap leaves the live volume exactly as it was; a
/// failure after it swaps back.
public struct RestoreVolume {
    let ctx: VolumeCryptContext
    let options: RestoreOptions

    public init(_ options: RestoreOptions, _ ctx: VolumeCryptContext) {
        self.options = options
        self.ctx = ctx
    }

    public func run() async throws -> [String: String] {
        let source = try VolumeName.validate(options.volume)
        let target = try options.newVolume.map { try VolumeName.validate($0, param: "to") } ?? source
        let state = ctx.state
        let manifest = try BackupManifest.load(forArchive: options.archivePath)
        guard manifest.encryption == "gocryptfs" else {
            throw VolumeCryptError.precondition("\(options.archivePath) is an age-encrypted backup of temp volume \(manifest.volume): restore it by hand into a container using the volume: age -d -i IDENTITY \(options.archivePath) | docker cp - CONTAINER:/parent/of/mount")
        }
        try state.prepare(create: !ctx.dryRun)
        let sourceRecord = try state.record(source)
        let targetRecord = target == source ? sourceRecord : try state.record(target)
        if target != source {
            guard targetRecord == nil, try await ctx.dockerVolume(target) == nil else {
                throw VolumeCryptError.invalidParameter(param: "to", message: "volume \(target) already exists: --to restores into a new volume; choose an unused name")
            }
        } else if targetRecord == nil, try await ctx.dockerVolume(target) != nil {
            throw VolumeCryptError.precondition("a Docker volume named \(target) exists but is not a volume-crypt volume of \(state.path): restore with --to NEW_NAME, or remove it")
        }
        guard let keyFile = options.keyFile ?? sourceRecord?.keyFile else {
            throw VolumeCryptError.invalidParameter(param: "key", message: "volume \(source) does not exist here, so give the key its backup was made under (--key FILE)")
        }
        try KeyFile.check(keyFile, param: options.keyFile == nil ? "volume" : "key")
        try ctx.gocryptfs.requireInstalled(mounting: true)
        let compression = try Compression.forArchive(options.archivePath)
        let tar = TarTool(tools: ctx.tools)
        try tar.requireInstalled(compression)
        if targetRecord != nil { try await ctx.refuseIfInUse(target, runningOnly: true, doing: "restore into") }

        ctx.report.progress("verifying \(options.archivePath) against its manifest")
        try verifyArchive(manifest)
        if ctx.dryRun {
            ctx.report.action(.init(kind: "volume-restored", target: target, status: .planned,
                                    detail: "archive checksum verified; would extract, verify every file and the key (gocryptfs -fsck), then swap it in"))
            return ["volume": target, "archive": options.archivePath, "verified": "archive"]
        }
        try checkFreeSpace(manifest)

        try state.makeDirectories(state.stagingDirectory)
        let staging = state.stagingDirectory + "/\(target)-\(UInt32.random(in: 0...UInt32.max))"
        try state.makeDirectories(staging)
        defer { try? FileTree.remove(staging) }
        let restored = staging + "/cipher"
        ctx.report.progress("extracting into \(staging)")
        do {
            try await tar.extract(archive: options.archivePath, into: staging, members: ["cipher"])
        } catch let failure as TarFailure {
            throw VolumeCryptError.precondition("corrupt archive \(options.archivePath): \(failure.message); the live volume was not touched")
        } catch VolumeCryptError.failed(let message) {
            throw VolumeCryptError.failed("\(message); the live volume was not touched")
        }
        ctx.report.progress("verifying every file against the manifest")
        try verifyTree(restored, manifest)
        ctx.report.progress("checking the key opens the restored copy (gocryptfs -fsck)")
        switch try await ctx.gocryptfs.fsck(cipherDirectory: restored, keyFile: keyFile) {
        case .clean: break
        case .wrongKey:
            throw VolumeCryptError.precondition("wrong key: \(keyFile) does not open the backup \(options.archivePath) (a backup of \(manifest.volume)); give the key it was made under with --key; the live volume was not touched")
        case .corrupt(let detail):
            throw VolumeCryptError.precondition("corrupt archive \(options.archivePath): gocryptfs -fsck found damaged files (\(detail)); the live volume was not touched")
        }

        if targetRecord != nil {
            try await swapIn(target, restored: restored, keyFile: keyFile, record: targetRecord!)
        } else {
            try await createFrom(target, restored: restored, keyFile: keyFile, labels: sourceRecord?.labels)
        }
        return ["volume": target, "archive": options.archivePath, "files": String(manifest.files.count), "verified": "archive,files,key"]
    }

    // MARK: - Checks (read only)

    private func verifyArchive(_ manifest: BackupManifest) throws {
        var info = stat()
        guard stat(options.archivePath, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw VolumeCryptError.invalidParameter(param: "backup-path", message: "\(options.archivePath) is not a regular file")
        }
        let digest = try FileDigest.sha256(path: options.archivePath)
        guard digest == manifest.archive.sha256, Int64(info.st_size) == manifest.archive.bytes else {
            let size = Int64(info.st_size) == manifest.archive.bytes ? "" : " and is \(info.st_size) bytes long where the manifest says \(manifest.archive.bytes) (truncated?)"
            throw VolumeCryptError.precondition("corrupt archive \(options.archivePath): its SHA-256 is \(digest), the manifest says \(manifest.archive.sha256)\(size); the live volume was not touched")
        }
    }

    private func checkFreeSpace(_ manifest: BackupManifest) throws {
        var fs = statvfs()
        guard statvfs(ctx.state.path, &fs) == 0 else { return }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let needed = manifest.totalBytes + manifest.totalBytes / 20 + (16 << 20)
        guard free >= needed else {
            throw VolumeCryptError.precondition("disk full: restoring needs about \(needed >> 20) MiB in \(ctx.state.path) and \(free >> 20) MiB are free; free some space; the live volume was not touched")
        }
    }

    /// The extracted tree must be exactly the manifest's: same entries, kinds, modes, owners, sizes, hashes, links.
    private func verifyTree(_ root: String, _ manifest: BackupManifest) throws {
        let found = try FileTree.entries(root)
        func corrupt(_ what: String) -> VolumeCryptError {
            .precondition("corrupt archive \(options.archivePath): \(what); the live volume was not touched")
        }
        let expected = Dictionary(manifest.files.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        let actual = Dictionary(found.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        if let missing = expected.keys.sorted().first(where: { actual[$0] == nil }) {
            throw corrupt("cipher/\(missing) is in the manifest but not in the archive")
        }
        if let extra = actual.keys.sorted().first(where: { expected[$0] == nil }) {
            throw corrupt("cipher/\(extra) is in the archive but not in the manifest")
        }
        for (path, want) in expected.sorted(by: { $0.key < $1.key }) {
            let got = actual[path]!
            guard got == want else {
                let field = got.kind != want.kind ? "kind" : got.sha256 != want.sha256 ? "SHA-256"
                    : got.size != want.size ? "size" : got.mode != want.mode ? "mode" : got.target != want.target ? "link target" : "owner"
                throw corrupt("cipher/\(path): \(field) differs from the manifest")
            }
        }
    }

    // MARK: - Changes (after every check passed)

    /// Replaces an existing volume's cipher directory with the verified one in one atomic exchange.
    private func swapIn(_ name: String, restored: String, keyFile: String, record: VolumeRecord) async throws {
        let state = ctx.state
        let wasMounted = OpenCloseVolume.isMounted(name, state)
        try await ctx.refuseIfInUse(name, runningOnly: true, doing: "restore into") // again: time has passed
        if wasMounted {
            try await ctx.step("volume-unmounted", state.mountPoint(name), "before the swap") {
                try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name))
            }
        }
        try DirectorySwap.exchange(restored, state.cipherDirectory(name))
        do {
            try await ctx.step("volume-mounted", state.mountPoint(name), "restored data of \(name)") {
                try await ctx.gocryptfs.mount(volume: name, cipherDirectory: state.cipherDirectory(name), mountPoint: state.mountPoint(name),
                                              keyFile: keyFile, logFile: state.mountLog(name))
            }
        } catch {
            try? DirectorySwap.exchange(restored, state.cipherDirectory(name))
            if wasMounted {
                try? await ctx.gocryptfs.mount(volume: name, cipherDirectory: state.cipherDirectory(name), mountPoint: state.mountPoint(name),
                                               keyFile: record.keyFile, logFile: state.mountLog(name))
            }
            throw VolumeCryptError.failed("the restored copy of \(name) could not be mounted (\(error)); the previous data was put back")
        }
        if !wasMounted {
            try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name)) // as the user left it
        }
        if keyFile != record.keyFile {
            var updated = record
            updated.keyFile = keyFile
            updated.keyGenerated = false
            try state.saveRecord(updated)
        }
        if try await ctx.dockerVolume(name) == nil { _ = try await CreateVolume.createDockerVolume(name, record: record, ctx) }
        ctx.report.action(.init(kind: "volume-restored", target: name, status: .applied,
                                detail: "from \(options.archivePath): cipher directory swapped atomically after every check passed"))
    }

    /// A new volume from the verified copy (`--to`, or a volume that does not exist on this host).
    private func createFrom(_ name: String, restored: String, keyFile: String, labels: [String: String]?) async throws {
        let state = ctx.state
        let undo = UndoStack()
        do {
            try state.makeDirectories(state.mountPoint(name))
            undo.push("remove the volume folder") { try FileTree.remove(state.volumeDirectory(name)) }
            guard rename(restored, state.cipherDirectory(name)) == 0 else {
                throw VolumeCryptError.failed("could not move the restored copy into \(state.cipherDirectory(name)): \(String(cString: strerror(errno)))")
            }
            let record = VolumeRecord(name: name, kind: .encrypted, keyFile: keyFile, keyGenerated: false, createdAt: VolumeRecord.now(),
                                      labels: labels)
            try state.saveRecord(record)
            try await ctx.step("volume-mounted", state.mountPoint(name), "restored data of \(name)") {
                try await ctx.gocryptfs.mount(volume: name, cipherDirectory: state.cipherDirectory(name), mountPoint: state.mountPoint(name),
                                              keyFile: keyFile, logFile: state.mountLog(name))
                undo.push("unmount") { try await ctx.gocryptfs.unmount(mountPoint: state.mountPoint(name)) }
            }
            try await ctx.step("volume-created", name, "Docker volume (local driver, bind of \(state.dataDirectory(name)))") {
                _ = try await CreateVolume.createDockerVolume(name, record: record, ctx)
            }
        } catch {
            await undo.unwind(ctx.report)
            throw error
        }
        ctx.report.action(.init(kind: "volume-restored", target: name, status: .applied,
                                detail: "from \(options.archivePath) into a new volume, after every check passed"))
    }
}
