import Foundation
import Testing
@testable import ContainerKit
import ContsecProtocol
@testable import VolumeCrypt

/// The plugin as a user runs it: the built `contsec` and `contsec-volume-crypt`, a JSON report and the daily log.
@Suite("volume-crypt through contsec (reports and log)", .enabled(if: VolumeCryptEnvironment.canRun, VolumeCryptEnvironment.skipReason))
struct DockerEngineReportSecrecyTests {
    static func binaries() throws -> String {
        let dir = (CommandLine.arguments[0] as NSString).deletingLastPathComponent
        for candidate in [ProcessInfo.processInfo.environment["CONTSEC_BUILD_DIR"], dir, dir + "/..", dir + "/../.."].compactMap({ $0 })
        where FileManager.default.isExecutableFile(atPath: candidate + "/contsec")
            && FileManager.default.isExecutableFile(atPath: candidate + "/contsec-volume-crypt") {
            return candidate
        }
        throw CLIError(message: "contsec and contsec-volume-crypt are not built beside the tests: run swift build --build-tests")
    }

    struct CLIError: Error, CustomStringConvertible { var message: String; var description: String { message } }

    /// `contsec --format json --output REPORT --log-dir LOGS run volume-crypt ARGS --state-dir STATE`; returns the exit status.
    static func contsec(_ fx: VolumeCryptFixture, _ arguments: [String], report: String) throws -> Int32 {
        let bin = try binaries()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/contsec")
        process.arguments = ["--format", "json", "--output", report, "--log-dir", fx.workspace + "/logs", "--workspace", fx.workspace,
                             "run", "volume-crypt"] + arguments + ["--state-dir", fx.stateRoot, "--plugin-path", bin + "/contsec-volume-crypt"]
        process.currentDirectoryURL = URL(fileURLWithPath: fx.workspace)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Polled, not waitUntilExit(): that waits on a run loop the test's thread does not run.
        let deadline = Date().addingTimeInterval(180)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            throw CLIError(message: "contsec \(arguments.joined(separator: " ")) did not finish within 180 s")
        }
        return process.terminationStatus
    }

    @Test("create, backup, a wrong-key restore and list: neither the JSON reports nor the log file contain the key")
    func keyNeverReported() async throws {
        try await VolumeCryptFixture.with { fx in
            let name = VolumeCryptEnvironment.uniqueName()
            #expect(try Self.contsec(fx, ["create", "--volume", name, "--label", "contsec-test=1"], report: fx.workspace + "/create.json") == 0)
            // The gocryptfs daemon outlives the plugin: the host ends what a plugin leaves behind, but not a mount.
            #expect(OpenCloseVolume.isMounted(name, fx.state), "the plaintext mount did not survive the end of the run")
            let keyFile = fx.state.generatedKeyPath(name)
            let key = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            let wrong = try fx.keyFile("wrong.key")
            let wrongKey = try String(contentsOfFile: wrong, encoding: .utf8).trimmingCharacters(in: .newlines)
            #expect(try Self.contsec(fx, ["backup", "--volume", name, "--backup-path", "b.tar.gz"], report: fx.workspace + "/backup.json") == 0)
            #expect(try Self.contsec(fx, ["restore", "--volume", name, "--backup-path", "b.tar.gz", "--key", wrong],
                                     report: fx.workspace + "/restore.json") == 3)
            chmod(keyFile, 0o644) // a finding about the key file: named, never quoted
            #expect(try Self.contsec(fx, ["list"], report: fx.workspace + "/list.json") == 0)

            var texts: [String: String] = [:]
            for file in ["create.json", "backup.json", "restore.json", "list.json"] {
                texts[file] = try String(contentsOfFile: fx.workspace + "/" + file, encoding: .utf8)
            }
            for log in try FileManager.default.contentsOfDirectory(atPath: fx.workspace + "/logs") {
                texts[log] = try String(contentsOfFile: fx.workspace + "/logs/" + log, encoding: .utf8)
            }
            #expect(texts["create.json"]?.contains(keyFile) == true, "the report names where the key is")
            #expect(texts["restore.json"]?.contains("wrong key") == true)
            #expect(texts["list.json"]?.contains("VC-001") == true)
            // list answers with a table (protocol 1.1), which the JSON report keeps as sent: one row with the facts the
            // issue asks for (name, kind, mounted, size used, containers, key file, created, auto-delete).
            let report = try JSONParser.parse(try #require(texts["list.json"]))
            let table = try #require(report["plugins"]?.arrayValue?.first?["table"], "list returned no table")
            #expect(table["title"]?.stringValue == "volumes")
            #expect(table["columns"]?.arrayValue?.compactMap { $0["key"]?.stringValue }
                    == ["name", "kind", "mounted", "bytesUsed", "containers", "keyFile", "created", "autoDelete", "storage"])
            let rows = try #require(table["rows"]?.arrayValue)
            #expect(rows.count == 1)
            #expect(rows.first?["name"]?.stringValue == name && rows.first?["kind"]?.stringValue == "encrypted")
            #expect(rows.first?["mounted"]?.boolValue == true && rows.first?["autoDelete"]?.boolValue == false)
            #expect(rows.first?["keyFile"]?.stringValue == keyFile && rows.first?["containers"]?.stringValue == "")
            #expect((rows.first?["bytesUsed"]?.intValue ?? 0) > 0, "the cipher directory holds at least gocryptfs.conf")
            #expect(rows.first?["created"]?.stringValue?.isEmpty == false)
            #expect(texts.keys.contains { $0.hasPrefix("container-security-") }, "no daily log was written")
            for (file, text) in texts {
                #expect(!text.contains(key), "\(file) contains the volume key")
                #expect(!text.contains(wrongKey), "\(file) contains the wrong key's content")
            }
        }
    }
}
