import Foundation

/// The shell commands of README.md's fenced `sh` blocks, and what the README tests do with each: by default a
/// command is run as written (ReadmeExampleTests); the lists below name the exceptions, each with its reason.
/// A new example is therefore run by default, and one that cannot run here must be listed with why.
enum ReadmeExamples {
    struct Command: Hashable {
        /// The command as written, continuation lines joined, without its trailing comment.
        var text: String
        /// The line it starts on, and the index of its fenced block.
        var line: Int
        var block: Int
    }

    /// Why a README command is not run as written by ReadmeExampleTests.
    enum Exception {
        /// It needs something this machine does not have (internet, your images, your registry).
        case needs(String)
        /// Another test runs it (or exactly what it does); running it here too would step on that test.
        case coveredBy(String)
        /// It would change this machine outside what the tests may touch (shared engine, shared registry).
        case changesHost(String)
        /// It is the build or the test command itself.
        case isTheTestCommand
        /// This command is run instead, for the reason given.
        case runInstead(String, because: String)
    }

    static let exceptions: [String: Exception] = [
        // Two commands
        "swift build && .build/debug/contsec run iac-scan --dir examples/insecure-app":
            .runInstead(".build/debug/contsec run iac-scan --dir examples/insecure-app", because: "the tests run from that build"),
        "bash scripts/test-all.sh": .isTheTestCommand,
        // Install
        "scripts/install.sh": .coveredBy("InstallScriptTests, into a temporary prefix with this build's binaries (--bin-dir): "
                                         + "/usr/local is this machine's, and a release build takes minutes"),
        "scripts/install.sh --prefix ~/.local": .coveredBy("InstallScriptTests (a temporary prefix)"),
        "scripts/install.sh --uninstall --prefix ~/.local": .coveredBy("InstallScriptTests"),
        "source <(contsec completion bash)": .coveredBy("CompletionTests, in a real bash (a sourced script leaves nothing to check here)"),
        // trivy-scanner: the original script's examples need the internet.
        "contsec run trivy-scanner scan --repo your-org/your-app --tag latest --max-vulns 5 --block-critical":
            .needs("your image on Docker Hub and Trivy's database from the internet"),
        "contsec run trivy-scanner scan --image nginx:1.27 --severity HIGH,CRITICAL --ignore-unfixed":
            .needs("nginx:1.27 from Docker Hub and Trivy's database from the internet"),
        "contsec run trivy-scanner scan --input image.tar": .needs("Trivy's database from the internet (the offline form is the next example)"),
        "contsec run trivy-scanner sbom --image nginx:1.27": .needs("nginx:1.27 from Docker Hub"),
        "contsec run trivy-scanner sbom --image nginx:1.27 --format spdx-json --output sboms/nginx.spdx.json": .needs("nginx:1.27 from Docker Hub"),
        "contsec run trivy-scanner scan --image registry.internal/team/app:1.4 --db-repository registry.internal/aquasec/trivy-db:2":
            .needs("your internal registry and its copy of Trivy's database"),
        "CONTSEC_TRIVY_CACHE=/var/lib/trivy contsec run trivy-scanner scan --image team/app:1.4 --offline --block-critical":
            .needs("your image team/app:1.4 and a copied Trivy database in /var/lib/trivy"),
        // cis-bench
        "contsec run cis-bench --daemon-json staged.json --dockerd-cmdline \"dockerd --icc=false\"":
            .needs("your staged daemon.json (CISBenchTests judge fixture files the same way)"),
        "contsec run cis-bench --all-containers --container web,db": .needs("your containers web and db"),
        "contsec run cis-bench --check 5.23,5.24 --audit-log /var/log/audit/audit.log.1": .needs("a rotated auditd log at that path"),
        "contsec report merge node-a.json node-b.json node-c.json --format table --format sarif --output fleet.sarif":
            .needs("JSON reports from your hosts node-a, node-b, node-c (ReportMergeTests merge their own)"),
        // observability
        "contsec run observability exporter --listen 127.0.0.1:9323":
            .coveredBy("ObservabilityTests, on a free port: this one binds 9323 until Ctrl-C"),
        "contsec run observability monitor --container web-app --interval 10 --resource-threshold 80":
            .needs("a running container named web-app (ObservabilityTests monitor their own containers)"),
        "contsec run observability alert --container web-app --alert-threshold 90 --webhook http://127.0.0.1:9093/hook":
            .needs("a container named web-app and an Alertmanager on 127.0.0.1:9093"),
        "contsec run observability analyze --container web-app --window 15m":
            .needs("a running container named web-app, watched for 15 minutes (ObservabilityTests analyze their own containers)"),
        "contsec run observability analyze --container web-app --from-log --window 24h":
            .needs("monitor's samples of a container named web-app in the daily logs (ObservabilityTests write and read their own)"),
        "contsec run observability dashboard --dashboard-port 3000":
            .coveredBy("ObservabilityTests, on a free port: this one serves 3000 until Ctrl-C"),
        // seccomp-gen: learning needs an image of yours and its exercise script; the rest uses the profile it learned.
        "contsec run seccomp-gen learn --image myapp:1.4 --duration 30 --exercise exercise.sh --profile myapp":
            .needs("your image myapp:1.4 and your exercise.sh (SeccompGenTests learn from contsec-test/busybox:1)"),
        "contsec run seccomp-gen check --profile myapp": .needs("the profile myapp learned by the line before"),
        "contsec run seccomp-gen diff --to security/profiles/seccomp/myapp.json": .needs("the profile myapp learned above"),
        "contsec --dry-run run seccomp-gen apply --profile myapp --container web-app":
            .needs("the profile myapp and your running container web-app (SeccompGenTests apply to their own containers)"),
        "contsec run seccomp-gen apply --profile myapp --container web-app --mount /etc/seccomp/myapp.json --allowed-root /etc/seccomp":
            .needs("the profile myapp and your running container web-app"),
        // volume-crypt: volumes named secure-data on the shared engine, as root.
        "contsec run volume-crypt create --volume secure-data --encrypted --key ./secure-data.key":
            .changesHost("creates the Docker volume secure-data; VolumeCryptTests do the same with contsec-test-… names"),
        "docker run --rm -v secure-data:/app/data busybox sh -c 'echo hello > /app/data/greeting'":
            .needs("the busybox image from Docker Hub and the volume above"),
        "contsec run volume-crypt create --volume temp-cache --temp --size 128m --auto-delete":
            .changesHost("creates the Docker volume temp-cache; VolumeCryptTests create temp volumes with test names"),
        "contsec --dry-run run volume-crypt attach --volume secure-data --container web-app --mount /app/data":
            .needs("the volume secure-data and your container web-app (VolumeCryptTests attach to their own containers)"),
        "contsec run volume-crypt attach --volume secure-data --container web-app --mount /app/data --read-only":
            .needs("the volume secure-data and your container web-app"),
        "contsec run volume-crypt backup --volume secure-data --backup-path ./backups/secure-data.tar.gz": .needs("the volume secure-data"),
        "contsec run volume-crypt restore --volume secure-data --backup-path ./backups/secure-data.tar.gz": .needs("the volume secure-data"),
        "contsec run volume-crypt restore --volume secure-data --backup-path ./backups/secure-data.tar.gz --to secure-data-copy":
            .needs("the volume secure-data and its backup"),
        "contsec --dry-run run volume-crypt destroy --volume secure-data-copy": .needs("the volume secure-data-copy"),
        // registry: an image team/app:dev of yours, and tags in the shared test registry that are not the tests' own.
        "contsec run registry push --registry 127.0.0.1:5000 --repo team/app --tag v1.0 --image team/app:dev --block-critical":
            .needs("your image team/app:dev (RegistryPluginTests push contsec-test/busybox:1)"),
        "contsec run registry sign --registry 127.0.0.1:5000 --repo team/app --tag v1.0 --signing-key keys/your-app-key.key":
            .needs("team/app:v1.0 pushed by the step before"),
        "contsec run registry verify --registry 127.0.0.1:5000 --repo team/app --tag v1.0 --signing-key keys/your-app-key.pub --require-signature":
            .needs("team/app:v1.0, pushed and signed"),
        "contsec run registry cleanup --registry 127.0.0.1:5000 --repo team/app --cleanup-days 60 --keep-tags latest,stable,v1.0":
            .needs("your repository team/app in the registry"),
        "contsec run registry cleanup --registry 127.0.0.1:5000 --repo team/app --cleanup-days 60 --keep-tags latest,stable,v1.0 --yes":
            .changesHost("deletes tags in the shared test registry (RegistryPluginTests clean up their own repository)"),
        "contsec run registry audit --registry 127.0.0.1:5443 --signing-key keys/your-app-key.pub":
            .coveredBy("RegistryPluginTests audit the auth registry (this one would try an anonymous upload there during other tests)"),
        // netpolicy: networks and containers of an application called myapp.
        "contsec run netpolicy setup --prefix myapp": .changesHost("creates the networks myapp_frontend, myapp_backend, myapp_data (NetPolicyTests use test names)"),
        "contsec run netpolicy apply-policy --policy policies/web-app-policy.json --service web-app --prefix myapp":
            .needs("your application's containers (web-app, api, db)"),
        "contsec run netpolicy apply-policy --prefix myapp --dry-run": .needs("your application's containers (web-app, api, db)"),
        "contsec run netpolicy test-connectivity --service web-app --prefix myapp --fail-on high":
            .needs("your application's containers, with the policies applied"),
        // Workflows
        "CONTSEC_TRIVY_CACHE=/var/lib/contsec-test/trivy-cache .build/debug/contsec workflow examples/workflows/secure-deployment.yaml --format sarif --output deploy.sarif --format table":
            .coveredBy("DockerEngineSecureDeploymentWorkflowTests (the same workflow; it pushes to the shared registry, so one test runs it)"),
        // Tests
        "swift test --skip DockerEngine": .isTheTestCommand,
        "swift test --filter ContainerKitTests --skip DockerEngine": .isTheTestCommand,
        "swift test --filter ContainerKitTests": .isTheTestCommand,
    ]

