import Foundation
import Testing
import ContsecProtocol

/// Issue #12, item 17: a finding's file is placed in SARIF by where it really is. `../../etc/passwd` (or an absolute
/// path through `..`) leaves the workspace and must not pose as a file of the repository under `%SRCROOT%`.
@Suite struct ReportPathTests {
    @Test func pathsLeavingTheWorkspaceAreNotUnderSrcRoot() async throws {
        let ws = try temporaryFolder("report-paths")
        // The workspace as contsec sees it (its cwd); the temporary folder may itself be reached through a symlink.
        let files = ["../../etc/passwd", "app/../../outside.txt", "./app/./sub/../Dockerfile", "\(ws)/k8s/deploy.yaml",
                     "\(ws)/../escaped.yaml", "/etc/shadow", "app//x/.."]
        let sends = files.enumerated().map { i, f in
            "f = finding(\"P\(i)\", \"high\"); f[\"target\"] = {\"kind\": \"file\", \"name\": \"x\", \"file\": \(String(reflecting: f))}\n"
                + "send({\"jsonrpc\": \"2.0\", \"method\": \"finding\", \"params\": f})"
        }.joined(separator: "\n")
        let dir = try HostilePlugin.make("pathy", runBody: sends + "\nsend({\"jsonrpc\": \"2.0\", \"id\": mid, \"result\": {\"status\": \"ok\"}})")
        let r = try await contsecBounded(["run", "pathy", "--plugin-path", dir, "--format", "sarif", "--no-log"], cwd: ws)
        #expect(r.code == 0, "\(r.stderr)")
        let sarif = try JSONParser.parse(r.stdout)
        let results = sarif["runs"]?[0]?["results"]?.arrayValue ?? []
        var byRule: [String: JSONValue] = [:]
        for res in results { byRule[res["ruleId"]?.stringValue ?? ""] = res["locations"]?[0]?["physicalLocation"]?["artifactLocation"] }
        let parent = (ws as NSString).deletingLastPathComponent
        let grandparent = (parent as NSString).deletingLastPathComponent
        #expect(byRule["P0"] == ["uri": .string("file://" + (grandparent == "/" ? "" : grandparent) + "/etc/passwd")])
        #expect(byRule["P1"] == ["uri": .string("file://" + parent + "/outside.txt")])
        #expect(byRule["P2"] == ["uri": "app/Dockerfile", "uriBaseId": "%SRCROOT%"])
        #expect(byRule["P3"] == ["uri": "k8s/deploy.yaml", "uriBaseId": "%SRCROOT%"])
        #expect(byRule["P4"] == ["uri": .string("file://" + parent + "/escaped.yaml")])
        #expect(byRule["P5"] == ["uri": "file:///etc/shadow"])
        #expect(byRule["P6"] == ["uri": "app", "uriBaseId": "%SRCROOT%"])
        for (rule, loc) in byRule where loc["uriBaseId"] == "%SRCROOT%" {
            let uri = loc["uri"]?.stringValue ?? ""
            #expect(!uri.contains(".."), "\(rule): \(loc)")
        }
    }
}
