#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// Manifests and integrity: listing from plugin.json without executing, sha256 verified before every exec,
/// plugins others can write refused (and the override), invalid manifests reported with the reason.
@Suite struct ManifestTests {
    /// A working plugin that leaves a marker when it is executed: a sh wrapper around the built noop plugin.
    func makeMarkedPlugin(_ dir: String, file: String = "contsec-marked") throws -> String {
        let path = dir + "/" + file
        try "#!/bin/sh\ntouch \"$MARKER_FILE\"\nexec \(Paths.products)/test-plugin-noop\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func writeManifest(_ m: PluginManifest, to path: String) throws {
        try m.fileText().write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
    }

    @Test func pluginFolderIsListedFromItsManifestWithoutExecutingIt() throws {
        let root = try temporaryFolder("mf-list")
        let folder = root + "/marked"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let exe = try makeMarkedPlugin(folder, file: "run-me")
        try writeManifest(PluginManifest(name: "marked", version: "2.3.4", vendor: "Acme", description: "d", protocolVersions: ["1.0"],
                                         executable: "run-me", sha256: PluginTrust.sha256(ofFile: exe),
                                         permissions: .init(dockerSocket: true, network: false, root: false, writesOutsideWorkspace: true)),
                          to: folder + "/plugin.json")
        let marker = root + "/executed"
        let r = try contsec(["plugins", "--json", "--plugin-path", root], env: ["MARKER_FILE": marker])
        #expect(r.code == 0, "\(r.stderr)")
        let entry = r.json?["plugins"]?.arrayValue?.first { $0["name"] == "marked" }
        #expect(entry?["version"] == "2.3.4")
        #expect(entry?["vendor"] == "Acme")
        #expect(entry?["path"]?.stringValue == exe)
        #expect(entry?["permissions"] == ["dockerSocket", "writesOutsideWorkspace"])
        #expect(!FileManager.default.fileExists(atPath: marker), "listing executed the plugin")
        let table = try contsec(["plugins", "--plugin-path", root], env: ["MARKER_FILE": marker])
        #expect(table.stdout.contains("version 2.3.4 by Acme · permissions: dockerSocket, writesOutsideWorkspace · sha256 verified"))
        #expect(!FileManager.default.fileExists(atPath: marker))
        // And it runs, from its folder, through the manifest.
        let run = try contsec(["run", "marked", "--plugin-path", root], env: ["MARKER_FILE": marker])
        #expect(run.code == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker))
    }

    @Test func sidecarManifestBesideABareExecutable() throws {
        let dir = try temporaryFolder("mf-sidecar")
        let exe = try makeMarkedPlugin(dir)
        try writeManifest(PluginManifest(name: "marked", version: "0.9.0", protocolVersions: ["1.0"], executable: "contsec-marked",
                                         sha256: PluginTrust.sha256(ofFile: exe)), to: dir + "/contsec-marked.json")
        let d = PluginDiscovery(pluginPaths: [dir], environment: ["PATH": ""], executablePath: "/nonexistent/contsec").discover()
        #expect(d.find("marked")?.manifest?.version == "0.9.0")
        #expect(d.invalid.isEmpty, "\(d.invalid)")
    }

