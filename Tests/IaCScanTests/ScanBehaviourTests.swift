import ContsecProtocol
import Testing
@testable import IaCScan

#if canImport(Glibc)
import Glibc
#endif

@Suite struct SuppressionTests {
    @Test func sameLineAndPreviousLineAndFileWide() {
        let df = """
        FROM alpine:latest # contsec:ignore CS-DF-001 pinned by renovate at deploy time
        # contsec:ignore CS-DF-014, CS-DF-017 legacy base image needs it
        RUN sudo chmod 777 /tmp
        RUN sudo true
        # contsec:ignore-file CS-DF-016 health is checked by the orchestrator
        USER app
        """
        let r = scan(df, .dockerfile)
        let ids = r.findings.map { "\($0.ruleId)@\($0.target.line ?? 0)" }
        #expect(!ids.contains("CS-DF-001@1"))
        #expect(!ids.contains("CS-DF-014@3"))
        #expect(!ids.contains("CS-DF-017@3"))
        #expect(ids.contains("CS-DF-014@4"))
        #expect(!r.findings.contains { $0.ruleId == "CS-DF-016" })
        #expect(r.suppressed == 4)
    }

    @Test func yamlCommentsSuppressToo() {
        let yaml = variant(securePod, [("privileged: false", "privileged: true # contsec:ignore CS-K8S-001 node agent")])
        #expect(!scan(yaml, .kubernetes).findings.contains { $0.ruleId == "CS-K8S-001" })
        let compose = variant(secureCompose, [("    read_only: true\n", "    read_only: true\n    # contsec:ignore CS-DC-001 needs /dev access\n    privileged: true\n")])
        #expect(!scan(compose, .compose).findings.contains { $0.ruleId == "CS-DC-001" })
    }
}

@Suite struct FindingShapeTests {
    @Test func fingerprintsSurviveMovedLines() {
        let a = scan("FROM alpine:latest\nRUN sudo make\n", .dockerfile)
        let b = scan("# a comment\n\nFROM alpine:latest\n\nRUN sudo make\n", .dockerfile)
        let fa = Dictionary(a.findings.map { ($0.ruleId, $0) }, uniquingKeysWith: { x, _ in x })
        let fb = Dictionary(b.findings.map { ($0.ruleId, $0) }, uniquingKeysWith: { x, _ in x })
        #expect(fa["CS-DF-014"]?.target.line == 2 && fb["CS-DF-014"]?.target.line == 5)
        #expect(fa["CS-DF-014"]?.fingerprint == fb["CS-DF-014"]?.fingerprint)
        #expect(fa["CS-DF-001"]?.fingerprint == fb["CS-DF-001"]?.fingerprint)
        // A different file gives a different fingerprint.
        let c = scan("FROM alpine:latest\n", .dockerfile, path: "other/Dockerfile")
        #expect(c.findings.first { $0.ruleId == "CS-DF-001" }?.fingerprint != fa["CS-DF-001"]?.fingerprint)
    }

    @Test func secretValuesNeverReachFindings() throws {
        let df = scan("FROM a:1\nENV API_TOKEN=tok_SECRETVALUE123\nARG DB_PASSWORD=SECRETVALUE456\n", .dockerfile)
        let compose = scan(variant(secureCompose, [("DB_PASSWORD: ${DB_PASSWORD}", "DB_PASSWORD: SECRETVALUE789")]), .compose)
        let pod = scan(variant(securePod, [("          valueFrom:\n            secretKeyRef: {name: db, key: password}\n", "          value: SECRETVALUE000\n")]), .kubernetes)
        let all = df.findings + compose.findings + pod.findings
        #expect(all.filter { $0.category == .secret }.count == 4)
        for f in all {
            let text = JSONWriter.string(f.json)
            #expect(!text.contains("SECRETVALUE"), "secret leaked in \(f.ruleId)")
        }
        #expect(df.findings.first { $0.ruleId == "CS-DF-007" }?.properties["variable"] == .string("API_TOKEN"))
    }