    /// Commands that exit with something other than 0 when they work as the README says.
    static let expectedExit: [String: Int32] = [
        // The Alpine 3.10 test image has critical advisories in the fixture database (contsec-test-advisories.yaml).
        "CONTSEC_TRIVY_CACHE=/var/lib/contsec-test/trivy-cache contsec run trivy-scanner scan --image contsec-test/alpine:3.10 --offline --block-critical": 1,
    ]

    /// What a command run by default needs; without it the command is skipped (and under CI=true that fails).
    enum Requirement: Hashable, CustomStringConvertible {
        case docker
        case trivyDatabase
        case tool(String)

        var description: String {
            switch self {
            case .docker: return "a Docker engine (scripts/test-env.sh)"
            case .trivyDatabase: return "the offline Trivy database in /var/lib/contsec-test/trivy-cache (scripts/test-env.sh)"
            case .tool(let name): return "\(name) on PATH (scripts/test-env.sh)"
            }
        }
    }

    static func requirements(for text: String) -> [Requirement] {
        var r: [Requirement] = []
        if (text.contains("run cis-bench") && !text.hasSuffix("cis-bench list")) || text.hasPrefix("docker ")
            || text.contains("--image contsec-test/") {
            r.append(.docker)
        }
        if text.contains("trivy-scanner") { r.append(.tool("trivy")) }
        if text.contains("CONTSEC_TRIVY_CACHE=/var/lib/contsec-test/trivy-cache") { r.append(.trivyDatabase) }
        if text.contains("observability setup") { r.append(.tool("promtool")) }
        if text.contains("run shellcheck") { r.append(.tool("shellcheck")) }
        if text.contains("generate-mtls") || text.contains("registry keygen") { r.append(.tool("openssl")) }
        return r
    }

