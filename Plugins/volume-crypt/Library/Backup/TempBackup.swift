import Foundation
import ContainerKit

/// The backup of a temp volume, allowed only with `--allow-plaintext`: its files are read through a running
/// container that uses it (a tmpfs volume's content exists only while one does), kept in memory, and encrypted with
/// age to the user's recipients before anything reaches the disk.
struct TempBackup {
    static let install = "apt-get install age"
    /// The largest volume content held in memory on its way to age.
    static let memoryCap = 4 << 30

    let ctx: VolumeCryptContext
    let volume: String
    let options: BackupOptions

    func run() async throws -> [String: String] {
        guard options.archivePath.hasSuffix(".age") else {
            throw VolumeCryptError.invalidParameter(param: "backup-path", message: "\(options.archivePath): a temp volume's backup is an age-encrypted tar; name it .tar.age")
        }
        guard !options.recipients.isEmpty || options.recipientsFile != nil else {
            throw VolumeCryptError.invalidParameter(param: "recipient", message: "--allow-plaintext needs an age recipient to encrypt to (--recipient age1... or --recipients-file FILE); make one with age-keygen")
        }
        do { _ = try ctx.tools.resolve("age", installHint: Self.install) } catch let error as ToolError { throw Gocryptfs.translate(error) }
        let running = try await ctx.containersUsing(volume).filter { $0.state == "running" }
        guard let source = running.first else {
            throw VolumeCryptError.precondition("temp volume \(volume) holds no data: no running container uses it (a tmpfs volume's content ends with its last container)")
        }
        let inspected = try await ctx.docker.inspectContainer(source.id)
        guard let destination = inspected.mounts?.first(where: { $0.name == volume })?.destination else {
            throw VolumeCryptError.failed("container \(VolumeCryptContext.displayName(source)) lists volume \(volume) but not where it is mounted")
        }
        let writer = try ConfinedWriter(workspace: ctx.workspace, dryRun: ctx.dryRun)
        let manifestPath = BackupManifest.path(forArchive: options.archivePath)
        if ctx.dryRun {
            _ = try await WriterPause(ctx: ctx, volume: volume).around { _ in () }
            _ = try writer.write(manifestPath, Data(), mode: 0o600, directoryMode: 0o700)
            ctx.report.action(.init(kind: "file-written", target: options.archivePath, status: .planned,
                                    detail: "tar of temp volume \(volume) (read through container \(VolumeCryptContext.displayName(source)) at \(destination)), encrypted with age, mode 0600"))
            ctx.report.action(.init(kind: "file-written", target: manifestPath, status: .planned, detail: "manifest"))
            return ["volume": volume, "archive": options.archivePath]
        }

        let (content, paused) = try await WriterPause(ctx: ctx, volume: volume).around { paused in
            (try await read(source.id, path: destination), paused)
        }
        let files = try TarListing.entries(content)
        var arguments = ["--encrypt"]
        for recipient in options.recipients { arguments += ["--recipient", recipient] }
        if let file = options.recipientsFile { arguments += ["--recipients-file", file] }
        let archive = try await writer.writeProduced(options.archivePath, mode: 0o600, directoryMode: 0o700) { temporary in
            let result = try await ctx.tools.run("age", arguments + ["--output", temporary],
                                                 options: ToolRunOptions(stdin: content, installHint: Self.install))
            guard result.succeeded else {
                throw VolumeCryptError.invalidParameter(param: "recipient", message: "age could not encrypt to the recipients given: \(Gocryptfs.tail(result.stderrText))")
            }
        }
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, volume: volume, kind: .temp, encryption: "age",
            recipients: options.recipients + (options.recipientsFile.map { ["file:" + $0] } ?? []), createdAt: VolumeRecord.now(),
            archive: .init(file: (options.archivePath as NSString).lastPathComponent, sha256: archive.sha256 ?? "",
                           bytes: Int64(archive.bytes), compression: Compression.none.rawValue),
            files: files, pausedContainers: paused)
        let written = try writer.write(manifestPath, try manifest.encoded(), mode: 0o600, directoryMode: 0o700)
        ctx.report.action(.init(kind: "file-written", target: archive.path, status: .applied,
                                detail: "age-encrypted backup of temp volume \(volume): \(files.count) entries, sha256 \(archive.sha256 ?? "")",
                                artifacts: [archive.path]))
        ctx.report.action(.init(kind: "file-written", target: written.path, status: .applied, detail: "backup manifest", artifacts: [written.path]))
        return ["volume": volume, "archive": archive.path, "manifest": written.path, "sha256": archive.sha256 ?? "", "files": String(files.count)]
    }

    /// The volume's files as the engine's tar stream, in memory only.
    private func read(_ container: String, path: String) async throws -> Data {
        let buffer = LockedData(cap: Self.memoryCap)
        try await ctx.docker.copyOut(container, path: path) { chunk in try buffer.append(chunk) }
        return buffer.data
    }
}

/// Bytes appended from the engine's streaming thread, refused beyond a cap.
private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private let cap: Int
    init(cap: Int) { self.cap = cap }

    func append(_ chunk: Data) throws {
        lock.lock(); defer { lock.unlock() }
        guard bytes.count + chunk.count <= cap else {
            throw VolumeCryptError.failed("the temp volume holds more than \(cap >> 20) MiB, more than a backup keeps in memory")
        }
        bytes.append(chunk)
    }

    var data: Data { lock.lock(); defer { lock.unlock() }; return bytes }
}
