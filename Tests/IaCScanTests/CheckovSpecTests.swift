import Testing
@testable import IaCScan

/// The pass/fail examples of checkov's own tests (bridgecrewio/checkov tests/kubernetes/checks/example_*/…PASSED.yaml
/// and …FAILED.yaml), restated as small manifests: a FAILED example must raise the iac-scan rule that lists the
/// checkov id, a PASSED one must not.
@Suite struct CheckovSpecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var check: String, what: String, manifest: String, fails: Bool
        var testDescription: String { "\(check) \(fails ? "FAILED" : "PASSED"): \(what)" }
    }

    static func pod(_ podSC: String?, _ containers: [String]) -> String {
        var s = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\nspec:\n"
        if let podSC { s += "  securityContext:\n" + podSC.split(separator: "\n").map { "    \($0)\n" }.joined() }
        s += "  containers:\n"
        for (n, c) in containers.enumerated() {
            s += "  - name: c\(n)\n    image: alpine\n    command: [\"/bin/sleep\", \"999999\"]\n"
            if !c.isEmpty { s += "    securityContext:\n" + c.split(separator: "\n").map { "      \($0)\n" }.joined() }
        }
        return s
    }

    /// CKV_K8S_40 (example_RootContainersHighUID): runAsUser must be 10000 or more, pod or container level.
    static let highUID: [Case] = [
        Case(check: "CKV_K8S_40", what: "no runAsUser anywhere", manifest: pod(nil, [""]), fails: true),
        Case(check: "CKV_K8S_40", what: "container runAsUser 0", manifest: pod(nil, ["runAsUser: 0"]), fails: true),
        Case(check: "CKV_K8S_40", what: "pod 11000, one container overrides with 0",
             manifest: pod("runAsUser: 11000", ["", "runAsUser: 0"]), fails: true),
        Case(check: "CKV_K8S_40", what: "pod 1000, not overridden", manifest: pod("runAsUser: 1000", ["", ""]), fails: true),
        Case(check: "CKV_K8S_40", what: "pod runAsUser not a number", manifest: pod("runAsUser: username", ["", ""]), fails: true),
        Case(check: "CKV_K8S_40", what: "pod securityContext not a mapping",
             manifest: pod("runAsUser:65534\nfsGroup:65534", ["", ""]), fails: true),
        Case(check: "CKV_K8S_40", what: "pod 10000, not overridden", manifest: pod("runAsUser: 10000", [""]), fails: false),
        Case(check: "CKV_K8S_40", what: "pod 180, container 12000", manifest: pod("runAsUser: 180", ["runAsUser: 12000"]), fails: false),
        Case(check: "CKV_K8S_40", what: "container 12000 only", manifest: pod(nil, ["runAsUser: 12000"]), fails: false),
    ]

    /// CKV_K8S_43 (example_ImageDigest): the image must carry a digest.
    static let digest: [Case] = [
        Case(check: "CKV_K8S_43", what: "Job with centos:latest",
             manifest: "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: countdown\nspec:\n  template:\n    spec:\n"
                 + "      containers:\n      - name: counter\n        image: centos:latest\n      restartPolicy: Never\n", fails: true),
        Case(check: "CKV_K8S_43", what: "StatefulSet with tag and digest",
             manifest: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\nspec:\n  template:\n    spec:\n"
                 + "      containers:\n      - name: k8skafka\n        image: gcr.io/google_containers/kubernetes-kafka:1.0-10.2.1@sha256:123456\n",
             fails: false),
    ]

    static func rule(for check: String) -> String? {
        RuleTable.all.first { $0.checkov?.split(separator: ",").contains(Substring(check)) == true }?.id
    }

    @Test(arguments: highUID + digest)
    func iacScanAgreesWithCheckovsExamples(_ c: Case) throws {
        let id = try #require(Self.rule(for: c.check), "no rule maps \(c.check)")
        let result = scan(c.manifest, .kubernetes)
        #expect(result.parseError == nil)
        #expect(result.findings.contains { $0.ruleId == id } == c.fails, "\(id) (\(c.check)) on:\n\(c.manifest)")
    }
}
