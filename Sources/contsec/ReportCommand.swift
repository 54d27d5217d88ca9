import Foundation
import ContsecHost

/// `contsec report merge [HOST=]FILE... [--format F [--output FILE]]... [--fail-on S] [--max-findings N]`.
enum ReportCommand {
    static let usage = """
    Usage: contsec report merge [HOST=]REPORT.json... [--format FORMAT [--output FILE]]... [--fail-on SEVERITY]
      Merges JSON reports (contsec … --format json) from many hosts into one report: findings de-duplicated by
      fingerprint + host, a summary per host, rendered in any --format (table, json, jsonl, sarif). HOST=FILE names
      the host of a report that does not name its own. Gates (--fail-on, --max-findings) and the ignore file apply
      to the merged findings; no daily log is written (each host logged its own runs).

    Exit codes: 0 merged · 1 a gate tripped (or a host's own gate had) · 2 usage error or an unreadable report ·
      3 a merged report contains a failed plugin run (its host's findings may be incomplete)
    """

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        guard let sub = args.first, sub == "merge" else {
            if CLI.wantsHelp(args) { print(usage); return .success }
            throw CLIError.usage("report needs a subcommand: merge.\n" + usage)
        }
        var g = globals
        var files: [(host: String?, path: String)] = []
        var rest = Array(args.dropFirst())
        if CLI.wantsHelp(rest) { print(usage); return .success }
        while !rest.isEmpty {
            rest = try g.parseLeading(rest)
            guard let token = rest.first else { break }
            rest.removeFirst()
            files.append(split(token))
        }
        guard !files.isEmpty else { throw CLIError.usage("report merge needs at least one JSON report.\n" + usage) }
        var merge = ReportMerge()
        for f in files { merge.add(try HostReport.load(path: GlobalOptions.absolute(f.path), host: f.host)) }

        g.report.noLog = true
        let pipeline = try g.reportPipeline()
        merge.replay(into: pipeline.filter)
        let verdict = pipeline.verdict
        if verdict.tripped { CLI.printError("gate tripped: " + verdict.reasons.joined(separator: "; ")) }
        if merge.anyRunFailed {
            let hosts = merge.hostOrder.filter { (merge.hosts[$0]?.failedRuns ?? 0) > 0 }
            CLI.printError("failed plugin runs on \(hosts.joined(separator: ", ")): their findings may be incomplete")
        }
        // Files named by --output are written atomically: complete() moves them into place (a failure is exit 2).
        return CLI.completing(pipeline, ExitDecision.combine([merge.anyRunFailed ? .pluginFailed : .success,
                                                              verdict.tripped ? .gateTripped : .success]))
    }

    /// `node-1=reports/n1.json` → ("node-1", path); a path that exists as given is a path, '=' or not.
    static func split(_ token: String) -> (host: String?, path: String) {
        guard !FileManager.default.fileExists(atPath: token), let eq = token.firstIndex(of: "="), eq != token.startIndex else {
            return (nil, token)
        }
        let host = String(token[..<eq])
        guard !host.contains("/") else { return (nil, token) }
        return (host, String(token[token.index(after: eq)...]))
    }
}
