#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecHost
import ContsecProtocol

/// Each reporter's output for the fixed event stream, compared with golden files and checked field by field.
@Suite struct ReporterOutputTests {
    /// Runs the fixed stream into one reporter writing to a file; returns the file's text.
    private func render(_ tag: String, ignore: IgnoreList? = nil, _ make: (ByteOutput) throws -> EventSink) throws -> String {
        let dir = try temporaryFolder("report-\(tag)")
        let path = dir + "/out"
        let out = try ByteOutput.file(path)
        FixedEvents.run([try make(out)], ignore: ignore)
        out.close()
        return try readText(path)
    }

    @Test func jsonlHasOneLinePerEventInSequenceWithEveryKind() throws {
        let text = try render("jsonl") { JSONLReporter(output: $0) }
        if let diff = try expectGolden(normalizeTimes(text), "fixed.jsonl") { Issue.record(Comment(rawValue: diff)) }
        let lines = text.split(separator: "\n").map { try? JSONParser.parse(String($0)) }
        #expect(lines.count == 17)
        #expect(lines.allSatisfy { $0 != nil })
        #expect(lines.map { $0?["seq"]?.intValue } == (1...17).map { Optional($0) })
        let kinds = Set(lines.compactMap { $0?["event"]?.stringValue })
        #expect(kinds == ["plugin-started", "plugin-ready", "finding", "stderr", "action", "progress", "log",
                          "protocol-warning", "plugin-finished", "plugin-failed"])
        let first = try #require(lines[0])
        #expect(first["plugin"] == "scanner" && first["runId"] == "run-1")
        #expect(first["time"]?.stringValue?.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil)
        #expect(lines[2]?["finding"]?["properties"]?["match"] == "AKIAIOSFODNN7EXAMPLE")  // JSONL carries the whole finding
        #expect(lines[16]?["error"]?["kind"] == "crashed")
    }

    @Test func sarifMapsSeverityLocationsRulesAndInvocations() throws {
        let text = try render("sarif") { SARIFReporter(output: $0, workspace: FixedEvents.workspace) }
        if let diff = try expectGolden(normalizeTimes(text), "fixed.sarif") { Issue.record(Comment(rawValue: diff)) }
        let doc = try JSONParser.parse(text)
        #expect(sarifProblems(doc) == [])
        let runs = try #require(doc["runs"]?.arrayValue)
        #expect(runs.map { $0["tool"]?["driver"]?["name"] } == ["contsec scanner", "contsec auditor"])
        let scanner = runs[0]
        #expect(scanner["tool"]?["driver"]?["version"] == "1.2.3")
        let rules = try #require(scanner["tool"]?["driver"]?["rules"]?.arrayValue)
        #expect(rules.map { $0["id"]?.stringValue } == ["SEC-1", "CVE-2026-0001", "DF-ROOT", "CIS-2.1", "RT-9"])
        #expect(rules.map { $0["properties"]?["security-severity"]?.stringValue } == ["9.5", "8.0", "5.5", "2.0", "0.0"])
        #expect(rules[0]["help"]?["text"]?.stringValue?.hasPrefix("Rotate the key") == true)
        #expect(rules[0]["helpUri"] == "https://example.com/rules/SEC-1")
        #expect(rules[2]["properties"]?["tags"] == ["misconfiguration", "security"])
        let results = try #require(scanner["results"]?.arrayValue)
        #expect(results.map { $0["level"]?.stringValue } == ["error", "error", "warning", "warning", "note", "note"])
        #expect(results.map { $0["ruleIndex"]?.intValue } == [0, 1, 2, 2, 3, 4])
        // Inside the workspace: relative to %SRCROOT%, with the region.
        let loc = results[0]["locations"]?[0]?["physicalLocation"]
        #expect(loc?["artifactLocation"] == ["uri": "app/config.env", "uriBaseId": "%SRCROOT%"])
        #expect(loc?["region"] == ["startLine": 3, "startColumn": 5, "endLine": 4])
        // An image: a logical location, with the artifact GitHub needs under CONTSEC_TARGETS (not %SRCROOT%: it is no
        // file of the repository), named <kind>/<name> with the colon escaped.
        #expect(results[1]["locations"]?[0]?["physicalLocation"]?["artifactLocation"] == ["uri": "image/nginx%3A1.27", "uriBaseId": "CONTSEC_TARGETS"])
        #expect(results[1]["locations"]?[0]?["logicalLocations"] == [["name": "nginx:1.27", "kind": "image", "fullyQualifiedName": "image:nginx:1.27"]])
        #expect(scanner["originalUriBaseIds"]?["CONTSEC_TARGETS"]?["uri"] == nil)
        #expect(results[1]["message"]?["text"] == "openssl: buffer overflow")  // no message: the title
        // Outside the workspace: an absolute file URI.
        #expect(results[5]["locations"]?[0]?["physicalLocation"]?["artifactLocation"]?["uri"] == "file:///etc/docker/daemon.json")
        #expect(results[2]["partialFingerprints"] == ["contsecFingerprint/v1": "fp-3"])
        #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))  // finding properties stay out of SARIF
        let invocation = scanner["invocations"]?[0]
        #expect(invocation?["executionSuccessful"] == true)
        #expect(invocation?["toolExecutionNotifications"]?[0]?["level"] == "warning")
        let auditor = runs[1]
        #expect(auditor["invocations"]?[0]?["executionSuccessful"] == false)
        let note = auditor["invocations"]?[0]?["toolExecutionNotifications"]?[0]
        #expect(note?["level"] == "error")
        #expect(note?["message"]?["text"]?.stringValue?.contains("crashed while running 'audit'") == true)
        #expect(auditor["results"]?[0]?["locations"]?[0]?["physicalLocation"]?["artifactLocation"]?["uri"] == "volume/data%20vol")
        #expect(auditor["results"]?[0]?["level"] == "note")
    }

    @Test func logFileLinesAreOnePerEventWithoutFindingSecrets() throws {
        let dir = try temporaryFolder("report-log")
        let log = try LogFileSink(directory: dir + "/logs/security")
        FixedEvents.run([log])
        let text = try readText(log.path)
        if let diff = try expectGolden(normalizeTimes(text), "fixed.log") { Issue.record(Comment(rawValue: diff)) }
        let lines = text.split(separator: "\n")
        #expect(lines.count == 17)
        #expect(lines.allSatisfy { $0.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z \[(scanner run-1|auditor run-2)\] [a-z-]+"#, options: .regularExpression) != nil })
        #expect(text.contains("] stderr | \\x1b[31mscanning\\x1b[0m layer 1"))  // escapes cannot repaint a terminal
        #expect(text.contains("] log warning database is 3 days old\\nrun update"))  // one line per event
        #expect(text.contains("] finding CRITICAL SEC-1 /work/ws/app/config.env:3 — AWS access key in a file"))
        #expect(!text.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(!text.contains("An AWS key is committed"))  // messages can quote secrets: not logged
    }

    @Test func jsonReportListsIgnoredFindingsApartAndCarriesTheGate() throws {
        let dir = try temporaryFolder("report-json")
        let out = try ByteOutput.file(dir + "/r.json")
        let json = try JSONReporter(output: out)
        let ignore = IgnoreList(text: "SEC-1  # accepted\nfp-4 exp:2999-01-01\n", path: dir + "/.contsecignore")
        let filter = FixedEvents.run([json], ignore: ignore, gate: GateOptions(failOn: .high, maxFindings: 3))
        out.close()
        let text = try readText(dir + "/r.json")
        let doc = try JSONParser.parse(text)
        #expect(findings(doc).map { $0["fingerprint"]?.stringValue } == ["fp-2", "fp-3", "fp-5", "fp-6", "fp-7"])
        let ignored = try #require(doc["ignored"]?.arrayValue)
        #expect(ignored.map { $0["finding"]?["fingerprint"]?.stringValue } == ["fp-1", "fp-4"])
        #expect(ignored[0]["reason"] == ".contsecignore:1 SEC-1")
        #expect(ignored[1]["reason"] == ".contsecignore:2 fp-4 (until 2999-01-01)")
        #expect(ignored[0]["plugin"] == "scanner")
        #expect(doc["summary"]?["ignored"] == 2)
        #expect(doc["summary"]?["findings"] == 5)
        #expect(doc["summary"]?["bySeverity"]?["critical"] == 0)  // the ignored critical is not counted
        #expect(doc["gate"]?["tripped"] == true)
        #expect(doc["gate"]?["failOn"] == "high")
        #expect(doc["gate"]?["reasons"] == ["1 finding at or above high (high 1); --fail-on high", "5 findings, more than --max-findings 3"])
        #expect(filter.verdict.tripped)
        #expect(pluginEntry(doc, "auditor")?["error"]?["kind"] == "crashed")
    }

    @Test func ignoredFindingsAreMarkedInJSONLAndLeftOutOfSARIFAndTable() throws {
        let dir = try temporaryFolder("report-ignore")
        let paths = ["jsonl", "sarif", "table"].map { dir + "/" + $0 }
        let outs = try paths.map { try ByteOutput.file($0) }
        let log = try LogFileSink(directory: dir + "/logs")
        let ignore = IgnoreList(text: "CVE-2026-0001\n", path: dir + "/.contsecignore")
        FixedEvents.run([JSONLReporter(output: outs[0]), SARIFReporter(output: outs[1], workspace: FixedEvents.workspace),
                         TableReporter(output: outs[2]), log], ignore: ignore)
        outs.forEach { $0.close() }
        let jsonl = try readText(paths[0]).split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        let marked = jsonl.filter { $0["ignored"] == true }
        #expect(marked.count == 1)
        #expect(marked.first?["finding"]?["ruleId"] == "CVE-2026-0001")
        #expect(marked.first?["ignoreReason"] == ".contsecignore:1 CVE-2026-0001")
        #expect(jsonl.count == 17)  // still there, in sequence
        let sarif = try JSONParser.parse(try readText(paths[1]))
        let ruleIds = sarif["runs"]?[0]?["results"]?.arrayValue?.compactMap { $0["ruleId"]?.stringValue } ?? []
        #expect(!ruleIds.contains("CVE-2026-0001"))
        #expect(ruleIds.count == 5)
        #expect(sarifProblems(sarif) == [])
        let table = try readText(paths[2])
        #expect(!table.contains("CVE-2026-0001"))
        #expect(table.contains("1 ignored"))
        #expect(try readText(log.path).contains("finding HIGH CVE-2026-0001 image nginx:1.27 — openssl: buffer overflow (ignored: .contsecignore:1 CVE-2026-0001)"))
    }

    @Test func jsonlMemoryStaysFlatAndItFlushesWhenAPluginEnds() throws {
        let dir = try temporaryFolder("report-flush")
        let path = dir + "/events.jsonl"
        let out = try ByteOutput.file(path)
        let sink = JSONLReporter(output: out)
        let bus = EventBus()
        bus.subscribe(sink)
        bus.publish(plugin: "p", runId: "r", .pluginStarted(path: "/p", command: nil))
        bus.publish(plugin: "p", runId: "r", .finding(FixedEvents.findings[2]))
        bus.drain()
        #expect(try readText(path).isEmpty)  // buffered: a line at a time would cost a syscall each
        bus.publish(plugin: "p", runId: "r", .pluginFinished(RunResult(status: .ok), duration: 0.1))
        bus.drain()
        #expect(try readText(path).split(separator: "\n").count == 3)  // `tail -f` sees a finished plugin at once
        bus.finish()
    }

    @Test func sarifKeepsTheMostSevereResultsWithinGitHubsLimitAndSaysHowManyItLeftOut() throws {
        let text = try render("sarif-cap") { SARIFReporter(output: $0, workspace: FixedEvents.workspace, maxResultsPerRun: 3) }
        let doc = try JSONParser.parse(text)
        #expect(sarifProblems(doc) == [])
        let results = doc["runs"]?[0]?["results"]?.arrayValue ?? []
        #expect(results.compactMap { $0["partialFingerprints"]?["contsecFingerprint/v1"]?.stringValue } == ["fp-1", "fp-2", "fp-3"])
        let notes = doc["runs"]?[0]?["invocations"]?[0]?["toolExecutionNotifications"]?.arrayValue ?? []
        #expect(notes.last?["message"]?["text"]?.stringValue?.hasPrefix("3 results were left out, the least severe first") == true)
        #expect(doc["runs"]?[1]?["results"]?.arrayValue?.count == 1)  // the limit is per run
    }

    @Test func sarifOrdersResultsBySeverityWhateverTheArrivalOrder() throws {
        let dir = try temporaryFolder("sarif-order")
        let out = try ByteOutput.file(dir + "/r.sarif")
        let bus = EventBus()
        bus.subscribe(SARIFReporter(output: out, workspace: "/ws", maxResultsPerRun: 4))
        let severities: [Severity] = [.low, .critical, .info, .high, .low, .critical, .medium]
        for (i, s) in severities.enumerated() {
            bus.publish(plugin: "p", runId: "r", .finding(Finding(ruleId: "R\(i)", title: "t", severity: s, category: .runtime,
                                                                target: Target(kind: "host", name: "h"), fingerprint: "f\(i)")))
        }
        bus.finish()
        out.close()
        let doc = try JSONParser.parse(try readText(dir + "/r.sarif"))
        #expect(sarifProblems(doc) == [])
        let kept = doc["runs"]?[0]?["results"]?.arrayValue?.compactMap { $0["partialFingerprints"]?["contsecFingerprint/v1"]?.stringValue }
        #expect(kept == ["f1", "f5", "f3", "f6"])  // critical ×2, high, medium; the lows and the info are left out
    }

    /// One rule id in several findings whose message and remediation differ (one CVE in two packages): the rule keeps
    /// only what they share, each result its own message; the table names each package.
    @Test func sarifRuleTextIsWhatItsResultsShareAndTheTableNamesPackages() throws {
        let dir = try temporaryFolder("sarif-shared")
        let out = try ByteOutput.file(dir + "/r.sarif")
        let tableOut = try ByteOutput.file(dir + "/table.txt")
        let bus = EventBus()
        bus.subscribe(SARIFReporter(output: out, workspace: "/ws"))
        bus.subscribe(TableReporter(output: tableOut, colour: false))
        func vuln(_ package: String, _ fixed: String?, rule: String = "CVE-1") -> Finding {
            var properties: [String: JSONValue] = ["package": .string(package), "installedVersion": "1.0"]
            if let fixed { properties["fixedVersion"] = .string(fixed) }
            return Finding(ruleId: rule, title: "lib: overflow", severity: .high, category: .vulnerability,
                           target: Target(kind: "image", name: "app:1"), message: "\(package) 1.0 is affected",
                           remediation: "Upgrade \(package)", fingerprint: rule + package, properties: properties)
        }
        for f in [vuln("libfoo", "1.1"), vuln("libfoo-utils", "1.1"), vuln("other", nil, rule: "CVE-2")] {
            bus.publish(plugin: "p", runId: "r", .finding(f))
        }
        bus.finish()
        out.close()
        tableOut.close()
        let doc = try JSONParser.parse(try readText(dir + "/r.sarif"))
        #expect(sarifProblems(doc) == [])
        let rules = doc["runs"]?[0]?["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        #expect(rules[0]["fullDescription"]?["text"]?.stringValue == "lib: overflow")
        #expect(rules[0]["help"]?["text"]?.stringValue?.contains("Upgrade libfoo") == false)
        // A rule with one finding keeps its texts.
        #expect(rules[1]["fullDescription"]?["text"]?.stringValue == "other 1.0 is affected")
        #expect(rules[1]["help"]?["text"]?.stringValue == "Upgrade other")
        let messages = doc["runs"]?[0]?["results"]?.arrayValue?.compactMap { $0["message"]?["text"]?.stringValue }
        #expect(messages == ["libfoo 1.0 is affected", "libfoo-utils 1.0 is affected", "other 1.0 is affected"])
        let table = try readText(dir + "/table.txt")
        #expect(table.contains("libfoo 1.0 → 1.1 "), "\(table)")
        #expect(table.contains("libfoo-utils 1.0 → 1.1 "))
        #expect(table.contains("other 1.0 → no fix "))
    }
}
