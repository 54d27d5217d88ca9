import Foundation
import Testing

/// A temporary workspace for real vulnerability scans: a private copy of the fixture DB in `.scratch/trivy-cache`,
/// TMPDIR at `.scratch/tmp` (so a test sees what a run left there), optionally the Alpine tarball at
/// `images/alpine-310.tar.gz`.
struct ScanWorkspace {
    let path: String
    let cache: String
    var tmp: String { path + "/.scratch/tmp" }

    init(label: String, withTarball: Bool = false) throws {
        guard TestEnvironment.trivyOnPath != nil else { throw FixtureError(TestEnvironment.trivyMissingHint) }
        path = try Fixtures.temporaryDirectory(label)
        try FileManager.default.createDirectory(atPath: path + "/.scratch/tmp", withIntermediateDirectories: true)
        if withTarball {
            try FileManager.default.createDirectory(atPath: path + "/images", withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: VulnerabilityFixtures.alpineTarball, toPath: path + "/images/alpine-310.tar.gz")
        }
        cache = try VulnerabilityFixtures.privateCache(in: path + "/.scratch")
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    struct Run {
        var output: ContsecCLI.Output
        var report: [String: Any]
        var reportText: String
    }

    /// `contsec [global] run trivy-scanner <arguments> --offline --cache-dir <private cache>` with a JSON report;
    /// expects the run to leave nothing in its TMPDIR.
    func run(_ arguments: [String], global: [String] = [], logDir: String? = nil) throws -> Run {
        let reportPath = path + "/.scratch/report-\(UUID().uuidString).json"
        let output = try ContsecCLI.run(["--format", "json", "--output", reportPath] + global,
                                        arguments + ["--offline", "--cache-dir", cache],
                                        workspace: path, environment: ["TMPDIR": tmp], logDir: logDir)
        let text = (try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? ""
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp)
        #expect(left.isEmpty, "temporary files left: \(left)")
        return Run(output: output, report: (try? ContsecCLI.jsonReport(reportPath)) ?? [:], reportText: text)
    }
}
