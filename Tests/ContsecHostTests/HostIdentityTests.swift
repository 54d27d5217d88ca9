import Foundation
import Testing
import ContsecHost
import ContsecProtocol

@Suite struct HostIdentityTests {
    @Test("CONTSEC_HOST_NAME wins over the kernel's host name; blank or control characters do not make a name")
    func resolve() {
        #expect(HostIdentity.resolve(environment: ["CONTSEC_HOST_NAME": "node-7.prod"]) == "node-7.prod")
        #expect(HostIdentity.resolve(environment: ["CONTSEC_HOST_NAME": " node\n-8 "]) == "node-8")
        // Tabs and no-break spaces trim as blanks; a zero-width space (a format character) goes like a control one.
        #expect(HostIdentity.resolve(environment: ["CONTSEC_HOST_NAME": "\t\u{00A0}node-9\u{200B} a\u{00A0}"]) == "node-9 a")
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(HostIdentity.resolve(environment: ["CONTSEC_HOST_NAME": "  "]) == kernel)
        #expect(HostIdentity.resolve(environment: [:]) == kernel)
    }

    @Test("a live run stamps its host on every JSONL line and every JSON finding")
    func liveRun() async throws {
        let dir = try temporaryFolder("host")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try await contsec(["run", "testkit", "--findings", "2", "--format", "jsonl", "--no-log"],
                                  env: ["CONTSEC_HOST_NAME": "worker-3"], cwd: dir)
        #expect(r.code == 0)
        let lines = r.stdout.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
        #expect(lines.count >= 5)
        #expect(lines.allSatisfy { $0["host"] == "worker-3" && $0["schemaVersion"] == 1 })
        let json = try await contsec(["run", "testkit", "--findings", "2", "--format", "json", "--no-log"],
                                     env: ["CONTSEC_HOST_NAME": "worker-3"], cwd: dir)
        #expect(json.json?["host"] == "worker-3" && json.json?["schemaVersion"] == 1)
        #expect(json.json?["findings"]?.arrayValue?.allSatisfy { $0["host"] == "worker-3" } == true)
    }
}
