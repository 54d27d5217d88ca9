import Foundation
import Testing
import ContsecProtocol
import ContainerKit
@testable import VolumeCrypt

@Suite("Names, options, tar listing, manifests")
struct ParsingTests {
    @Test("volume names follow Docker's rule")
    func names() throws {
        #expect(try VolumeName.validate("secure-data") == "secure-data")
        #expect(try VolumeName.validate("a1.b_c") == "a1.b_c")
        for bad in ["", "a", "-x", "../x", "a/b", "a b", "ü-x"] {
            #expect(throws: VolumeCryptError.self, "\(bad)") { try VolumeName.validate(bad) }
        }
    }

    @Test("create options: mode, size and kind-specific flags are checked")
    func createOptions() throws {
        try CreateOptions(name: "ok-vol", kind: .temp, size: "64m", mode: "1777", autoDelete: true).validate()
        try CreateOptions(name: "ok-vol", kind: .encrypted, keyFile: "/k").validate()
        let bad: [(CreateOptions, String)] = [
            (CreateOptions(name: "v1", kind: .encrypted, size: "1g"), "size"),
            (CreateOptions(name: "v1", kind: .encrypted, autoDelete: true), "auto-delete"),
            (CreateOptions(name: "v1", kind: .temp, keyFile: "/k"), "key"),
            (CreateOptions(name: "v1", kind: .temp, size: "lots"), "size"),
            (CreateOptions(name: "v1", kind: .temp, size: "0m"), "size"),
            (CreateOptions(name: "v1", kind: .temp, mode: "999"), "mode"),
            (CreateOptions(name: "v1", kind: .temp, mode: "7"), "mode"),
            (CreateOptions(name: "v1", kind: .temp, uid: -1), "uid"),
            (CreateOptions(name: "v1", kind: .temp, labels: ["contsec.volume-crypt.kind": "x"]), "label"),
        ]
        for (options, param) in bad {
            do {
                try options.validate()
                Issue.record("accepted a bad --\(param)")
            } catch VolumeCryptError.invalidParameter(let p, _) {
                #expect(p == param)
            }
        }
    }

    @Test("archive suffixes choose the compression; others are refused")
    func compression() throws {
        #expect(try Compression.forArchive("/b/x.tar.gz") == .gzip)
        #expect(try Compression.forArchive("/b/x.TGZ") == .gzip)
        #expect(try Compression.forArchive("/b/x.tar.zst") == .zstd)
        #expect(try Compression.forArchive("/b/x.tar.xz") == .xz)
        #expect(try Compression.forArchive("/b/x.tar") == .none)
        #expect(throws: VolumeCryptError.self) { try Compression.forArchive("/b/x.zip") }
    }

    @Test("the tar listing agrees with GNU tar's own archive: names, kinds, modes, owners, sizes, SHA-256, links, long names")
    func tarListing() async throws {
        let root = NSTemporaryDirectory() + "contsec-test-volumecrypt-tar-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tree = root + "/top"
        let longName = String(repeating: "n", count: 150)
        try FileManager.default.createDirectory(atPath: tree + "/sub/" + longName, withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: tree + "/a.txt"))
        try Data(repeating: 7, count: 70_000).write(to: URL(fileURLWithPath: tree + "/sub/" + longName + "/big.bin"))
        try FileManager.default.createSymbolicLink(atPath: tree + "/link", withDestinationPath: "a.txt")
        chmod(tree + "/a.txt", 0o640)
        let expected = try FileTree.entries(tree).map { e -> TreeEntry in var e = e; e.path = "top/" + e.path; return e }
        for format in ["posix", "gnu"] {
            let archive = root + "/t-\(format).tar"
            _ = try await ToolRunner().run("tar", ["--create", "--format=\(format)", "--numeric-owner", "--file", archive,
                                                   "--directory", root, "top"]).checked()
            let listed = try TarListing.entries(try Data(contentsOf: URL(fileURLWithPath: archive)))
            #expect(listed.first?.path == "top" && listed.first?.kind == .directory)
            #expect(Array(listed.dropFirst()) == expected, "\(format)")
        }
        #expect(throws: VolumeCryptError.self) { try TarListing.entries(Data(repeating: 0x41, count: 1024)) }
    }

    @Test("a manifest that is missing, unreadable or of another format is refused with a clear message")
    func manifestLoading() throws {
        let root = NSTemporaryDirectory() + "contsec-test-volumecrypt-manifest-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let archive = root + "/b.tar.gz"
        #expect(throws: VolumeCryptError.invalidParameter(param: "backup-path", message: "\(archive) does not exist")) {
            try BackupManifest.load(forArchive: archive)
        }
        try Data("x".utf8).write(to: URL(fileURLWithPath: archive))
        func message() -> String { do { _ = try BackupManifest.load(forArchive: archive); return "" } catch { return "\(error)" } }
        #expect(message().contains("the manifest \(archive).manifest.json is missing"))
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: archive + ".manifest.json"))
        #expect(message().contains("corrupt manifest"))
    }
}
