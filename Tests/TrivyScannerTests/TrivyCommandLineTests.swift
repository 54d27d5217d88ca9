import Foundation
import Testing
import ContsecProtocol
@testable import TrivyScanner

/// Trivy's command lines, its log lines, and how its failures are told apart. The stderr samples are verbatim from
/// Trivy 0.76.0 runs on this project's test machine.
@Suite struct TrivyCommandLineTests {
    @Test func scanArgumentsForEachSubject() {
        let options = TrivyOptions(scanners: ["vuln", "secret"], severities: [.high, .critical], ignoreUnfixed: true,
                                   cacheDir: "/c", offline: true)
        let args = TrivyArguments.scan(.imageArchive("/t/image.tar"), options: options, output: "/t/report.json")
        #expect(args == ["image", "--input", "/t/image.tar", "--format", "json", "--output", "/t/report.json",
                         "--no-progress", "--disable-telemetry", "--skip-version-check", "--cache-dir", "/c",
                         "--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--offline-scan",
                         "--scanners", "vuln,secret", "--severity", "HIGH,CRITICAL", "--ignore-unfixed"])
        #expect(TrivyArguments.scan(.directory("/src"), options: TrivyOptions(), output: "/o").prefix(2) == ["fs", "/src"])
        #expect(TrivyArguments.scan(.remoteImage("nginx:1.27"), options: TrivyOptions(), output: "/o").prefix(4)
                == ["image", "--image-src", "remote", "nginx:1.27"])
        // Without --offline nothing skips the database; telemetry and the version check stay off regardless.
        let online = TrivyArguments.scan(.directory("/src"), options: TrivyOptions(), output: "/o")
        #expect(!online.contains("--skip-db-update") && online.contains("--disable-telemetry"))
    }

    @Test func sbomArguments() {
        let args = TrivyArguments.sbom(.imageArchive("/t/i.tar"), format: "spdx-json", options: TrivyOptions(offline: true), output: "/t/s.json")
        #expect(args.prefix(7) == ["image", "--input", "/t/i.tar", "--format", "spdx-json", "--output", "/t/s.json"])
        #expect(args.contains("--offline-scan") && !args.contains("--severity"))
    }

    @Test func logLines() {
        let info = TrivyLogLine(parsing: "2026-12-01T05:24:19Z\tINFO\t[secret] Secret scanning is enabled")
        #expect(info == TrivyLogLine(level: .info, message: "[secret] Secret scanning is enabled"))
        let fields = TrivyLogLine(parsing: "2026-12-01T05:24:19Z\tINFO\tNumber of language-specific files\tnum=0")
        #expect(fields == TrivyLogLine(level: .info, message: "Number of language-specific files num=0"))
        let continuation = TrivyLogLine(parsing: "\t* Get \"https://127.0.0.1:1/v2/\": connection refused")
        #expect(continuation.level == nil)
        #expect(continuation.message.hasPrefix("* Get"))
    }

    static let offlineFirstRun = """
    2026-12-01T05:24:28Z\tINFO\tNumber of language-specific files\tnum=0
    2026-12-01T05:24:28Z\tERROR\t[vulndb] The first run cannot skip downloading DB
    2026-12-01T05:24:28Z\tFATAL\tFatal error\trun error: init error: DB error: database error: --skip-db-update cannot be specified on the first run
    """
    static let downloadFailed = """
    2026-12-01T05:24:32Z\tINFO\t[vulndb] Downloading vulnerability DB...
    2026-12-01T05:24:32Z\tFATAL\tFatal error\trun error: init error: DB error: failed to download vulnerability DB: OCI artifact error: failed to download artifact from 127.0.0.1:1/trivy-db:2: OCI repository error: 1 error occurred:
    \t* Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused
    """

    @Test func databaseFailuresAreToldApart() {
        #expect(TrivyFailure.classify(stderr: Self.offlineFirstRun, status: "exit status 1", cacheDir: "/c", offline: true)
                == .databaseMissingOffline(cacheDir: "/c"))
        guard case .databaseDownloadFailed(let cache, let detail) =
                TrivyFailure.classify(stderr: Self.downloadFailed, status: "exit status 1", cacheDir: "/c", offline: false) else {
            Issue.record("download failure not recognised")
            return
        }
        #expect(cache == "/c")
        #expect(detail.hasPrefix("init error: DB error: failed to download vulnerability DB"))
        #expect(detail.hasSuffix("connect: connection refused"))
        let message = TrivyScannerError.databaseDownloadFailed(cacheDir: cache, detail: detail).description
        #expect(message.contains("--offline") && message.contains("/c"))
    }

    @Test func otherFailuresKeepTheStderrTail() {
        let stderr = "2026-12-01T05:00:00Z\tFATAL\tFatal error\tunable to open image.tar: no such file or directory\n"
        #expect(TrivyFailure.classify(stderr: stderr, status: "exit status 1", cacheDir: "/c", offline: false)
                == .trivyFailed(status: "exit status 1",
                                stderrTail: "Fatal error unable to open image.tar: no such file or directory"))
        let long = String(repeating: "x", count: 5000)
        guard case .trivyFailed(_, let tail) = TrivyFailure.classify(stderr: long, status: "s", cacheDir: "/c", offline: false) else {
            Issue.record("expected trivyFailed")
            return
        }
        #expect(tail.count <= 803 && tail.hasPrefix("..."))
    }
}