    @Test func kubernetesFindingsNameTheResource() {
        let deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
          namespace: prod
        spec:
          template:
            spec:
              containers:
                - name: main
                  image: api:latest
        """
        let r = scan(deployment, .kubernetes)
        let f = r.findings.first { $0.ruleId == "CS-K8S-016" }
        #expect(f?.target.line == 11)
        #expect(f?.message?.hasPrefix("Deployment/prod/api:") == true)
        #expect(f?.properties["kind"] == .string("Deployment"))
        #expect(f?.properties["namespace"] == .string("prod"))
        #expect(f?.properties["name"] == .string("api"))
        #expect(f?.properties["container"] == .string("main"))
        #expect(f?.properties["resource"] == .string("Deployment/prod/api"))
    }

    @Test func listKindCronJobAndMultiDocument() {
        let text = """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: jobs}
            spec:
              jobTemplate:
                spec:
                  template:
                    spec:
                      hostPID: true
                      containers: [{name: c, image: "x:1"}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cfg}
        data: {a: b}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p, namespace: x}
        spec:
          hostIPC: true
          containers: [{name: c, image: "x:1"}]
        """
        let r = scan(text, .kubernetes)
        #expect(r.kind == .kubernetes)
        #expect(r.findings.contains { $0.ruleId == "CS-K8S-010" && $0.target.line == 12 && $0.message!.contains("CronJob/jobs/nightly") })
        #expect(r.findings.contains { $0.ruleId == "CS-K8S-011" && $0.target.line == 24 })
        #expect(!r.findings.contains { ($0.message ?? "").contains("ConfigMap") })
    }

    @Test func plainYAMLIsNotAManifestAndBrokenManifestsReportTheLine() {
        #expect(scan("name: ci\non: [push]\njobs: {}\n", .kubernetes).kind == nil)
        let broken = scan("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: {a: b\n", .kubernetes)
        #expect(broken.kind == .kubernetes)
        #expect(broken.findings.isEmpty)
        #expect(broken.parseError?.hasPrefix("line 5") == true)
        // Helm templates are not raw YAML: skipped without a parse error.
        #expect(scan("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n  x: y: z\n", .kubernetes).parseError == nil)
    }
}

@Suite struct RuleEdgeCaseTests {
    /// Package lists given through variables take the value Docker would use in that RUN (Dockerfile reference,
    /// "Scope" of ARG and ENV): ENV and ARG defaults of the stage and of the stage it builds FROM; a global ARG is
    /// not in scope inside a stage unless declared again; a build argument without default is unknown.
    @Test func packagesThroughVariablesUseTheValueInScope() {
        func unpinned(_ text: String) -> String? {
            scan(text, .dockerfile).findings.first { $0.ruleId == "CS-DF-012" }?.message
        }
        let lower = unpinned("FROM debian:12\nENV buildDeps='gcc make'\nRUN apt-get install -y --no-install-recommends $buildDeps\n")
        #expect(lower?.contains("gcc, make") == true, "\(lower ?? "no finding")")
        #expect(unpinned("FROM debian:12 AS base\nENV DEPS=\"curl\"\nFROM base\nRUN apt-get install -y ${DEPS}\n") != nil)
        #expect(unpinned("FROM debian:12\nARG DEPS=\"curl=7.88.1-10+deb12u8\"\nRUN apt-get install -y ${DEPS}\n") == nil)
        #expect(unpinned("FROM debian:12\nARG DEPS\nRUN apt-get install -y $DEPS\n") == nil)
        #expect(unpinned("ARG DEPS=curl\nFROM debian:12\nRUN apt-get install -y $DEPS\n") == nil)
        #expect(unpinned("ARG DEPS=curl\nFROM debian:12\nARG DEPS\nRUN apt-get install -y $DEPS\n") != nil)
        // The same for apk and pip.
        #expect(scan("FROM alpine:3.20\nARG PKGS=\"git make=4.4.1-r2\"\nRUN apk add --no-cache $PKGS\n", .dockerfile)
            .findings.first { $0.ruleId == "CS-DF-032" }?.message?.contains("git") == true)
        #expect(!scan("FROM python:3.12\nENV TOOLS=\"black==24.8.0\"\nRUN pip install --no-cache-dir $TOOLS\n", .dockerfile)
            .findings.contains { $0.ruleId == "CS-DF-034" })
    }

    @Test func pipefailIsIrrelevantForNonPosixShells() {
        let pwsh = scan("FROM mcr.microsoft.com/powershell:7.4\nSHELL [\"pwsh\", \"-Command\"]\nRUN Get-Item x | Remove-Item\n", .dockerfile)
        #expect(!pwsh.findings.contains { $0.ruleId == "CS-DF-010" })
        let win = scan("# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir | findstr x\n", .dockerfile)
        #expect(!win.findings.contains { $0.ruleId == "CS-DF-010" })
        let inherited = scan("FROM a:1 AS base\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM base\nRUN a | b\n", .dockerfile)
        #expect(!inherited.findings.contains { $0.ruleId == "CS-DF-010" })
    }

    @Test func composeLimitsUnderDeployAndListEnvironment() {
        let text = """
        services:
          api:
            image: api:2.0.1
            deploy:
              resources:
                limits: {memory: 256M, pids: 100}
            environment:
              - LOG_LEVEL=debug
              - STRIPE_SECRET_KEY=sk_live_SECRETVALUE
              - DB_PASSWORD=${DB_PASSWORD}
            build: .
        """
        let r = scan(text, .compose)
        let ids = r.findings.map(\.ruleId)
        #expect(!ids.contains("CS-DC-011") && !ids.contains("CS-DC-012"))
        let secrets = r.findings.filter { $0.ruleId == "CS-DC-016" }
        #expect(secrets.count == 1 && secrets[0].target.line == 9)
        #expect(secrets[0].properties["variable"] == .string("STRIPE_SECRET_KEY"))
    }

    @Test func composeLongSyntaxVolumesAndPorts() {
        let text = """
        services:
          agent:
            image: agent:3.1.0
            volumes:
              - type: bind
                source: /var/run/docker.sock
                target: /var/run/docker.sock
              - type: volume
                source: data
                target: /data
            ports:
              - target: 80
                published: 8080
              - target: 443
                published: 8443
                host_ip: 127.0.0.1
        """
        let r = scan(text, .compose)
        #expect(r.findings.filter { $0.ruleId == "CS-DC-005" }.map { $0.target.line } == [5])
        #expect(r.findings.filter { $0.ruleId == "CS-DC-014" }.map { $0.target.line } == [12])
    }

    @Test func initContainersAndPodLevelRunAsUserCount() {
        let pod = variant(securePod, [("  containers:\n", "  initContainers:\n    - name: init\n      image: busybox:1.36\n      securityContext:\n        privileged: true\n  containers:\n")])
        let r = scan(pod, .kubernetes)
        #expect(r.findings.contains { $0.ruleId == "CS-K8S-001" && $0.properties["container"] == .string("init") && $0.target.line == 17 })
        // Pod-level runAsNonRoot/runAsUser covers the init container: no CS-K8S-003 for it.
        #expect(!r.findings.contains { $0.ruleId == "CS-K8S-003" })
    }
}

@Suite struct GlobTests {
    @Test func gitignoreStylePatterns() {
        func m(_ p: String, _ path: String, dir: Bool = false) -> Bool { GlobPattern(p)!.matches(path, isDirectory: dir) }
        #expect(m("*.yaml", "a/b/c.yaml"))
        #expect(!m("*.yaml", "a/b/c.yml"))
        #expect(m("charts/", "charts", dir: true))
        #expect(!m("charts/", "charts"))
        #expect(m("/k8s/*.yaml", "k8s/a.yaml"))
        #expect(!m("/k8s/*.yaml", "x/k8s/a.yaml"))
        #expect(m("**/test/**", "a/test/b/c.yaml"))
        #expect(m("docs/**/*.yml", "docs/x/y/z.yml"))
        #expect(m("docs/**/*.yml", "docs/z.yml"))
        #expect(m("Docker?ile", "sub/Dockerfile"))
        #expect(m("[Dd]ockerfile", "dockerfile"))
        var rules = IgnoreRules(["*.yaml", "!keep.yaml"])
        #expect(rules.isIgnored("x/a.yaml", isDirectory: false))
        #expect(!rules.isIgnored("x/keep.yaml", isDirectory: false))
        rules.add(["keep.yaml"])
        #expect(rules.isIgnored("keep.yaml", isDirectory: false))
    }

    @Test func fileNamesClassify() {
        #expect(FileScanner.candidate(forName: "Dockerfile") == .dockerfile)
        #expect(FileScanner.candidate(forName: "api.Dockerfile") == .dockerfile)
        #expect(FileScanner.candidate(forName: "Dockerfile.prod") == .dockerfile)
        #expect(FileScanner.candidate(forName: "Containerfile") == .dockerfile)
        #expect(FileScanner.candidate(forName: "Dockerfile.dockerignore") == nil)
        #expect(FileScanner.candidate(forName: "docker-compose.prod.yml") == .compose)
        #expect(FileScanner.candidate(forName: "compose.yaml") == .compose)
        #expect(FileScanner.candidate(forName: "deploy.yaml") == .yaml)
        #expect(FileScanner.candidate(forName: "README.md") == nil)
    }
}

/// A scratch directory under /tmp, removed at the end.
final class TempTree {
    let root: String
    init() {
        var template = Array("/tmp/iacscan-test-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    func write(_ rel: String, _ text: String) {
        let path = root + "/" + rel
        var dir = ""
        for part in path.split(separator: "/").dropLast() {
            dir += "/" + part
            mkdir(dir, 0o755)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
    deinit {
        _ = root.withCString { p in
            // Depth-first removal through the shell-free nftw would need a C callback; rm is fine for a test scratch dir.
            system("rm -rf '\(String(cString: p))'")
        }
    }
}

final class Collected: @unchecked Sendable {
    var findings: [Finding] = []
    var logs: [String] = []
    var progress: [(Int, Int)] = []
}

@Suite struct DiscoveryAndEngineTests {
    @Test func discoveryHonoursVendoredGitignoreAndExcludes() throws {
        let t = TempTree()
        t.write("Dockerfile", "FROM a:1\n")
        t.write("svc/api.Dockerfile", "FROM a:1\n")
        t.write("node_modules/pkg/Dockerfile", "FROM a:1\n")
        t.write("vendor/x/deploy.yaml", "apiVersion: v1\nkind: Pod\n")
        t.write("generated/Dockerfile", "FROM a:1\n")
        t.write("k8s/app.yaml", "apiVersion: v1\nkind: Pod\n")
        t.write("k8s/skip-me.yaml", "apiVersion: v1\nkind: Pod\n")
        t.write("docker-compose.yml", "services: {}\n")
        t.write(".gitignore", "# build output\ngenerated/\n")
        let files = try FileDiscovery.discover(root: t.root, excludes: ["k8s/skip-*.yaml"])
        #expect(files.map(\.relativePath) == ["Dockerfile", "docker-compose.yml", "k8s/app.yaml", "svc/api.Dockerfile"])
        #expect(files.map(\.candidate) == [.dockerfile, .compose, .yaml, .dockerfile])
        #expect(throws: DiscoveryError.self) { try FileDiscovery.discover(root: t.root + "/missing", excludes: []) }
    }

    @Test func parseErrorsAreCountedLoggedAndTheScanContinues() throws {
        let t = TempTree()
        t.write("Dockerfile", "FROM alpine:latest\nUSER app\n")
        t.write("compose.yaml", "services:\n  web:\n    image: x:1\n    ports: [\"80:80\"\n")
        t.write("k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n\tnamespace: x\n")
        t.write("k8s/ok.yaml", securePod)
        t.write("notes.yaml", "just: some\nconfig: values\n")
        let c = Collected()
        let events = ScanEvents(finding: { c.findings.append($0) }, log: { _, m in c.logs.append(m) },
                                progress: { c.progress.append(($0, $1)) })
        let s = try ScanEngine.run(ScanOptions(dir: t.root, progressEvery: 1), events)
        #expect(s.parseErrors == 2)
        #expect(s.files == 4)
        #expect(s.dockerfiles == 1 && s.compose == 1 && s.kubernetes == 2)
        #expect(s.findings == c.findings.count)
        #expect(c.findings.allSatisfy { $0.target.file == "Dockerfile" })
        #expect(c.logs.contains { $0.hasPrefix("compose.yaml: line 4") })
        #expect(c.logs.contains { $0.hasPrefix("k8s/pod.yaml: line 5") && $0.contains("tab") })
        #expect(c.progress.last.map { $0.0 == $0.1 } == true)
        #expect(s.json["bySeverity"] != nil)
    }

    @Test func explicitFilesAndSeverityFilter() throws {
        let t = TempTree()
        t.write("a/Dockerfile.web", "FROM alpine:latest\n")
        t.write("b/Dockerfile", "FROM alpine:latest\n")
        let c = Collected()
        let s = try ScanEngine.run(ScanOptions(dir: t.root, files: ["a/Dockerfile.web"], severities: [.high]),
                                   ScanEvents(finding: { c.findings.append($0) }))
        #expect(s.files == 1)
        #expect(c.findings.allSatisfy { $0.severity == .high && $0.target.file == "a/Dockerfile.web" })
        #expect(c.findings.contains { $0.ruleId == "CS-DF-003" })
        #expect(throws: DiscoveryError.self) {
            try ScanEngine.run(ScanOptions(dir: t.root, files: ["nope/Dockerfile"]), ScanEvents(finding: { _ in }))
        }
    }
}

@Suite struct ExampleAppTests {
    /// examples/insecure-app/EXPECTED.md lists every (rule, file:line) the example must raise; keep them in sync.
    @Test func exampleTriggersExactlyTheExpectedFindings() throws {
        let here = #filePath
        let repo = String(here[..<here.range(of: "/Tests/IaCScanTests/")!.lowerBound])
        let dir = repo + "/examples/insecure-app"
        let expectedText = String(decoding: FileDiscovery.readFile(dir + "/EXPECTED.md") ?? [], as: UTF8.self)
        var expected = Set<String>()
        for line in expectedText.split(separator: "\n") where line.hasPrefix("| CS-") {
            let cells = line.split(separator: "|").map { $0.trimmingSpaces }
            for loc in cells[2].split(separator: ",") { expected.insert("\(cells[0]) \(loc.trimmingSpaces)") }
        }
        #expect(Set(expected.map { $0.split(separator: " ")[0] }).count >= 40)
        let c = Collected()
        let s = try ScanEngine.run(ScanOptions(dir: dir), ScanEvents(finding: { c.findings.append($0) }))
        #expect(s.parseErrors == 0)
        #expect(s.dockerfiles == 1 && s.compose == 1 && s.kubernetes == 3)
        let got = Set(c.findings.map { "\($0.ruleId) \($0.target.file ?? ""):\($0.target.line ?? 0)" })
        #expect(got.subtracting(expected).sorted() == [], "not in EXPECTED.md")
        #expect(expected.subtracting(got).sorted() == [], "expected but not found")
    }
}
