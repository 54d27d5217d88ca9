import Foundation
import ContsecPluginKit
import IaCScan

// contsec-iac-scan: Dockerfile, docker-compose and Kubernetes manifest scanner (native, no tools needed).

let scan = Command(
    name: "scan", description: "Scan Dockerfiles, compose files and Kubernetes manifests for misconfigurations",
    isDefault: true,
    params: [
        ParamSpec(name: "dir", type: .path, default: ".", description: "Directory to scan (recursively)"),
        ParamSpec(name: "file", type: .list, description: "Scan only these files (repeatable); relative to the current directory or --dir"),
        ParamSpec(name: "exclude", type: .list, description: "gitignore-style glob to skip (repeatable): *, **, ?, trailing / for folders"),
        ParamSpec(name: "severity", type: .list, description: "Report only these severities (critical, high, medium, low, info)"),
    ]
) { ctx in
    var severities: Set<Severity>? = nil
    let wanted = ctx.arguments.list("severity")
    if !wanted.isEmpty {
        var set = Set<Severity>()
        for w in wanted {
            guard let s = Severity(rawValue: w.lowercased()) else {
                throw PluginError.invalidParams(param: "severity", message: "unknown severity '\(w)'; use critical, high, medium, low or info")
            }
            set.insert(s)
        }
        severities = set
    }
    let options = ScanOptions(dir: ctx.arguments.path("dir") ?? ".", files: ctx.arguments.list("file"),
                              excludes: ctx.arguments.list("exclude"), severities: severities)
    // Report paths relative to the workspace when the scanned folder is inside it, so SARIF locations resolve
    // from the repository root (GitHub code scanning); fingerprints stay relative to --dir, whatever the cwd.
    let root = URL(fileURLWithPath: options.dir).standardizedFileURL.path
    let workspace = URL(fileURLWithPath: ctx.workspace).standardizedFileURL.path
    let prefix = root.hasPrefix(workspace + "/") ? String(root.dropFirst(workspace.count + 1)) + "/" : ""
    let events = ScanEvents(
        finding: { finding in
            var f = finding
            if !prefix.isEmpty {
                f.target.file = f.target.file.map { prefix + $0 }
                if f.target.kind == "file" { f.target.name = prefix + f.target.name }
            }
            ctx.emit(f)
        },
        log: { level, message in
            switch level {
            case .debug: ctx.log(.debug, message)
            case .info: ctx.log(.info, message)
            case .warning: ctx.log(.warning, message)
            case .error: ctx.log(.error, message)
            }
        },
        progress: { done, total in ctx.progress("scanned \(done)/\(total) files", current: done, total: total) },
        isCancelled: { ctx.isCancelled })
    do {
        let summary = try ScanEngine.run(options, events)
        return .ok(summary: summary.json)
    } catch let e as DiscoveryError {
        throw PluginError.invalidParams(param: ctx.arguments.list("file").isEmpty ? "dir" : "file", message: e.description)
    } catch is ScanCancelled {
        throw PluginError.cancelled
    }
}

let rules = Command(name: "rules", description: "List every rule: id, kind, severity, title, equivalent hadolint/checkov/Trivy ids, remediation") { _ in
    .ok(summary: ["count": .int(RuleTable.all.count)], table: RuleTable.resultTable())
}

PluginRunner.main(Plugin(
    name: "iac-scan", version: "0.1.0", vendor: "contsec",
    description: "Dockerfile, docker-compose and Kubernetes manifest scanner",
    commands: [scan, rules],
    rules: RuleTable.all.map { RuleSpec(id: $0.id, title: $0.title, remediation: $0.remediation,
                                        helpUri: $0.references.first { $0.hasPrefix("https://") },
                                        severity: $0.severity, category: $0.category) }))
