import Foundation
import Testing
import ContsecProtocol

/// Issue #11, "one truth for the plugin contract": each numbered observation, as PROTOCOL.md now decides it, through
/// the real host and a plugin written without any SDK (Fixtures/contsec-contract).
@Suite struct ContractTests {
    let fixture = Paths.fixture("contsec-contract")

    func run(_ command: String, _ extra: [String] = [], env: [String: String] = [:], interruptAfter: TimeInterval? = nil,
             cwd: String? = nil) async throws -> CommandResult {
        try await contsec(["run", "contract", command, "--plugin-path", fixture, "--format", "json", "--no-log"] + extra,
                          env: env, interruptAfter: interruptAfter, timeout: 40, cwd: cwd)
    }

    /// Item 2: one cancel grace (5 s) for Ctrl-C and for timeouts alike, then the ladder, 2 s a rung (§10, §11).
    @Test(arguments: ["timeout", "ctrl-c"])
    func cancelGraceThenTheKillLadder(_ how: String) async throws {
        let trace = try temporaryFolder("contract-trace") + "/trace"
        let r = how == "timeout"
            ? try await run("stubborn", ["--timeout", "1"], env: ["CONTRACT_TRACE": trace])
            : try await run("stubborn", env: ["CONTRACT_TRACE": trace], interruptAfter: 1.5)
        #expect(r.code == (how == "timeout" ? 3 : 130), "\(r.stderr)")
        #expect(r.stderr.contains("it did not answer the cancel within 5 s"), "\(r.stderr)")
        if how == "timeout" { #expect(r.stderr.contains("within its time limit (--timeout 1)"), "\(r.stderr)") }
        let lines = try readText(trace).split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1) }
        func at(_ what: String) -> Double? { lines.first { $0.count == 2 && $0[1] == Substring(what) }.flatMap { Double($0[0]) } }
        let cancel = try #require(at("cancel"), "\(lines)")
        let steps: [(String, Double)] = [("shutdown", 5), ("exit", 7), ("EOF", 7), ("SIGTERM", 9)]
        for (what, offset) in steps {
            let t = try #require(at(what), "no \(what) in \(lines)")
            #expect(abs(t - cancel - offset) < 0.8, "\(what) at +\(t - cancel) s, expected +\(offset) s")
        }
    }

    /// Item 3: a defaulted path is sent absolute, resolved against the current folder (not --workspace).
    @Test func defaultedPathsAreSentAbsoluteAgainstTheCurrentFolder() async throws {
        let cwd = try temporaryFolder("contract-cwd")
        let ws = try temporaryFolder("contract-ws")
        let r = try await run("paths", ["--workspace", ws], cwd: cwd)
        #expect(r.code == 0, "\(r.stderr)")
        let sent = pluginEntry(r.json, "contract")?["summary"]?["args"]?["dir"]?.stringValue
        #expect(sent == URL(fileURLWithPath: cwd).resolvingSymlinksInPath().path || sent == cwd, "sent \(sent ?? "nothing")")
    }

    /// Item 4: `log` lines reach the table (errors always, info with --verbose) and the JSON report.
    @Test func logLinesAreShownInTheTableAndTheJSONReport() async throws {
        let json = try await run("log")
        #expect(json.code == 0)
        #expect(json.json?["logs"]?.arrayValue?.compactMap { $0["message"]?.stringValue }
                == ["the registry refused our token", "contacted 3 registries"])
        #expect(json.json?["summary"]?["logs"] == 2)
        let table = try await contsec(["run", "contract", "log", "--plugin-path", fixture, "--no-log"])
        #expect(table.stdout.contains("LOG (1; 1 more with --verbose or in --format json)\n  error    the registry refused our token\n"), "\(table.stdout)")
        let verbose = try await contsec(["run", "contract", "log", "--plugin-path", fixture, "--no-log", "--verbose"])
        #expect(verbose.stdout.contains("  info     contacted 3 registries\n"), "\(verbose.stdout)")
    }

    /// Item 5: the host does not de-duplicate within a run (memory stays flat however many findings arrive); two
    /// identical findings are reported as sent, with the same fingerprint, which SARIF consumers de-duplicate on.
    @Test func identicalFindingsAreReportedAsSentWithOneFingerprint() async throws {
        let r = try await run("duplicates")
        let f = findings(r.json)
        #expect(f.count == 2)
        #expect(Set(f.compactMap { $0["fingerprint"]?.stringValue }).count == 1)
    }

    /// Item 6: an empty fingerprint is rejected like any invalid field (absent lets the host compute one).
    @Test func emptyFingerprintIsRejected() async throws {
        let r = try await run("empty-fingerprint")
        #expect(r.code == 3)
        #expect(r.stderr.contains("finding.fingerprint: must not be empty"), "\(r.stderr)")
        #expect(findings(r.json).isEmpty)
    }

    /// Item 7: `capabilities` and descriptions are optional (this fixture declares neither), for host and kit alike.
    @Test func capabilitiesAndDescriptionsAreOptional() async throws {
        let r = try await run("duplicates")
        #expect(r.code == 0, "\(r.stderr)")
    }

    /// Item 8: unknown notifications and unsolicited responses are ignored with a warning; the run succeeds.
    @Test(arguments: [("unknown-notification", "ignored unknown notification 'telemetry'"),
                      ("unsolicited", "ignored a response to no request of ours (id 999)")])
    func toleratedBreachesWarnButDoNotFail(_ command: String, _ warning: String) async throws {
        let r = try await run(command)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).count == 1)
        #expect(r.json?["warnings"]?.arrayValue?.contains { $0["message"]?.stringValue == warning } == true, "\(r.stdout)")
    }

    /// Item 9: a finding after the run's answer is dropped and fails the run.
    @Test func findingAfterTheAnswerFailsTheRun() async throws {
        let r = try await run("late")
        #expect(r.code == 3)
        #expect(findings(r.json).isEmpty)
        #expect(r.stderr.contains("a finding outside a run (after its answer, or before it) was dropped: CT-1"), "\(r.stderr)")
    }

    /// Item 10: -32011 is worded from its data: the tool and how to install it.
    @Test func toolMissingIsWordedFromItsData() async throws {
        let r = try await run("tool-missing")
        #expect(r.code == 3)
        #expect(r.stderr.contains("plugin contract: trivy is not installed: apt-get install trivy"), "\(r.stderr)")
    }
}

