import ContsecProtocol

/// A plugin's table result as aligned text, for the terminal table and anything else that prints it for people.
enum ResultTableText {
    /// Columns wider than this are cut with "…" (the last column never is: it has the rest of the line).
    static let maxColumnWidth = 48

    /// The heading, a header row and one line per row (at most `maxRows`, then a line saying how many were left out);
    /// with a `group` column, a heading line where its value changes instead of that column; the footer last.
    static func render(_ table: ResultTable, heading: String, maxRows: Int) -> String {
        let shown = table.rows.prefix(maxRows)
        // A group that is the only column stays a column: a table of headings alone would show no rows.
        let group = table.columns.count > 1 ? table.group : nil
        let columns = table.columns.filter { $0.key != group }
        let cells: [[String]] = shown.map { row in columns.map { TerminalText.escaped(ResultTable.text(row[$0.key])) } }
        let groups: [String] = group.map { g in shown.map { TerminalText.escaped(ResultTable.text($0[g])) } } ?? []
        let headers = columns.map { TerminalText.escaped($0.title) }
        var widths = headers.map(\.count)
        for row in cells {
            for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) }
        }
        let last = widths.count - 1
        for i in widths.indices where i != last { widths[i] = min(widths[i], maxColumnWidth) }
        func line(_ values: [String]) -> String {
            var parts: [String] = []
            for (i, v) in values.enumerated() {
                parts.append(i == last ? v : pad(cut(v, widths[i]), widths[i]))
            }
            var text = "  " + parts.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text + "\n"
        }
        var out = "\n\(TerminalText.escaped(heading)) (\(table.rows.count) row\(table.rows.count == 1 ? "" : "s"))\n"
        out += line(headers)
        var currentGroup: String?
        for (i, row) in cells.enumerated() {
            if i < groups.count, groups[i] != currentGroup {
                currentGroup = groups[i]
                out += "\n  \(groups[i])\n"
            }
            out += line(row)
        }
        if table.rows.count > shown.count {
            out += "  … and \(table.rows.count - shown.count) more rows (use --format json or jsonl for all of them)\n"
        }
        if let footer = table.footer { out += "\n  \(TerminalText.escaped(footer))\n" }
        return out
    }

    private static func cut(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(width - 1)) + "…"
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }
}