    @Test func tamperedExecutableIsRefusedWithBothHashesBeforeItRuns() throws {
        let dir = try temporaryFolder("mf-tamper")
        let exe = try makeMarkedPlugin(dir)
        let good = PluginTrust.sha256(ofFile: exe)!
        try writeManifest(PluginManifest(name: "marked", version: "1.0.0", protocolVersions: ["1.0"], executable: "contsec-marked", sha256: good),
                          to: dir + "/contsec-marked.json")
        let marker = dir + "/executed"
        #expect(try contsec(["run", "marked", "--plugin-path", dir], env: ["MARKER_FILE": marker]).code == 0)
        try FileManager.default.removeItem(atPath: marker)

        let handle = try #require(FileHandle(forWritingAtPath: exe))
        handle.seekToEndOfFile()
        handle.write(Data("# tampered\n".utf8))
        handle.closeFile()
        let bad = PluginTrust.sha256(ofFile: exe)!
        let r = try contsec(["run", "marked", "--plugin-path", dir], env: ["MARKER_FILE": marker])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains(good) && r.stderr.contains(bad), "\(r.stderr)")
        #expect(r.stderr.contains("contsec plugin install --force"))
        #expect(!FileManager.default.fileExists(atPath: marker), "a tampered plugin was executed")
        // The override for permissions does not cover a changed executable.
        let forced = try contsec(["run", "marked", "--plugin-path", dir, "--allow-insecure-plugins"], env: ["MARKER_FILE": marker])
        #expect(forced.code == ExitCode.pluginFailed.rawValue)
        let listed = try contsec(["plugins", "--json", "--plugin-path", dir])
        let refused = listed.json?["refused"]?.arrayValue?.first { $0["name"] == "marked" }
        #expect(refused?["reason"]?.stringValue?.contains(bad) == true)
        #expect(listed.json?["plugins"]?.arrayValue?.contains { $0["name"] == "marked" } == false)
        // describe goes through the same exec path.
        #expect(try contsec(["describe", "--plugin-path", dir, "marked"]).code == ExitCode.pluginFailed.rawValue)
    }

    @Test func worldWritablePluginIsRefusedAndTheOverrideWorks() throws {
        let dir = try temporaryFolder("mf-perm")
        let exe = try makeMarkedPlugin(dir)
        chmod(exe, 0o777)
        let marker = dir + "/executed"
        let r = try contsec(["run", "marked", "--plugin-path", dir], env: ["MARKER_FILE": marker])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains("world-writable"), "\(r.stderr)")
        #expect(r.stderr.contains("--allow-insecure-plugins") && r.stderr.contains("CONTSEC_ALLOW_INSECURE_PLUGINS=1"))
        #expect(!FileManager.default.fileExists(atPath: marker))
        let listed = try contsec(["plugins", "--plugin-path", dir])
        #expect(listed.stdout.contains("refused:  \(exe) (--plugin-path) — refusing to run plugin marked: its file \(exe) is world-writable"))

        let flag = try contsec(["run", "marked", "--plugin-path", dir, "--allow-insecure-plugins"], env: ["MARKER_FILE": marker])
        #expect(flag.code == 0, "\(flag.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker))
        let env = try contsec(["run", "--plugin-path", dir, "marked"], env: ["MARKER_FILE": marker, "CONTSEC_ALLOW_INSECURE_PLUGINS": "1"])
        #expect(env.code == 0, "\(env.stderr)")
    }

    @Test func groupWritableFolderIsRefused() throws {
        let dir = try temporaryFolder("mf-group")
        _ = try makeMarkedPlugin(dir)
        chmod(dir, 0o775)
        let r = try contsec(["run", "marked", "--plugin-path", dir], env: ["MARKER_FILE": dir + "/executed"])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains("its folder \(dir) is group-writable (mode 775)"), "\(r.stderr)")
    }

    @Test func pluginOwnedByAnotherUserIsRefused() throws {
        guard geteuid() == 0 else { return }  // only root can give a file away
        let dir = try temporaryFolder("mf-owner")
        let exe = try makeMarkedPlugin(dir)
        #expect(chown(exe, 65534, 65534) == 0)
        let c = PluginCandidate(name: "marked", path: exe, source: "test", manifest: nil)
        #expect(PluginTrust.permissionProblem(for: c)?.contains("owned by") == true)
        let r = try contsec(["run", "marked", "--plugin-path", dir], env: ["MARKER_FILE": dir + "/executed"])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains("not by you or root"), "\(r.stderr)")
    }

    @Test func invalidManifestsAreListedWithTheReason() throws {
        let root = try temporaryFolder("mf-invalid")
        let fm = FileManager.default
        func folder(_ name: String, _ manifest: String) throws {
            try fm.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            try manifest.write(toFile: root + "/\(name)/plugin.json", atomically: true, encoding: .utf8)
            _ = try makeMarkedPlugin(root + "/" + name, file: "exe")
        }
        try folder("broken", "{not json")
        try folder("badname", #"{"name":"Bad_Name","version":"1","protocolVersions":["1.0"],"executable":"exe"}"#)
        try folder("future", #"{"name":"future","version":"1","protocolVersions":["2.0"],"executable":"exe"}"#)
        try folder("missing", #"{"name":"missing","version":"1","protocolVersions":["1.0"],"executable":"nothere"}"#)
        try folder("escape", #"{"name":"escape","version":"1","protocolVersions":["1.0"],"executable":"../escape/exe"}"#)
        try folder("unknown", #"{"name":"unknown","version":"1","protocolVersions":["1.0"],"executable":"exe","signature":"x"}"#)
        let r = try contsec(["plugins", "--json", "--plugin-path", root])
        let invalid = r.json?["invalid"]?.arrayValue ?? []
        func reason(_ name: String) -> String { invalid.first { $0["path"]?.stringValue?.contains("/\(name)") == true }?["reason"]?.stringValue ?? "" }
        #expect(reason("broken").contains("is not valid JSON"))
        #expect(reason("badname").contains("'name' must match ^[a-z][a-z0-9-]*$"))
        #expect(reason("future").contains("speaks protocol 2.0 only"))
        #expect(reason("missing").contains("nothere, which is not a file"))
        #expect(reason("escape").contains("without '..'"))
        #expect(reason("unknown").contains("unknown member 'signature'"))
        #expect(r.json?["plugins"]?.arrayValue?.contains { ["broken", "future", "missing"].contains($0["name"]?.stringValue ?? "") } == false)
    }

    @Test func manifestFolderShadowsALaterBareExecutable() throws {
        let a = try temporaryFolder("mf-shadow-a"), b = try temporaryFolder("mf-shadow-b")
        try FileManager.default.createDirectory(atPath: a + "/marked", withIntermediateDirectories: true)
        _ = try makeMarkedPlugin(a + "/marked", file: "contsec-marked")
        try writeManifest(PluginManifest(name: "marked", version: "1.0.0", protocolVersions: ["1.0"], executable: "contsec-marked"),
                          to: a + "/marked/plugin.json")
        let later = try makeMarkedPlugin(b)
        let d = PluginDiscovery(pluginPaths: [a, b], environment: ["PATH": ""], executablePath: "/nonexistent/contsec").discover()
        #expect(d.find("marked")?.path == a + "/marked/contsec-marked")
        #expect(d.shadowed.map(\.candidate.path) == [later])
    }
}
