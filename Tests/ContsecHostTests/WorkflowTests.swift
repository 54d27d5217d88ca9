import Foundation
import Testing
import ContsecProtocol

/// `contsec workflow` against real plugin processes (the testkit plugin plays every step).
@Suite struct WorkflowTests {
    func write(_ workflow: JSONValue) throws -> String {
        let dir = try temporaryFolder("wf")
        let path = dir + "/workflow.json"
        try Data(JSONWriter.bytes(workflow)).write(to: URL(fileURLWithPath: path))
        return path
    }

    func step(_ id: String, needs: [String] = [], onFailure: String = "stop", _ args: [String: JSONValue]) -> JSONValue {
        ["id": .string(id), "plugin": "testkit", "needs": .array(needs.map(JSONValue.string)),
         "onFailure": .string(onFailure), "args": .object(args)]
    }

    @Test func independentStepsRunInParallel() async throws {
        let steps: JSONValue = [step("a", ["sleep-ms": 1500, "findings": 1]), step("b", ["sleep-ms": 1500, "findings": 2])]
        let parallel = try write(["maxParallel": 2, "steps": steps])
        let serial = try write(["maxParallel": 1, "steps": steps])
        var t = Date()
        let p = try await contsec(["workflow", parallel, "--format", "json"])
        let parallelTime = Date().timeIntervalSince(t)
        t = Date()
        let s = try await contsec(["workflow", serial, "--format", "json"])
        let serialTime = Date().timeIntervalSince(t)
        #expect(p.code == 0, "\(p.stderr)")
        #expect(s.code == 0)
        #expect(findings(p.json).count == 3)
        #expect(p.json?["plugins"]?.arrayValue?.count == 2)
        #expect(parallelTime < 2.6, "two 1.5 s steps with maxParallel 2 took \(parallelTime) s")
        #expect(serialTime >= 3.0, "two 1.5 s steps with maxParallel 1 took only \(serialTime) s")
    }

    @Test func failingStepUnderStopSkipsTheRest() async throws {
        let wf = try write(["steps": [
            step("first", ["findings": 1]),
            step("broken", needs: ["first"], ["fail": "scanner exploded"]),
            step("after", needs: ["broken"], ["findings": 5]),
            step("independent", needs: ["first"], ["findings": 2, "sleep-ms": 300]),
        ]])
        let r = try await contsec(["workflow", wf, "--format", "json"])
        #expect(r.code == 3)
        #expect(r.stderr.contains("broken (testkit): failed"))
        #expect(r.stderr.contains("scanner exploded"))
        #expect(r.stderr.contains("after (testkit): skipped"))
        #expect(findings(r.json).count >= 1)
        #expect(!findings(r.json).contains { $0["fingerprint"] == "tk-4" })  // 'after' never ran
    }

    @Test func failingStepUnderContinueLetsTheRestRun() async throws {
        let wf = try write(["steps": [
            step("broken", onFailure: "continue", ["fail": "optional check failed"]),
            step("after", needs: ["broken"], ["findings": 5]),
        ]])
        let r = try await contsec(["workflow", wf, "--format", "json"])
        #expect(r.code == 3)  // a failure is still a failure: one exit code for the whole invocation
        #expect(r.stderr.contains("after (testkit): succeeded"))
        #expect(findings(r.json).count == 5)
    }

    @Test func badWorkflowFilesAreUsageErrorsNamingTheProblem() async throws {
        let cycle = try write(["steps": [step("a", needs: ["b"], [:]), step("b", needs: ["a"], [:])]])
        let r1 = try await contsec(["workflow", cycle])
        #expect(r1.code == 2)
        #expect(r1.stderr.contains("cycle: a → b → a") || r1.stderr.contains("cycle: b → a → b"))
        let unknownNeed = try write(["steps": [step("a", needs: ["ghost"], [:])]])
        let r2 = try await contsec(["workflow", unknownNeed])
        #expect(r2.code == 2)
        #expect(r2.stderr.contains("step 'a' needs 'ghost', which is not a step"))
        let badArg = try write(["steps": [step("a", ["findings": "many"])]])
        let r3 = try await contsec(["workflow", badArg])
        #expect(r3.code == 2)  // a bad argument in the file is a usage error, found once the plugin declares its flags
        #expect(r3.stderr.contains("step 'a': args.findings: expected int"))
        let r4 = try await contsec(["workflow", "/nonexistent/wf.json"])
        #expect(r4.code == 2)
        #expect(r4.stderr.contains("cannot read workflow file /nonexistent/wf.json"))
    }
}

@Suite struct YAMLWorkflowTests {
    @Test func yamlWorkflowRunsAndPathsAreRelativeToTheFile() async throws {
        let dir = try temporaryFolder("wf-yaml")
        let path = dir + "/deploy.yaml"
        try """
        # validate, then two checks in parallel
        name: yaml-demo
        maxParallel: 2
        steps:
          - id: validate
            plugin: testkit
            args: {findings: 1, file: reports/in.txt}
          - id: check-a
            plugin: testkit
            needs: validate
            args:
              findings: 2
              severity: high
          - id: check-b
            plugin: testkit
            needs: [validate]
            onFailure: continue
            args: {findings: 3}
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await contsec(["workflow", path, "--format", "json"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(findings(r.json).count == 6)
        let validate = r.json?["plugins"]?.arrayValue?.first
        #expect(validate?["summary"]?["file"]?.stringValue == dir + "/reports/in.txt")
    }

    @Test func invalidYAMLNamesTheLine() async throws {
        let dir = try temporaryFolder("wf-yaml-bad")
        let path = dir + "/bad.yml"
        try "steps:\n  - plugin: testkit\n    args: {findings: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try await contsec(["workflow", path])
        #expect(r.code == 2)
        #expect(r.stderr.contains("is not valid YAML: line"))
    }
}

@Suite struct WorkflowGateTests {
    @Test func failOnAppliesAcrossAllSteps() async throws {
        let dir = try temporaryFolder("wf-gate")
        let path = dir + "/wf.json"
        try #"{"steps":[{"id":"a","plugin":"testkit","args":{"findings":1,"severity":"low"}},{"id":"b","plugin":"testkit","args":{"findings":1,"severity":"high"}}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let tripped = try await contsec(["workflow", path, "--fail-on", "high", "--no-log"])
        #expect(tripped.code == 1, "\(tripped.stderr)")
        #expect(tripped.stderr.contains("gate tripped"))
        let passed = try await contsec(["workflow", path, "--fail-on", "critical", "--no-log"])
        #expect(passed.code == 0)
    }
}
