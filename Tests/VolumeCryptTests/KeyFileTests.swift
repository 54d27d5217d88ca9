import Foundation
import Testing
@testable import VolumeCrypt
#if canImport(Glibc)
import Glibc
#endif

@Suite("Key files")
struct KeyFileTests {
    final class Folder {
        let path = NSTemporaryDirectory() + "contsec-test-volumecrypt-keys-\(UUID().uuidString.prefix(8))"
        init() throws { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(atPath: path) }

        func file(_ name: String, _ content: String, mode: mode_t = 0o600) throws -> String {
            let file = path + "/" + name
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
            chmod(file, mode)
            return file
        }
    }

    static let goodKey = String(repeating: "Zk9", count: 11) + "\n" // 33 characters and a newline

    static func refusal(_ path: String) -> String {
        do {
            try KeyFile.check(path)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test("a 0600 regular file of yours with one line of at least 32 characters is accepted, with or without a newline")
    func accepts() throws {
        let folder = try Folder()
        #expect(Self.refusal(try folder.file("a.key", Self.goodKey)) == "accepted")
        #expect(Self.refusal(try folder.file("b.key", String(Self.goodKey.dropLast()), mode: 0o400)) == "accepted")
    }

    @Test("refusals say why: 0644, 0660, symlink, directory, too short, several lines, missing")
    func refusals() throws {
        let folder = try Folder()
        let open = try folder.file("open.key", Self.goodKey, mode: 0o644)
        #expect(Self.refusal(open) == "--key: key file \(open) is mode 0644: others can read or change it; chmod 600 \(open) (and consider the key exposed)")
        let group = try folder.file("group.key", Self.goodKey, mode: 0o660)
        #expect(Self.refusal(group).contains("is mode 0660"))

        let target = try folder.file("target.key", Self.goodKey)
        let link = folder.path + "/link.key"
        #expect(symlink(target, link) == 0)
        #expect(Self.refusal(link).contains("key file \(link) is a symbolic link"))
        #expect(Self.refusal(folder.path) == "--key: key file \(folder.path) is a directory, not a key file")

        let short = try folder.file("short.key", "only-31-characters-long-0123456\n")
        #expect(Self.refusal(short).contains("is too short (31 characters): use at least 32"))
        let twoLines = try folder.file("two.key", Self.goodKey + "second line\n")
        #expect(Self.refusal(twoLines).contains("has more than one line"))
        let long = try folder.file("long.key", String(repeating: "x", count: 2049) + "\n")
        #expect(Self.refusal(long).contains("is too long"))
        #expect(Self.refusal(folder.path + "/none.key").contains("does not exist"))
    }

    @Test("a key owned by another user is refused", .enabled(if: geteuid() == 0, "needs root to chown"))
    func foreignOwner() throws {
        let folder = try Folder()
        let key = try folder.file("foreign.key", Self.goodKey)
        #expect(chown(key, 65534, 65534) == 0)
        #expect(Self.refusal(key).contains("belongs to uid 65534, not to you"))
    }

    @Test("generated keys: 44 base64 characters of 32 random bytes and a newline, never the same twice, and they pass the checks")
    func generated() throws {
        let a = try KeyFile.generate(), b = try KeyFile.generate()
        #expect(a != b)
        #expect(a.count == 45 && a.last == 0x0A)
        #expect(Data(base64Encoded: a.dropLast())?.count == 32)
        let folder = try Folder()
        #expect(Self.refusal(try folder.file("gen.key", String(decoding: a, as: UTF8.self))) == "accepted")
    }
}