/// Issue #11, "the CLI around plugins".
@Suite struct PluginCLIContractTests {
    @Test func describeTakesOptionsAfterThePluginName() async throws {
        let r = try await contsec(["describe", "sh-hello", "--json", "--plugin-path", Paths.packageRoot + "/sdk-protocol/examples/sh-hello"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.json?["plugin"]?["name"] == "sh-hello")
    }

    @Test func runJsonIsFormatJson() async throws {
        let r = try await contsec(["run", "testkit", "--findings", "1", "--json", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).count == 1)
    }

    @Test func aStringFlagDoesNotSwallowTheNextFlag() async throws {
        let r = try await contsec(["run", "testkit", "--fail", "--format", "json", "--no-log"])
        #expect(r.code == 2)
        #expect(r.stderr.contains("--fail needs a value, but the next word is the flag --format; to pass it as the value, write --fail=--format"), "\(r.stderr)")
        let on = try await contsec(["run", "testkit", "--fail=--format", "--format", "json", "--no-log"])
        #expect(on.code == 3)
        #expect(pluginEntry(on.json, "testkit")?["error"]?["message"]?.stringValue?.contains("--format") == true)
    }

    @Test func anInvalidManifestIsNamedNotNotFound() async throws {
        let dir = try temporaryFolder("cli-badmanifest") + "/contsec-broken"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "#!/bin/sh\nexit 0\n".write(toFile: dir + "/contsec-broken", atomically: true, encoding: .utf8)
        chmod(dir + "/contsec-broken", 0o755)
        try #"{"name":"broken","version":"1","protocolVersions":"1.0","executable":"contsec-broken"}"#
            .write(toFile: dir + "/plugin.json", atomically: true, encoding: .utf8)
        let r = try await contsec(["run", "broken", "--plugin-path", dir])
        #expect(r.code == 4)
        #expect(r.stderr.contains("plugin 'broken' was found but cannot be used"), "\(r.stderr)")
        #expect(r.stderr.contains("protocolVersions"), "\(r.stderr)")
    }
}

/// Issue #11, SARIF: a rule is described by the plugin's own declaration (protocol 1.1 `rules`), not by the first
/// finding that used it; a target that is not a file is a logical location, never a file under %SRCROOT%.
@Suite struct SARIFRuleMetadataTests {
    @Test func declaredRuleTextReachesToolDriverRules() async throws {
        let fixture = Paths.packageRoot + "/sdk-protocol/tests/fixtures/contsec-sdk-fixture"
        let r = try await contsec(["run", "sdk-fixture", "ruled", "--plugin-path", fixture, "--format", "sarif", "--no-log"])
        #expect(r.code == 0, "\(r.stderr)")
        let run = r.json?["runs"]?[0]
        let rule = run?["tool"]?["driver"]?["rules"]?[0]
        #expect(rule?["id"] == "FX-R")
        #expect(rule?["shortDescription"]?["text"] == "Declared rule title")
        #expect(rule?["fullDescription"]?["text"] == "What FX-R checks, declared once")
        #expect(rule?["helpUri"] == "https://example.com/rules/FX-R")
        #expect(rule?["help"]?["text"]?.stringValue?.hasPrefix("Do the declared thing") == true)
        #expect(rule?["defaultConfiguration"]?["level"] == "error", "the declared severity (high), not the finding's (medium)")
        let result = run?["results"]?[0]
        #expect(result?["message"]?["text"] == "this one place only")
        #expect(result?["level"] == "warning", "each result keeps its own severity")
        #expect(result?["locations"]?[0]?["physicalLocation"]?["artifactLocation"]?["uriBaseId"] == "CONTSEC_TARGETS")
        #expect(result?["locations"]?[0]?["logicalLocations"]?[0]?["kind"] == "host")
        #expect(sarifProblems(r.json ?? .null) == [])
    }

    @Test func iacScanDeclaresItsRules() async throws {
        let r = try await contsec(["run", "iac-scan", "--dir", Paths.packageRoot + "/examples/insecure-app", "--format", "sarif", "--no-log"],
                                  cwd: Paths.packageRoot)
        let rules = r.json?["runs"]?[0]?["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        let latest = rules.first { $0["id"] == "CS-DF-001" }
        // Plugins/iac-scan/README.md's rule table: CS-DF-001 "Base image uses the ':latest' tag".
        #expect(latest?["shortDescription"]?["text"] == "Base image uses the ':latest' tag", "\(rules.prefix(2))")
        #expect(latest?["helpUri"] == "https://github.com/hadolint/hadolint/wiki/DL3007")
    }
}
