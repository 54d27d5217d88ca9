import ContsecProtocol

/// The audit as docker-bench-security users read it: the checks under their section's heading, each with its status
/// (PASS/WARN/INFO/NOTE), id and title with (Automated)/(Manual); under a check, one line per offender (or its
/// details when it names none) and, on request, a WARN's remediation (docker-bench's `-p`); the check count and the
/// score in the footer. Lines under a check leave status and id empty, as docker-bench does; the run's summary
/// (`checks[].items`) is the structured form for programs.
public enum AuditTable {
    public static func make(_ report: AuditReport, remediation: Bool = false) -> ResultTable {
        var rows: [[String: JSONValue]] = []
        for o in report.outcomes {
            let section = JSONValue.string(sectionHeading(o.check.section))
            rows.append(["section": section, "status": .string(o.result.status.rawValue), "id": .string(o.check.id),
                         "check": .string("\(o.check.title) (\(o.check.automated ? "Automated" : "Manual"))")])
            var under = o.result.offenders.map(\.label)
            if under.isEmpty, let d = o.result.details { under = [d] }
            if remediation, o.result.status == .warn { under.append("Remediation: \(o.remediation)") }
            for text in under { rows.append(["section": section, "check": .string("    * \(cell(text))")]) }
        }
        let counts = CheckStatus.allCases.map { "\($0.rawValue) \(report.count($0))" }.joined(separator: ", ")
        return ResultTable(title: "\(CISCatalog.version) audit",
                           columns: [.init("section", "SECTION"), .init("status", "STATUS"), .init("id", "ID"), .init("check", "CHECK")],
                           rows: rows, group: "section",
                           footer: "Checks: \(report.outcomes.count)  Score: \(report.score)  (\(counts))")
    }

    /// "1 - Host Configuration", as docker-bench heads its sections.
    public static func sectionHeading(_ section: Int) -> String {
        "\(section) - \(CISCatalog.sectionTitles[section] ?? "Section \(section)")"
    }

    /// A cell within the protocol's limit: a long details line is cut, the summary keeps it whole.
    static func cell(_ text: String) -> String {
        let limit = ResultTable.Limits.maxCellBytes - 64
        guard text.utf8.count > limit else { return text }
        var cut = Substring(text)
        while cut.utf8.count > limit { cut = cut.dropLast() }
        return cut + " …"
    }
}
