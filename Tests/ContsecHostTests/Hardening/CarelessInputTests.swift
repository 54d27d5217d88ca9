import Foundation
import Testing
import ContsecProtocol

/// Issue #12: careless input (absurd durations, generated workflows, huge flag lists) gets a clear error or a
/// fast answer, never a crash or a minute of CPU.
@Suite struct CarelessInputTests {
    /// Item 6: every duration is validated once, with a clear error, before anything starts.
    @Test func absurdDurationsAreUsageErrors() async throws {
        for value in ["1e10", "inf", "nan", "-5", "0", "soon"] {
            let r = try await contsecBounded(["run", "testkit", "--timeout", value, "--idle-timeout", "1e10", "--no-log"], timeout: 20)
            #expect(r.code == 2, "--timeout \(value): \(r.stderr)")
            #expect(r.stderr.contains("--timeout"), "\(r.stderr)")
        }
        let idle = try await contsecBounded(["run", "testkit", "--idle-timeout", "inf", "--no-log"], timeout: 20)
        #expect(idle.code == 2)
        #expect(idle.stderr.contains("--idle-timeout is not a finite number"))
        let week = try await contsecBounded(["run", "testkit", "--timeout", "604800", "--no-log"], timeout: 20)
        #expect(week.code == 0, "\(week.stderr)")
    }

    @Test(arguments: [(".nan", "is not a finite number"), ("-5", "must be above 0"), ("1e10", "is over the maximum"),
                      ("soon", "must be a number of seconds")])
    func workflowStepTimeoutsAreValidated(value: String, problem: String) async throws {
        let dir = try temporaryFolder("wf-timeout")
        try "steps:\n  - plugin: noop\n    timeout: \(value)\n".write(toFile: dir + "/w.yaml", atomically: true, encoding: .utf8)
        let r = try await contsecBounded(["workflow", dir + "/w.yaml", "--no-log"], timeout: 20)
        #expect(r.code == 2)
        #expect(r.stderr.contains("step 'noop': \"timeout\" \(problem)"), "\(r.stderr)")
    }

    /// Item 7: a 70,000-step `needs` chain used to overflow the stack; now the step count is capped, and the cycle
    /// check is iterative (a 1,000-step chain and a 1,000-step cycle are judged at once).
    @Test func deepWorkflowsAreRefusedOrJudgedWithoutRecursion() async throws {
        let dir = try temporaryFolder("wf-deep")
        func chain(_ n: Int, cycle: Bool) -> String {
            var text = "steps:\n"
            for i in 0..<n {
                text += "  - {id: s\(i), plugin: noop\(i > 0 ? ", needs: s\(i - 1)" : cycle ? ", needs: s\(n - 1)" : "")}\n"
            }
            return text
        }
        try chain(70_000, cycle: false).write(toFile: dir + "/deep.yaml", atomically: true, encoding: .utf8)
        let deep = try await contsecBounded(["workflow", dir + "/deep.yaml", "--no-log"], timeout: 60)
        #expect(deep.code == 2)
        #expect(deep.stderr.contains("70000 steps is over the limit of 1000"), "\(deep.stderr)")

        try chain(1000, cycle: true).write(toFile: dir + "/cycle.yaml", atomically: true, encoding: .utf8)
        let started = Date()
        let cycle = try await contsecBounded(["workflow", dir + "/cycle.yaml", "--no-log"], timeout: 60)
        #expect(cycle.code == 2)
        #expect(cycle.stderr.contains("the steps' needs form a cycle: "), "\(cycle.stderr)")
        #expect(cycle.stderr.contains("s999"))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    /// Item 22: 60,000 repeated list flags are parsed in linear time (30,000 took 6.5 s, 100,000 took 65 s).
    @Test func repeatedListFlagsAreLinear() async throws {
        let dir = try HostilePlugin.make("counter", params: #"[{"name": "item", "type": "list"}]"#, runBody: """
            n = len(m["params"]["args"].get("item", []))
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok", "summary": {"items": n}}})
            """)
        let items = Array(repeating: "--item=v", count: 60_000)
        let started = Date()
        let r = try await contsecBounded(["run", "counter", "--plugin-path", dir, "--format", "json", "--no-log"] + items, timeout: 60)
        #expect(r.code == 0, "\(r.stderr.prefix(500))")
        #expect(pluginEntry(r.json, "counter")?["summary"]?["items"] == 60_000)
        #expect(Date().timeIntervalSince(started) < 10)
    }
}
