import Foundation
import Testing
import ContsecProtocol
@testable import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

// Serialized: one test changes the process umask.
@Suite("Workspace-confined writer", .serialized)
struct ConfinedWriterTests {
    /// A fresh workspace and a sibling "outside" directory, both removed afterwards.
    final class Sandbox {
        let base: String
        let workspace: String
        let outside: String
        init() throws {
            base = NSTemporaryDirectory() + "contsec-test-writer-\(UUID().uuidString.prefix(8))"
            workspace = base + "/ws"
            outside = base + "/outside"
            try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        }
        deinit { try? FileManager.default.removeItem(atPath: base) }
    }

    static func mode(_ path: String) -> UInt32 {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt32(info.st_mode) & 0o7777 : 0
    }

    @Test("refuses ../ traversal and absolute paths outside the workspace")
    func refusesEscapes() throws {
        let box = try Sandbox()
        let writer = try ConfinedWriter(workspace: box.workspace)
        #expect(throws: ConfinementError.escapesWorkspace(path: "../x", reason: "it contains '..'")) {
            try writer.write("../x", Data("no".utf8))
        }
        #expect(throws: ConfinementError.self) { try writer.write("a/../../x", Data("no".utf8)) }
        #expect(throws: ConfinementError.self) { try writer.write(box.outside + "/x", Data("no".utf8)) }
        #expect(throws: ConfinementError.self) { try writer.write("/etc/contsec-test-should-not-exist", Data("no".utf8)) }
        #expect(throws: ConfinementError.self) { try writer.write(box.workspace, Data("no".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: box.base + "/x"))
        #expect(!FileManager.default.fileExists(atPath: box.outside + "/x"))
        #expect(!FileManager.default.fileExists(atPath: "/etc/contsec-test-should-not-exist"))
        // An absolute path inside the workspace is fine.
        let inside = try writer.write(box.workspace + "/ok.txt", Data("ok".utf8))
        #expect(inside.relativePath == "ok.txt")
        do {
            try writer.write("../x", Data())
        } catch let error as ConfinementError {
            #expect(error.description.contains("outside the workspace"))
        }
    }

    @Test("refuses a symlinked directory pointing outside, and a final component that is a symlink")
    func refusesSymlinks() throws {
        let box = try Sandbox()
        let writer = try ConfinedWriter(workspace: box.workspace)
        try FileManager.default.createSymbolicLink(atPath: box.workspace + "/escape", withDestinationPath: box.outside)
        #expect(throws: ConfinementError.self) { try writer.write("escape/key.pem", Data("secret".utf8)) }
        #expect(throws: ConfinementError.self) { try writer.write("escape/deeper/key.pem", Data("secret".utf8)) }
        #expect(!FileManager.default.fileExists(atPath: box.outside + "/key.pem"))
        #expect(!FileManager.default.fileExists(atPath: box.outside + "/deeper"))

        let victim = box.outside + "/victim"
        try Data("original".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: box.workspace + "/link.txt", withDestinationPath: victim)
        #expect(throws: ConfinementError.symlinkTarget(path: box.workspace + "/link.txt")) {
            try writer.write("link.txt", Data("overwritten".utf8))
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "original")

        // A symlink that stays inside the workspace is followed.
        try FileManager.default.createDirectory(atPath: box.workspace + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: box.workspace + "/alias", withDestinationPath: box.workspace + "/real")
        let written = try writer.write("alias/f.txt", Data("in".utf8))
        #expect(written.path.hasSuffix("/ws/real/f.txt"))
        #expect(try String(contentsOfFile: box.workspace + "/real/f.txt", encoding: .utf8) == "in")
    }

    @Test("secrets are 0600 in a 0700 directory whatever the umask, written atomically")
    func secretModesAndAtomicity() throws {
        let box = try Sandbox()
        final class Seen: @unchecked Sendable { var files: [WrittenFile] = [] }
        let seen = Seen()
        let writer = try ConfinedWriter(workspace: box.workspace) { seen.files.append($0) }
        let previous = umask(0o000) // a permissive umask must not leak into the modes
        defer { umask(previous) }
        let key = Data("-----BEGIN PRIVATE KEY-----\n".utf8)
        let record = try writer.writeSecret("keys/tls/server.key", key)
        #expect(Self.mode(box.workspace + "/keys/tls/server.key") == 0o600)
        #expect(Self.mode(box.workspace + "/keys") == 0o700)
        #expect(Self.mode(box.workspace + "/keys/tls") == 0o700)
        #expect(record.bytes == key.count)
        #expect(record.mode == 0o600)
        #expect(record.sha256 == SHA256.hex(key))
        #expect(!record.dryRun)
        #expect(seen.files == [record])

        umask(0o077) // a strict umask must not narrow an explicit 0644 either
        let publicFile = try writer.write("certs/server.crt", Data("cert".utf8), mode: 0o644)
        #expect(Self.mode(publicFile.path) == 0o644)
        #expect(Self.mode(box.workspace + "/certs") == 0o755)

        // Overwrite replaces the file by rename (new inode) and leaves no temporary file behind.
        var before = stat()
        lstat(record.path, &before)
        try writer.writeSecret("keys/tls/server.key", Data("new".utf8))
        var after = stat()
        lstat(record.path, &after)
        #expect(before.st_ino != after.st_ino)
        #expect(try String(contentsOfFile: record.path, encoding: .utf8) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.workspace + "/keys/tls") == ["server.key"])
    }

    @Test("dry run writes nothing and reports what it would write")
    func dryRun() throws {
        let box = try Sandbox()
        final class Seen: @unchecked Sendable { var files: [WrittenFile] = [] }
        let seen = Seen()
        let writer = try ConfinedWriter(workspace: box.workspace, dryRun: true) { seen.files.append($0) }
        let record = try writer.writeSecret("new/dir/secret.key", Data("abc".utf8))
        #expect(record.dryRun)
        #expect(record.path == box.workspace + "/new/dir/secret.key" || record.path.hasSuffix("/ws/new/dir/secret.key"))
        #expect(record.mode == 0o600)
        #expect(record.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(seen.files == [record])
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.workspace).isEmpty)
        // Dry run still refuses what a real run would refuse.
        #expect(throws: ConfinementError.self) { try writer.write("../x", Data()) }
    }

    @Test("writeProduced: a tool fills a 0600 temporary file that lands atomically with the mode, size and digest asked for")
    func writeProduced() async throws {
        let box = try Sandbox()
        let writer = try ConfinedWriter(workspace: box.workspace)
        let content = Data((0..<300_000).map { UInt8($0 % 251) })
        var seenMode: UInt32 = 0
        let record = try await writer.writeProduced("out/archive.bin", mode: 0o640, directoryMode: 0o700) { temporary in
            seenMode = Self.mode(temporary)
            #expect(temporary.hasPrefix(box.workspace + "/out/"))
            try content.write(to: URL(fileURLWithPath: temporary))
        }
        #expect(seenMode == 0o600)
        #expect(record.bytes == content.count)
        #expect(record.sha256 == SHA256.hex(content))
        #expect(Self.mode(box.workspace + "/out/archive.bin") == 0o640)
        #expect(Self.mode(box.workspace + "/out") == 0o700)
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.workspace + "/out/archive.bin")) == content)
        #expect(try FileDigest.sha256(path: box.workspace + "/out/archive.bin") == SHA256.hex(content))
    }

    @Test("writeProduced: a failing producer leaves neither the file nor its temporary; paths outside are refused")
    func writeProducedFailure() async throws {
        let box = try Sandbox()
        let writer = try ConfinedWriter(workspace: box.workspace)
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            try await writer.writeProduced("a.bin") { temporary in
                try Data("half".utf8).write(to: URL(fileURLWithPath: temporary))
                throw Boom()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: box.workspace).isEmpty)
        await #expect(throws: ConfinementError.self) {
            try await writer.writeProduced(box.outside + "/x.bin") { _ in Issue.record("producer ran for a path outside") }
        }
    }
}
