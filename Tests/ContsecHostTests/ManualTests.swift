import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// The man page (man/contsec.1) and the bundled plugins' manifests (Plugins/<name>/plugin.json) against what the
/// code does: they are written by hand, so these tests keep them from drifting.
@Suite struct ManualTests {
    static let page = Paths.packageRoot + "/man/contsec.1"

    @Test func manPageRendersWithoutWarnings() throws {
        let r = try CompletionTests.run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z", Self.page])
        #expect(r.code == 0 && r.err.isEmpty, "groff: \(r.err)")
        let text = try String(contentsOfFile: Self.page, encoding: .utf8)
        #expect(text.contains("\"contsec \(ContsecVersion.current)\""), "the .TH line names another version")
    }

    /// Every exit code the CLI has, with the README's meaning, in EXIT STATUS.
    @Test func manPageListsEveryExitCode() throws {
        let text = try String(contentsOfFile: Self.page, encoding: .utf8)
        guard let section = text.components(separatedBy: ".SH EXIT STATUS").last?.components(separatedBy: ".SH ").first else {
            Issue.record("no EXIT STATUS section"); return
        }
        for code in [ExitCode.success, .gateTripped, .usage, .pluginFailed, .pluginNotFound, .interrupted] {
            #expect(section.contains(".TP\n.B \(code.rawValue)\n"), "exit code \(code.rawValue) is not described")
        }
    }

    /// Every CONTSEC_* variable the host or a bundled plugin reads is in ENVIRONMENT, except the ones listed here
    /// with the reason they are not for users.
    @Test func manPageNamesEveryEnvironmentVariable() throws {
        let notForUsers = [
            "CONTSEC_OPENSSL_PASSIN": "the passphrase's way into one openssl child process, set by CryptoTools",
            "CONTSEC_OPENSSL_PASSOUT": "the same, for a key being written",
            "CONTSEC_TARGETS": "a SARIF base id (uriBaseId), not a variable",
            "CONTSEC_SUPERVISION_TAG": "a mark contsec sets on every child process it starts, to find them again (ProcessKit)",
        ]
        let text = try String(contentsOfFile: Self.page, encoding: .utf8)
        var used = Set<String>()
        for root in ["Sources", "Plugins"] {
            let base = Paths.packageRoot + "/" + root
            let e = FileManager.default.enumerator(atPath: base)
            while let rel = e?.nextObject() as? String {
                guard rel.hasSuffix(".swift") else { continue }
                let source = (try? String(contentsOfFile: base + "/" + rel, encoding: .utf8)) ?? ""
                let regex = try NSRegularExpression(pattern: "\"(CONTSEC_[A-Z_]+)\"")
                for m in regex.matches(in: source, range: NSRange(source.startIndex..., in: source)) {
                    used.insert(String(source[Range(m.range(at: 1), in: source)!]))
                }
            }
        }
        #expect(used.count > 10, "the scan found \(used)")
        for name in used.sorted() where notForUsers[name] == nil {
            #expect(text.contains(name), "man/contsec.1 does not describe \(name)")
        }
    }

    /// install.sh installs every Plugins/<name>/plugin.json: each must describe the plugin as the plugin describes
    /// itself, and every plugin product built beside contsec must have one (or it would not be installed).
    @Test func bundledManifestsMatchTheirPlugins() throws {
        let bundled = InstallScriptTests.bundled
        let products = ((try? FileManager.default.contentsOfDirectory(atPath: Paths.products)) ?? [])
            .filter { $0.hasPrefix("contsec-") && !$0.contains(".") }.map { String($0.dropFirst("contsec-".count)) }
            .filter { !Paths.testPluginNames.contains($0) }  // stale binaries of a build from before they were renamed
        #expect(Set(products) == Set(bundled),
                "plugins built without a Plugins/<name>/plugin.json are not installed by scripts/install.sh: \(Set(products).subtracting(bundled))")
        for name in bundled {
            let m = try PluginManifest.load(Paths.packageRoot + "/Plugins/\(name)/plugin.json")
            #expect(m.name == name && m.executable == "contsec-\(name)")
            #expect(m.sha256 == nil, "the installer records the sha256 of what it installs")
            #expect(m.permissions != nil, "\(name): declare the plugin's permissions")
            let r = try contsec(["describe", name, "--json"])
            let info = try #require(r.json, "\(name): \(r.stderr)")
            #expect(info["plugin"]?["name"]?.stringValue == m.name)
            #expect(info["plugin"]?["version"]?.stringValue == m.version, "\(name): Plugins/\(name)/plugin.json has another version")
            #expect(info["plugin"]?["vendor"]?.stringValue == m.vendor)
            #expect(info["plugin"]?["description"]?.stringValue == m.description, "\(name): the manifest's description differs")
            #expect(m.protocolVersions.contains(info["protocolVersion"]?.stringValue ?? "?"))
        }
    }
}
