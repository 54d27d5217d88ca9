import ContsecPluginKit
import TrivyScanner

/// `contsec run trivy-scanner scan (--image REF | --repo R --tag T | --input TAR | --dir PATH) [gates]`.
enum ScanCommand {
    static let command = Command(
        name: "scan", description: "Scan with Trivy and report vulnerabilities, misconfigurations and secrets as findings",
        isDefault: true, params: SourceParams.specs + [
            ParamSpec(name: "severity", type: .list,
                      description: "Severities to report, e.g. HIGH,CRITICAL; the lowest is the --max-vulns threshold (default: all)"),
            ParamSpec(name: "ignore-unfixed", type: .bool, description: "Leave out vulnerabilities without a fixed version"),
            ParamSpec(name: "max-vulns", type: .int,
                      description: "Gate: fail when more than N vulnerabilities at or above the --severity threshold are found"),
            ParamSpec(name: "block-critical", type: .bool, description: "Gate: fail on any critical finding"),
            ParamSpec(name: "scanners", type: .list, description: "vuln, misconfig, secret, license (default: Trivy's, vuln,secret)"),
            ParamSpec(name: "db-repository", type: .list,
                      description: "Registry repositories to download Trivy's vulnerability DB from, e.g. an internal mirror of trivy-db:2"),
        ], handler: run)

    static let knownScanners: Set<String> = ["vuln", "misconfig", "secret", "license"]

    @Sendable static func run(_ ctx: RunContext) async throws -> RunOutcome {
        try await translatingErrors {
            let a = ctx.arguments
            let severities = try SeverityList.parse(a.list("severity"))
            let scanners = a.list("scanners").map { $0.lowercased() }
            if let unknown = scanners.first(where: { !knownScanners.contains($0) }) {
                throw TrivyScannerError.invalidParameter(param: "scanners",
                                                         message: "'\(unknown)' is not a Trivy scanner: use vuln, misconfig, secret or license")
            }
            if let max = a.int("max-vulns"), max < 0 {
                throw TrivyScannerError.invalidParameter(param: "max-vulns", message: "must be 0 or more, got \(max)")
            }
            let request = ScanRequest(
                source: try SourceParams.source(a),
                options: TrivyOptions(scanners: scanners, severities: severities, ignoreUnfixed: a.bool("ignore-unfixed"),
                                      cacheDir: a.path("cache-dir"), offline: a.bool("offline"),
                                      dbRepositories: a.list("db-repository")),
                gate: ScanGate(maxVulnerabilities: a.int("max-vulns"), blockCritical: a.bool("block-critical"),
                               threshold: SeverityList.threshold(severities)),
                trivyPath: a.path("trivy"), workspace: ctx.workspace)
            let result = try await ScanJob.run(request, onLog: SourceParams.forwardLog(ctx), note: SourceParams.note(ctx))
            try ctx.checkCancellation()
            for finding in result.findings { ctx.emit(finding) }
            if let verdict = result.verdict { return .gateTripped(message: verdict.message, summary: result.summary) }
            return .ok(summary: result.summary)
        }
    }
}
