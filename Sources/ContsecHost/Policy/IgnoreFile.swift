#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// One line of an ignore file: a rule id or a finding fingerprint, optionally with an expiry date.
public struct IgnoreEntry: Sendable, Hashable {
    public var id: String
    /// The first day the entry no longer applies (`exp:YYYY-MM-DD`, midnight UTC), as trivy reads `.trivyignore`.
    public var expires: Date?
    public var expiresText: String?
    public var line: Int
}

/// `.contsecignore`, in the `.trivyignore` format users know: one rule id or fingerprint per line, `#` starts a
/// comment, and an optional `exp:YYYY-MM-DD` field after the id. From that day on (UTC) the entry ignores nothing
/// and is reported as expired.
public struct IgnoreList: Sendable {
    public let path: String
    /// id or fingerprint → the entry that ignores it.
    public private(set) var active: [String: IgnoreEntry] = [:]
    public private(set) var expired: [IgnoreEntry] = []
    /// Lines that could not be read (a malformed date): skipped, so they ignore nothing.
    public private(set) var problems: [String] = []

    public static let defaultName = ".contsecignore"

    /// Reads `path`. A missing file is an error only when the user named it (`mustExist`).
    public static func load(path: String, mustExist: Bool, now: Date = Date()) throws(CLIError) -> IgnoreList? {
        // Read from the scanned workspace by default, so it is untrusted input: opened without blocking (a FIFO), it
        // must be a regular file under the size limit (a 229 MB file used to cost 3 GiB).
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if !mustExist && e == ENOENT { return nil }
            let why = e == ENOENT ? "no such file" : e == EACCES ? "permission denied" : String(cString: strerror(e))
            throw CLIError.usage("cannot read the ignore file \(path): \(why). "
                                 + "Fix the path given to --ignorefile or create the file.")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
            throw CLIError.usage("the ignore file \(path) is not a regular file; replace it with one or pass --ignorefile")
        }
        guard Int(st.st_size) <= maxBytes else {
            throw CLIError.usage("the ignore file \(path) is \(st.st_size) bytes, over the limit of \(maxBytes) "
                                 + "(about 60,000 fingerprints); trim it, or pass another with --ignorefile")
        }
        var data = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < data.count {
            let n = data.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            got += n
        }
        return IgnoreList(text: String(decoding: data[..<got], as: UTF8.self), path: path, now: now)
    }

    /// The largest ignore file read: far above any real list of accepted risks.
    public static let maxBytes = 4 << 20

    public init(text: String, path: String, now: Date = Date()) {
        self.path = path
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
            if let hash = fields.firstIndex(where: { $0.hasPrefix("#") }) { fields.removeSubrange(hash...) }
            guard let id = fields.first else { continue }
            var entry = IgnoreEntry(id: id, expires: nil, expiresText: nil, line: i + 1)
            if let exp = fields.dropFirst().first(where: { $0.hasPrefix("exp:") }) {
                let text = String(exp.dropFirst(4))
                guard let date = Self.parseDay(text) else {
                    problems.append("\(path):\(i + 1): '\(exp)' is not a date (exp:YYYY-MM-DD); the entry for \(id) is skipped")
                    continue
                }
                entry.expires = date
                entry.expiresText = text
            }
            if let e = entry.expires, e <= now {
                expired.append(entry)
            } else {
                active[id] = entry
            }
        }
    }

    /// The entry that ignores `finding`, by rule id first, then by fingerprint.
    public func match(_ finding: Finding) -> IgnoreEntry? {
        if let e = active[finding.ruleId] { return e }
        if let fp = finding.fingerprint, let e = active[fp] { return e }
        return nil
    }

    /// "`.contsecignore:3 TK-1 (until 2027-01-01)`": why a finding was ignored, as reports show it.
    public func reason(_ e: IgnoreEntry) -> String {
        "\(URL(fileURLWithPath: path).lastPathComponent):\(e.line) \(e.id)" + (e.expiresText.map { " (until \($0))" } ?? "")
    }

    /// Expired entries and unreadable lines, one sentence each.
    /// At most 20 lines, so a file of 60,000 expired entries does not flood the terminal.
    public var warnings: [String] {
        let all = expired.lazy.map { "\(path):\($0.line): the ignore entry for \($0.id) expired on \($0.expiresText ?? "?"); it no longer ignores anything" }
            + problems
        let shown = Array(all.prefix(20))
        let more = expired.count + problems.count - shown.count
        return more > 0 ? shown + ["\(path): \(more) more ignore-file warning(s) not shown"] : shown
    }

    public var json: JSONValue {
        [
            "path": .string(path), "active": .int(active.count),
            "expired": .array(expired.map { ["id": .string($0.id), "line": .int($0.line), "expired": .string($0.expiresText ?? "")] }),
            "problems": .array(problems.map(JSONValue.string)),
        ]
    }

    /// `YYYY-MM-DD` at midnight UTC; nil for anything else (including 2027-02-30).
    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let date = cal.date(from: DateComponents(year: y, month: m, day: d)),
              cal.component(.day, from: date) == d, cal.component(.month, from: date) == m else { return nil }
        return date
    }
}