    static let readme = Paths.packageRoot + "/README.md"

    /// Every command of every ```sh / ```bash / ```shell block, in order.
    static let commands: [Command] = parse((try? String(contentsOfFile: readme, encoding: .utf8)) ?? "")

    static func parse(_ text: String) -> [Command] {
        var result: [Command] = []
        var inShell = false, inOther = false, block = -1
        var pending = "", pendingLine = 0
        for (i, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                if inShell || inOther { inShell = false; inOther = false; continue }
                let lang = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if ["sh", "bash", "shell"].contains(lang) { inShell = true; block += 1 } else { inOther = true }
                continue
            }
            guard inShell else { continue }
            if pending.isEmpty { pendingLine = i + 1 }
            pending += (pending.isEmpty ? "" : " ") + line
            if pending.hasSuffix("\\") { pending = String(pending.dropLast()).trimmingCharacters(in: .whitespaces); continue }
            let command = withoutComment(pending)
            pending = ""
            if !command.isEmpty { result.append(Command(text: command, line: pendingLine, block: block)) }
        }
        return result
    }

    /// The command without a trailing `# comment` (a `#` outside quotes, at the start or after a blank), spaces
    /// collapsed.
    static func withoutComment(_ s: String) -> String {
        var out = "", quote: Character?, previous: Character = " "
        for c in s {
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "#" && previous == " " {
                break
            }
            out.append(c)
            previous = c
        }
        return out.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}
