import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

@Suite struct DiscoveryTests {
    func makePlugin(_ dir: String, _ name: String, mode: Int = 0o755) throws {
        let path = dir + "/contsec-" + name
        try "#!/bin/sh\ntouch \"$MARKER_FILE\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func firstMatchWinsAndShadowedAreReported() throws {
        let a = try temporaryFolder("disc-a"), b = try temporaryFolder("disc-b"), home = try temporaryFolder("home")
        try FileManager.default.createDirectory(atPath: home + "/.contsec/plugins", withIntermediateDirectories: true)
        try makePlugin(a, "scanner")
        try makePlugin(b, "scanner")
        try makePlugin(b, "other")
        try makePlugin(home + "/.contsec/plugins", "other")
        try makePlugin(a, "Bad_Name")
        try makePlugin(a, "noexec", mode: 0o644)
        let d = PluginDiscovery(pluginPaths: [a], environment: ["CONTSEC_PLUGIN_PATH": b, "HOME": home, "PATH": ""],
                                executablePath: "/nonexistent/contsec")
        let r = d.discover()
        #expect(r.find("scanner")?.path == a + "/contsec-scanner")
        #expect(r.find("scanner")?.source == "--plugin-path")
        #expect(r.find("other")?.source == "CONTSEC_PLUGIN_PATH")
        #expect(r.shadowed.map(\.candidate.path).sorted() == [home + "/.contsec/plugins/contsec-other", b + "/contsec-scanner"].sorted())
        #expect(r.invalid.contains { $0.path.hasSuffix("contsec-Bad_Name") && $0.reason.contains("does not match") })
        #expect(r.invalid.contains { $0.path.hasSuffix("contsec-noexec") && $0.reason.contains("not executable") })
    }

    @Test("find(name) picks the same winner as a full discovery, refusals included, and stops before PATH")
    func findMatchesFullDiscovery() throws {
        let a = try temporaryFolder("disc-find-a"), b = try temporaryFolder("disc-find-b"), onPath = try temporaryFolder("disc-find-path")
        let home = try temporaryFolder("disc-find-home")
        try makePlugin(a, "scanner")
        try makePlugin(b, "scanner")
        try makePlugin(b, "loose", mode: 0o777)  // group/world-writable: refused, yet still the winner
        try makePlugin(onPath, "loose")
        try makePlugin(onPath, "pathonly")
        try makePlugin(onPath, "scanner")
        let d = PluginDiscovery(pluginPaths: [a], environment: ["CONTSEC_PLUGIN_PATH": b, "HOME": home, "PATH": onPath],
                                executablePath: "/nonexistent/contsec")
        let full = d.discover()
        for name in ["scanner", "loose", "pathonly", "absent"] {
            #expect(d.find(name) == full.find(name), "\(name)")
        }
        #expect(d.find("loose")?.refusal != nil)
        #expect(d.find("pathonly")?.source == "PATH")
        // Stopping early: with the winner in --plugin-path, the folders after it are not read.
        let early = d.discover(stoppingAt: "scanner")
        #expect(early.find("scanner")?.path == a + "/contsec-scanner")
        #expect(early.find("pathonly") == nil && early.find("loose") == nil)
        // A --plugin-path naming the executable itself stops there as well.
        let direct = PluginDiscovery(pluginPaths: [b + "/contsec-scanner"], environment: ["HOME": home, "PATH": onPath],
                                     executablePath: "/nonexistent/contsec")
        #expect(direct.find("scanner")?.path == b + "/contsec-scanner")
        #expect(direct.discover(stoppingAt: "scanner").plugins.map(\.name) == ["scanner"])
    }

    @Test func listingExecutesNothing() async throws {
        let dir = try temporaryFolder("disc-exec")
        try makePlugin(dir, "tripwire")
        let marker = dir + "/executed"
        let r = try await contsec(["plugins", "--json", "--plugin-path", dir], env: ["MARKER_FILE": marker])
        #expect(r.code == 0)
        #expect(r.json?["plugins"]?.arrayValue?.contains { $0["name"] == "tripwire" } == true)
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test func pluginsCommandShowsShadowing() async throws {
        let dir = try temporaryFolder("disc-shadow")
        try FileManager.default.copyItem(atPath: Paths.products + "/test-plugin-noop", toPath: dir + "/contsec-iac-scan")
        let r = try await contsec(["plugins", "--plugin-path", dir])
        #expect(r.stdout.contains("\(dir)/contsec-iac-scan  (--plugin-path)"), "\(r.stdout)")
        #expect(r.stdout.contains("shadowed: \(Paths.products)/contsec-iac-scan (beside contsec) — hidden by \(dir)/contsec-iac-scan"))
    }
}

@Suite struct FlagMappingTests {
    let spec = CommandSpec(name: "scan", description: "d", params: [
        ParamSpec(name: "repo", type: .string, required: true, description: "r"),
        ParamSpec(name: "max-vulns", type: .int, description: "m"),
        ParamSpec(name: "block-critical", type: .bool, description: "b"),
        ParamSpec(name: "severity", type: .list, default: ["critical"], description: "s"),
        ParamSpec(name: "dir", type: .path, description: "p"),
        ParamSpec(name: "format", type: .string, description: "f", allowed: ["cyclonedx", "spdx-json"]),
    ])

    func map(_ tokens: [String]) throws -> (args: [String: JSONValue], globals: [(String, String?)]) {
        try FlagMapping(command: spec, pluginName: "trivy-scanner", globalOptions: ["format": true, "timeout": true, "dry-run": false],
                        workingDirectory: "/work/here").map(tokens)
    }

    @Test func typedValuesListsSwitchesAndPaths() throws {
        let r = try map(["--repo", "x", "--max-vulns=5", "--block-critical", "--severity", "high,critical", "--severity", "medium",
                         "--dir", "../up/./there", "--format", "cyclonedx", "--timeout", "30", "--dry-run"])
        #expect(r.args["repo"] == "x")
        #expect(r.args["max-vulns"] == 5)
        #expect(r.args["block-critical"] == true)
        #expect(r.args["severity"] == ["high", "critical", "medium"])
        #expect(r.args["dir"] == "/work/up/there")
        #expect(r.args["format"] == "cyclonedx")  // the plugin's own --format wins over the global one
        #expect(r.globals.map(\.0) == ["timeout", "dry-run"])
    }

    @Test func defaultsAndNegatedSwitches() throws {
        let r = try map(["--repo", "x", "--no-block-critical"])
        #expect(r.args["severity"] == ["critical"])
        #expect(r.args["block-critical"] == false)
    }

    @Test func errorsNameTheFlagAndListTheValidOnes() {
        #expect { try map(["--max-vulns", "5"]) } throws: { "\($0)".contains("--repo: required parameter is missing") }
        #expect { try map(["--repo", "x", "--max-vulns", "five"]) } throws: { "\($0)".contains("--max-vulns expects an integer, got 'five'") }
        #expect { try map(["--repo", "x", "--colour"]) } throws: { "\($0)".contains("unknown flag --colour") && "\($0)".contains("--block-critical") }
        #expect { try map(["--repo", "x", "--format", "xml"]) } throws: { "\($0)".contains("'xml' is not one of: cyclonedx, spdx-json") }
        #expect { try map(["--repo", "x", "stray"]) } throws: { "\($0)".contains("unexpected argument 'stray'") }
    }
}
