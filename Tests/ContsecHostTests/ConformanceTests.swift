#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import ContsecHost
import ContsecProtocol

/// `contsec plugin test`: every plugin this repository ships passes; each deliberately broken fixture fails the
/// check it breaks, and only that one (Fixtures/conformance/conformance_base.py).
/// Serialized: each case starts a dozen processes, and other suites measure timings on the same two cores.
@Suite(.serialized) struct ConformanceTests {
    static let conformanceFixtures = Paths.fixtures + "/conformance"

    /// Every plugin built beside contsec, every example in sdk-protocol/examples, and the correct fixture.
    static var shippedPlugins: [String] {
        let fm = FileManager.default
        var paths: [String] = []
        for name in ((try? fm.contentsOfDirectory(atPath: Paths.products)) ?? []).sorted()
        where name.hasPrefix("contsec-") && !name.contains(".") && access(Paths.products + "/" + name, X_OK) == 0 {
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: Paths.products + "/" + name, isDirectory: &isDir), !isDir.boolValue { paths.append(Paths.products + "/" + name) }
        }
        paths += [Paths.noop, Paths.testkit]  // test-only plugins, not built under a name discovery finds
        let examples = Paths.packageRoot + "/sdk-protocol/examples"
        for name in ((try? fm.contentsOfDirectory(atPath: examples)) ?? []).sorted() { paths.append(examples + "/" + name) }
        paths.append(conformanceFixtures + "/contsec-conf-good")
        return paths
    }

    static func runKit(_ target: String, env: [String: String] = [:]) throws -> (code: Int32, report: JSONValue, stderr: String) {
        let r = try contsec(["plugin", "test", target, "--format", "json"], env: env, timeout: 240)
        guard let doc = r.json else { throw TestFailure("no JSON report for \(target): \(r.stdout)\n\(r.stderr)") }
        return (r.code, doc, r.stderr)
    }

    static func failedChecks(_ report: JSONValue) -> Set<String> {
        Set((report["checks"]?.arrayValue ?? []).filter { $0["passed"] == false }.compactMap { $0["id"]?.stringValue })
    }

    @Test func theKitFindsTheBundledPlugins() {
        let names = Self.shippedPlugins.map { ($0 as NSString).lastPathComponent }
        for expected in ["contsec-noop", "contsec-testkit", "sh-hello", "python-file-perms", "contsec-conf-good"] {
            #expect(names.contains(expected), "missing \(expected) in \(names)")
        }
    }

    @Test(arguments: shippedPlugins)
    func shippedPluginPassesEveryCheck(_ path: String) throws {
        let (code, report, stderr) = try Self.runKit(path)
        let failed = Self.failedChecks(report)
        let handshake = report["checks"]?.arrayValue?.first { $0["id"] == "handshake" }
        if handshake?["detail"]?.stringValue?.contains("the plugin declares no command") == true {
            // A target whose plugin is still a placeholder (declares no command yet): say so, do not hide it.
            withKnownIssue("\(path) is a placeholder plugin with no commands yet", isIntermittent: true) {
                #expect(failed.isEmpty)
            }
            return
        }
        #expect(code == 0, "\(path): failed \(failed.sorted()) \(stderr)")
        #expect(failed.isEmpty, "\(path): \(JSONWriter.string(report))")
        #expect(report["failed"] == 0)
        #expect((report["checks"]?.arrayValue?.count ?? 0) == ConformanceKit.catalogue.count)
    }

    static let brokenChecks = ["handshake", "version-negotiation", "shutdown-exit", "not-initialized", "unknown-method",
                               "invalid-params-command", "invalid-params-type", "run-default", "cancel", "stdin-eof",
                               "sigterm", "crlf", "non-ascii", "large-message", "stdout-clean", "schema",
                               "invalid-params-values", "invalid-state", "invalid-request", "cancel-id-type",
                               "shutdown-during-run", "host-rules", "after-answer", "empty-target-name"]

    /// The checks each broken fixture must fail: its own, except where one breach shows in several places.
    static func expectedFailures(_ fixture: String) -> Set<String> {
        switch fixture {
        // A run that crashes leaves nothing to cancel, overlap, stop or echo text through.
        case "run-default": return ["run-default", "cancel", "non-ascii", "invalid-state", "cancel-id-type", "shutdown-during-run"]
        // Cancel ignored: the id-type check cannot see the right id work either.
        case "cancel": return ["cancel", "cancel-id-type"]
        // A finding without a category: the host rejects what the schema rejects.
        case "schema": return ["schema", "host-rules"]
        // A finding after the run's answer breaks a host rule no schema can state.
        case "after-answer": return ["host-rules"]
        // Issue #11 item 1: what the schema rejects, the host rejects too, and the kit says both.
        case "empty-target-name": return ["schema", "host-rules"]
        default: return [fixture]
        }
    }

    @Test(arguments: brokenChecks)
    func brokenFixtureFailsTheRightCheck(_ check: String) throws {
        let (code, report, _) = try Self.runKit(Self.conformanceFixtures + "/contsec-broken-" + check)
        #expect(code == ExitCode.pluginFailed.rawValue)
        let failed = Self.failedChecks(report)
        let expected = Self.expectedFailures(check)
        #expect(failed == expected, "\(check): failed \(failed.sorted())")
        let entry = report["checks"]?.arrayValue?.first { $0["id"]?.stringValue == expected.sorted().first }
        #expect(entry?["detail"]?.stringValue?.isEmpty == false)
        #expect(report["failed"]?.intValue == expected.count)
        #expect(report["plugin"] == "conf-fixture")
    }

    /// A plugin that speaks only another version: one failure that says why, the rest not run (not 13 copies of -32010).
    @Test func aPluginOfAnotherVersionFailsOnceAndSaysWhy() throws {
        let (code, report, _) = try Self.runKit(Paths.fixture("contsec-oldproto"))
        #expect(code == ExitCode.pluginFailed.rawValue)
        #expect(Self.failedChecks(report) == ["handshake"])
        let handshake = report["checks"]?.arrayValue?.first { $0["id"] == "handshake" }
        #expect(handshake?["detail"]?.stringValue?.hasPrefix("the plugin speaks protocol 0.9 only; contsec speaks 1.1, 1.0") == true)
        let skipped = report["checks"]?.arrayValue?.filter { $0["skipped"] == true && $0["detail"] == "not run: the handshake failed (see handshake)" }
        #expect(skipped?.count == ConformanceKit.needsHandshake.count)
    }

    /// Issue #11 item 1, from the host's side: the finding the kit fails is the one every real run rejects.
    @Test func theHostRejectsWhatTheKitFails() throws {
        let r = try contsec(["run", "broken-empty-target-name", "--plugin-path", Self.conformanceFixtures + "/contsec-broken-empty-target-name",
                             "--format", "json", "--no-log"])
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stderr.contains("finding.target.name: must not be empty"), "\(r.stderr)")
    }

    @Test func offendingMessageIsShownTruncated() throws {
        let (_, report, _) = try Self.runKit(Self.conformanceFixtures + "/contsec-broken-stdout-clean")
        let entry = report["checks"]?.arrayValue?.first { $0["id"] == "stdout-clean" }
        #expect(entry?["message"] == "conformance fixture starting up")
        let schema = try Self.runKit(Self.conformanceFixtures + "/contsec-broken-schema").report
        let s = schema["checks"]?.arrayValue?.first { $0["id"] == "schema" }
        #expect(s?["detail"]?.stringValue?.contains("required member 'category' is missing") == true)
        #expect(s?["message"]?.stringValue?.contains("\"method\":\"finding\"") == true)
    }

    @Test func missingSchemasFailTheSchemaCheckAndSaySo() throws {
        let (code, report, _) = try Self.runKit(Paths.noop, env: ["CONTSEC_SCHEMA_DIR": "/nonexistent/schemas"])
        #expect(code == ExitCode.pluginFailed.rawValue)
        #expect(Self.failedChecks(report) == ["schema"])
        let s = report["checks"]?.arrayValue?.first { $0["id"] == "schema" }
        #expect(s?["detail"]?.stringValue?.contains("CONTSEC_SCHEMA_DIR") == true)
    }

    @Test func tableReportNamesFailures() throws {
        let r = try contsec(["plugin", "test", Self.conformanceFixtures + "/contsec-broken-unknown-method"], timeout: 240)
        #expect(r.code == ExitCode.pluginFailed.rawValue)
        #expect(r.stdout.contains("FAIL  unknown-method"))
        #expect(r.stdout.contains("1 failed"))
    }

    @Test func pluginIsFoundByName() throws {
        let r = try contsec(["plugin", "test", "noop", "--format", "json"], timeout: 120)
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.json?["plugin"] == "noop")
    }

    @Test func manifestMismatchWithTheHandshakeFails() throws {
        let dir = try temporaryFolder("conf-manifest")
        let exe = dir + "/contsec-conf-fixture"
        // A copy of the good fixture that runs the base script from the fixtures folder.
        try "#!/bin/sh\nexec python3 \(Self.conformanceFixtures)/conformance_base.py\n".write(toFile: exe, atomically: true, encoding: .utf8)
        chmod(exe, 0o755)
        let hash = PluginTrust.sha256(ofFile: exe)!
        let manifest = PluginManifest(name: "conf-fixture", version: "9.9.9", protocolVersions: ["1.0"], executable: "contsec-conf-fixture", sha256: hash)
        try manifest.fileText().write(toFile: dir + "/contsec-conf-fixture.json", atomically: true, encoding: .utf8)
        let ok = try Self.runKit(exe)
        #expect(Self.failedChecks(ok.report).isEmpty, "\(JSONWriter.string(ok.report))")
        var wrong = manifest
        wrong.name = "conf-fixture"
        try "#!/bin/sh\nexec python3 \(Self.conformanceFixtures)/conformance_base.py\n".write(toFile: dir + "/contsec-other", atomically: true, encoding: .utf8)
        chmod(dir + "/contsec-other", 0o755)
        wrong.executable = "contsec-other"
        wrong.name = "other"
        wrong.sha256 = PluginTrust.sha256(ofFile: dir + "/contsec-other")
        try wrong.fileText().write(toFile: dir + "/contsec-other.json", atomically: true, encoding: .utf8)
        let bad = try Self.runKit(dir + "/contsec-other")
        #expect(Self.failedChecks(bad.report) == ["manifest"])
        let m = bad.report["checks"]?.arrayValue?.first { $0["id"] == "manifest" }
        #expect(m?["detail"]?.stringValue?.contains("initialize says 'conf-fixture'") == true)
    }

    @Test func pluginsUnderTestHaveNoNetworkUnlessAllowed() throws {
        guard geteuid() == 0 else { return }  // a network namespace needs root here
        let listener = try LoopbackListener()
        let env = ["CONFORMANCE_CONNECT_PORT": String(listener.port)]
        let isolated = try Self.runKit(Self.conformanceFixtures + "/contsec-conf-good", env: env)
        #expect(isolated.report["network"]?.stringValue?.hasPrefix("isolated") == true)
        #expect(Self.failedChecks(isolated.report).isEmpty)
        #expect(listener.accepted == 0, "a plugin under test reached 127.0.0.1:\(listener.port)")
        let r = try contsec(["plugin", "test", "--allow-network", Self.conformanceFixtures + "/contsec-conf-good", "--format", "json"],
                            env: env, timeout: 240)
        #expect(r.json?["network"] == "not isolated (--allow-network)")
        #expect(listener.accepted > 0)
    }
}

/// A TCP listener on 127.0.0.1 that counts connections.
final class LoopbackListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    private let lock = NSLock()
    private var count = 0

    var accepted: Int { lock.lock(); defer { lock.unlock() }; return count }

    init() throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(s, sa, len) == 0 && listen(s, 16) == 0 && getsockname(s, sa, &len) == 0
            }
        }
        guard ok else { close(s); throw TestFailure("cannot listen on 127.0.0.1") }
        fd = s
        port = UInt16(bigEndian: addr.sin_port)
        let t = Thread { [self] in
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                close(c)
                lock.lock(); count += 1; lock.unlock()
            }
        }
        t.start()
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}
