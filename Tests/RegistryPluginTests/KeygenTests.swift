import Foundation
import Testing
import RegistryTestSupport

/// keygen through the contsec CLI, as a user runs it: files, modes, refusals, and no secret in any output or the log.
@Suite("registry plugin: keygen")
struct KeygenTests {
    static let password = "kg-\(UUID().uuidString)"

    @Test("encrypted key 0600 + public key; the passphrase and key body appear in no output and not in the log file")
    func keygen() throws {
        let workspace = try RegistryTestEnvironment.temporaryFolder("keygen")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let logs = workspace + "/logs"
        let run = try ContsecRun.registry(["keygen", "--key", "app"], workspace: workspace,
                                          environment: ["CONTSEC_SIGNING_PASSWORD": Self.password], logDir: logs, global: ["--verbose"])
        #expect(run.status == 0, "\(run.stderr)")
        let privateKey = try String(contentsOfFile: workspace + "/keys/app.key", encoding: .utf8)
        #expect(privateKey.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        #expect(try String(contentsOfFile: workspace + "/keys/app.pub", encoding: .utf8).hasPrefix("-----BEGIN PUBLIC KEY-----"))
        let mode = try FileManager.default.attributesOfItem(atPath: workspace + "/keys/app.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let keyBody = privateKey.split(separator: "\n")[1]
        let logText = try FileManager.default.contentsOfDirectory(atPath: logs)
            .map { try String(contentsOfFile: logs + "/" + $0, encoding: .utf8) }.joined()
        let report = String(decoding: try JSONSerialization.data(withJSONObject: run.report), as: UTF8.self)
        #expect(logText.contains("key-generated"))
        for text in [run.stdout, run.stderr, report, logText] {
            #expect(!text.contains(Self.password) && !text.contains(keyBody))
        }
        #expect(run.actions.contains { $0["kind"] as? String == "key-generated" && $0["status"] as? String == "applied" })

        // A second keygen with the same name refuses and leaves the key alone.
        let again = try ContsecRun.registry(["keygen", "--key", "app"], workspace: workspace,
                                            environment: ["CONTSEC_SIGNING_PASSWORD": "other"])
        #expect(again.status == 3 && again.stderr.contains("never overwrites"))
        #expect(try String(contentsOfFile: workspace + "/keys/app.key", encoding: .utf8) == privateKey)
    }

    @Test("modes and refusals: no passphrase, --no-password, --dry-run, a folder that is a file or outside, no openssl")
    func refusals() throws {
        let workspace = try RegistryTestEnvironment.temporaryFolder("keygen-refuse")
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        let none = try ContsecRun.registry(["keygen", "--key", "a"], workspace: workspace, environment: ["CONTSEC_SIGNING_PASSWORD": ""])
        #expect(none.status == 3 && none.stderr.contains("CONTSEC_SIGNING_PASSWORD"))
        #expect(!FileManager.default.fileExists(atPath: workspace + "/keys/a.key"))

        let plain = try ContsecRun.registry(["keygen", "--key", "p", "--no-password"], workspace: workspace,
                                            environment: ["CONTSEC_SIGNING_PASSWORD": ""])
        #expect(plain.status == 0)
        #expect(try String(contentsOfFile: workspace + "/keys/p.key", encoding: .utf8).hasPrefix("-----BEGIN PRIVATE KEY-----"))

        let dry = try ContsecRun.registry(["keygen", "--key", "d", "--no-password"], workspace: workspace, global: ["--dry-run"])
        #expect(dry.status == 0 && dry.actions.allSatisfy { $0["status"] as? String == "planned" } && dry.actions.count == 2)
        #expect(!FileManager.default.fileExists(atPath: workspace + "/keys/d.key"))

        #expect(FileManager.default.createFile(atPath: workspace + "/notadir", contents: Data("x".utf8)))
        let file = try ContsecRun.registry(["keygen", "--key", "f", "--no-password", "--dir", "notadir"], workspace: workspace)
        #expect(file.status != 0 && file.stderr.contains("not a directory"))
        let outside = try ContsecRun.registry(["keygen", "--key", "o", "--no-password", "--dir", "../elsewhere"], workspace: workspace)
        #expect(outside.status != 0 && outside.stderr.contains("outside the workspace"))

        let missing = try ContsecRun.registry(["keygen", "--key", "m", "--no-password"], workspace: workspace,
                                              environment: ["CONTSEC_OPENSSL": "/nonexistent/openssl"])
        #expect(missing.status == 3 && missing.stderr.contains("openssl is not installed"))
        #expect(!FileManager.default.fileExists(atPath: workspace + "/keys/m.key"))
    }
}
