import Foundation
import ContainerKit

/// How a backup archive is compressed, chosen from its file name as `tar --auto-compress` would.
public enum Compression: String, Sendable {
    case none, gzip, xz, zstd

    public static func forArchive(_ path: String) throws -> Compression {
        let name = (path as NSString).lastPathComponent.lowercased()
        if name.hasSuffix(".tar.gz") || name.hasSuffix(".tgz") { return .gzip }
        if name.hasSuffix(".tar.xz") || name.hasSuffix(".txz") { return .xz }
        if name.hasSuffix(".tar.zst") || name.hasSuffix(".tzst") { return .zstd }
        if name.hasSuffix(".tar") { return .none }
        throw VolumeCryptError.invalidParameter(param: "backup-path",
                                                message: "\(path): name the archive .tar.gz, .tar.zst, .tar.xz or .tar (the suffix chooses the compression)")
    }

    var tarFlag: String? {
        switch self {
        case .none: return nil
        case .gzip: return "--gzip"
        case .xz: return "--xz"
        case .zstd: return "--zstd"
        }
    }
}

/// GNU tar, run as a user would: archives keep modes, numeric owners and symlinks exactly.
struct TarTool: Sendable {
    static let install = "apt-get install tar"
    var tools: ToolRunner

    func requireInstalled(_ compression: Compression) throws {
        try resolve("tar", install: Self.install)
        switch compression {
        case .gzip: try resolve("gzip", install: "apt-get install gzip")
        case .xz: try resolve("xz", install: "apt-get install xz-utils")
        case .zstd: try resolve("zstd", install: "apt-get install zstd")
        case .none: break
        }
    }

    /// `tar --create` of `members` (relative to `directory`) into `archive`, sorted, POSIX format.
    func create(archive: String, compression: Compression, directory: String, members: [String]) async throws {
        var arguments = ["--create", "--file", archive, "--format=posix", "--numeric-owner", "--sort=name", "--directory", directory]
        if let flag = compression.tarFlag { arguments.insert(flag, at: 1) }
        try await run(arguments + ["--"] + members, what: "archive \(directory)")
    }

    /// `tar --extract` of `members` from `archive` into `directory`, keeping modes and numeric owners.
    func extract(archive: String, into directory: String, members: [String]) async throws {
        try await run(["--extract", "--file", archive, "--directory", directory, "--numeric-owner", "--same-owner",
                       "--same-permissions", "--"] + members, what: "extract \(archive)")
    }

    private func run(_ arguments: [String], what: String) async throws {
        let result: ToolResult
        do {
            result = try await tools.run("tar", arguments, options: ToolRunOptions(installHint: Self.install))
        } catch let error as ToolError {
            throw Gocryptfs.translate(error)
        }
        guard result.succeeded else {
            let message = Gocryptfs.tail(result.stderrText)
            if message.contains("No space left on device") {
                throw VolumeCryptError.failed("disk full: tar could not \(what): \(message)")
            }
            throw TarFailure(message: "tar could not \(what) (\(result.termination)): \(message)")
        }
    }

    private func resolve(_ tool: String, install: String) throws {
        do { _ = try tools.resolve(tool, installHint: install) } catch let error as ToolError { throw Gocryptfs.translate(error) }
    }
}

/// tar failed for a reason other than a full disk (for extraction: a damaged archive).
struct TarFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
