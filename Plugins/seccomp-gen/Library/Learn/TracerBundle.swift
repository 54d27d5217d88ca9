import Foundation
import ContainerKit

/// The host's `strace`, packed so it runs inside any container: the binary, the dynamic loader and the shared
/// libraries `ldd` names, copied into one folder that is bind-mounted read-only at ``containerPath``. The
/// loader is started directly (`ld.so --library-path ... strace`), so the image needs no C library of its own:
/// a static busybox image, a distroless one and a Debian one are traced alike.
public struct TracerBundle: Sendable {
    public static let installHint = "apt-get install strace"
    /// Where the bundle is mounted in the learning container.
    public static let containerPath = "/.contsec-tracer"
    /// Where strace writes its summaries in the container (a writable bind mount).
    public static let outputPath = "/.contsec-trace"

    /// The host folder holding the bundle.
    public let directory: String
    /// strace's path on the host.
    public let strace: String

    /// The command prefix that runs strace in the container.
    public var commandPrefix: [String] {
        ["\(Self.containerPath)/ld.so", "--library-path", "\(Self.containerPath)/lib", "\(Self.containerPath)/strace"]
    }

    /// Copies strace, its loader and libraries into `directory` (which must exist and be empty).
    /// - Throws: `PluginError`-ready `LearnError.toolMissing` when strace is not installed.
    public static func prepare(in directory: String, runner: ToolRunner = ToolRunner()) async throws -> TracerBundle {
        let strace: String
        do { strace = try runner.resolve("strace", installHint: installHint) } catch {
            throw LearnError.toolMissing(tool: "strace", install: installHint)
        }
        let ldd = try await runner.run("ldd", [strace], options: ToolRunOptions(timeout: 30, installHint: "apt-get install libc-bin"))
        guard ldd.succeeded else {
            throw LearnError.failed("cannot list strace's libraries (ldd \(strace)): \(ldd.stderrText.prefix(300))")
        }
        let (loader, libraries) = try parseLdd(ldd.stdoutText)
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory + "/lib", withIntermediateDirectories: true,
                               attributes: [.posixPermissions: 0o755])
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory)
        try copy(strace, to: directory + "/strace", mode: 0o755)
        try copy(loader, to: directory + "/ld.so", mode: 0o755)
        for library in libraries {
            try copy(library, to: directory + "/lib/" + (library as NSString).lastPathComponent, mode: 0o644)
        }
        return TracerBundle(directory: directory, strace: strace)
    }

    /// `ldd` output → the loader and the libraries. Lines look like
    /// `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)` and `/lib64/ld-linux-x86-64.so.2 (0x...)`.
    static func parseLdd(_ text: String) throws -> (loader: String, libraries: [String]) {
        var loader: String?, libraries: [String] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let arrow = trimmed.range(of: " => ") {
                let path = trimmed[arrow.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                if path.hasPrefix("/") { libraries.append(path) }
            } else if trimmed.hasPrefix("/") {
                loader = trimmed.split(separator: " ").first.map(String.init)
            }
        }
        guard let loader else {
            throw LearnError.failed("strace is not a dynamically linked program ldd understands; cannot pack it for the container")
        }
        return (loader, libraries)
    }

    static func copy(_ source: String, to destination: String, mode: Int) throws {
        let real = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        try FileManager.default.copyItem(atPath: real, toPath: destination)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: destination)
    }
}

/// Why learning failed.
public enum LearnError: Error, Sendable, CustomStringConvertible {
    case toolMissing(tool: String, install: String)
    /// Something the user gave cannot work (no such image, no command...).
    case invalidInput(param: String, message: String)
    case failed(String)

    public var description: String {
        switch self {
        case .toolMissing(let tool, let install): return "\(tool) is not installed: \(install)"
        case .invalidInput(let param, let message): return "--\(param): \(message)"
        case .failed(let message): return message
        }
    }
}
