import Foundation

/// One line of contsec's daily log (`logs/security/container-security-YYYYMMDD.log`):
/// `2026-12-01T05:14:12.031Z [trivy-scanner 3f2a9c1e] finding HIGH CVE-2026-0001 image nginx:1.27 — title`.
public struct LogLine: Sendable, Equatable {
    public var time: String
    public var plugin: String
    public var runId: String
    public var event: String
    public var detail: String

    public static func parse<S: StringProtocol>(_ line: S) -> LogLine? {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        let time = line[..<open].trimmingCharacters(in: .whitespaces)
        let source = line[line.index(after: open)..<close].split(separator: " ", maxSplits: 1)
        guard source.count == 2, !time.isEmpty else { return nil }
        let rest = line[line.index(after: close)...].drop { $0 == " " }
        let event = rest.prefix { $0 != " " }
        let detail = rest.dropFirst(event.count).drop { $0 == " " }
        return LogLine(time: time, plugin: String(source[0]), runId: String(source[1]), event: String(event), detail: String(detail))
    }

    /// For a `finding` line: the severity word (lower-cased), whether it was ignored, and the text after it.
    public var finding: (severity: String, ignored: Bool, text: String)? {
        guard event == "finding" else { return nil }
        let word = detail.prefix { $0 != " " }
        let text = String(detail.dropFirst(word.count + 1))
        return (word.lowercased(), detail.hasSuffix(")") && detail.contains(" (ignored: "), text)
    }
}

/// The daily log files in a folder, oldest first (their names sort by day).
enum LogFolder {
    static let prefix = "container-security-"

    static func files(_ directory: String, newest: Int) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let logs = names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".log") }.sorted()
        return logs.suffix(newest).map { directory + "/" + $0 }
    }
}
