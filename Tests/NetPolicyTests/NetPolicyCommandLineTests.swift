import Foundation
import Testing
import ContainerKit

/// The plugin through `contsec run netpolicy …`, as a user types it: exit codes and messages for bad input.
@Suite struct NetPolicyCommandLineTests {
    /// The folder holding the built `contsec` and `contsec-netpolicy`.
    static let products: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("contsec").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }()

    func contsec(_ args: [String], in ws: TestWorkspace) async throws -> ToolResult {
        try await ToolRunner().run(Self.products + "/contsec", ["run", "netpolicy"] + args + ["--no-log"],
                                   options: ToolRunOptions(timeout: 60, workingDirectory: ws.path))
    }

    @Test func createPolicyWritesBothFilesOnceAndRefusesToClobber() async throws {
        let ws = TestWorkspace()
        let first = try await contsec(["create-policy", "--service", "web-app", "--ingress", "frontend", "--egress", "api,db", "--format", "json"], in: ws)
        #expect(first.termination == .exited(0), "\(first.stderrText)")
        #expect(ws.exists("policies/web-app-policy.json") && ws.exists("policies/web-app-networkpolicy.yaml"))
        let again = try await contsec(["create-policy", "--service", "web-app", "--ingress", "frontend", "--egress", "api,db", "--format", "json"], in: ws)
        #expect(again.termination == .exited(0))
        #expect(again.stdoutText.contains("\"status\":\"skipped\"") && !again.stdoutText.contains("\"status\":\"applied\""))
        let other = try await contsec(["create-policy", "--service", "web-app", "--egress", "api"], in: ws)
        #expect(other.termination == .exited(3))
        #expect(other.stderrText.contains("policies/web-app-policy.json exists and differs from this policy"))
        let badFlag = try await contsec(["create-policy", "--service", "web-app", "--egress", "api:70000"], in: ws)
        #expect(badFlag.termination == .exited(2))
        #expect(badFlag.stderrText.contains("--egress: 'api:70000': port 70000 is outside 1-65535"), "\(badFlag.stderrText)")
    }

    @Test func malformedPolicyNamesItsJSONPath() async throws {
        let ws = TestWorkspace()
        try FileManager.default.createDirectory(atPath: ws.path + "/policies", withIntermediateDirectories: true)
        try #"{"apiVersion":"contsec.dev/v1","kind":"ServicePolicy","service":"api","egress":[{"to":[{"service":"db","tier":"data"}]}]}"#
            .write(toFile: ws.path + "/policies/api-policy.json", atomically: true, encoding: .utf8)
        let r = try await contsec(["apply-policy", "--policy", "policies/api-policy.json"], in: ws)
        #expect(r.termination == .exited(3))
        #expect(r.stderrText.contains("api-policy.json: $.egress[0].to[0]: a peer is one of service, tier or cidr, not service and tier"), "\(r.stderrText)")
    }
}
