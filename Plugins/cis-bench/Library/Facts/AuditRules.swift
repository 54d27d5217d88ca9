import Foundation

/// The host's audit rules: `auditctl -l` when auditctl is installed (the loaded rules, as docker-bench reads them),
/// else the rule files (/etc/audit/audit.rules and /etc/audit/rules.d/*.rules).
public struct AuditRules: Sendable {
    /// Where the rules came from, for the check's details.
    public var source: String
    /// Rule lines, comments and blanks removed.
    public var lines: [String]

    public init(source: String, lines: [String]) { self.source = source; self.lines = lines }

    /// Whether some rule mentions `path` (docker-bench greps the rules for the path).
    public func covers(_ path: String) -> Bool { lines.contains { $0.contains(path) } }

    static func fromFiles(_ files: [String]) -> AuditRules {
        var lines: [String] = []
        var read: [String] = []
        for file in files {
            guard let text = ProcFS.read(file) else { continue }
            read.append(file)
            lines += ruleLines(text)
        }
        return AuditRules(source: read.isEmpty ? "auditctl not installed and \(files.first ?? "no rule file") missing" : read.joined(separator: ", "),
                          lines: lines)
    }

    static func ruleLines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") && !$0.hasPrefix(";") }
    }

    static func ruleFiles(directory: String = "/etc/audit") -> [String] {
        let rulesD = directory + "/rules.d"
        let extra = ((try? FileManager.default.contentsOfDirectory(atPath: rulesD)) ?? [])
            .filter { $0.hasSuffix(".rules") }.sorted().map { rulesD + "/" + $0 }
        return [directory + "/audit.rules"] + extra
    }
}
