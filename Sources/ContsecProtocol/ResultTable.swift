/// Data a command returns rather than findings (a rule list, a check catalogue, a connectivity matrix): one table
/// that every report format renders — the terminal table included. Sent as `table` in the `run` result
/// (PROTOCOL.md §8, protocol 1.1).
///
/// Cells are scalars (string, integer, number, boolean, null) so every format can show them the same way; a row
/// may leave a column out (an empty cell) but may not name a column the table does not declare.
public struct ResultTable: Codable, Sendable, Hashable {
    /// One column: `key` names the cell in each row, `title` is the header users see.
    public struct Column: Codable, Sendable, Hashable {
        public var key: String
        public var title: String
        public init(_ key: String, _ title: String) { self.key = key; self.title = title }
    }

    /// What the table shows, e.g. "iac-scan rules". Optional: the host falls back to the plugin and command.
    public var title: String?
    public var columns: [Column]
    public var rows: [[String: JSONValue]]
    /// The key of a column that groups rows (a section, a namespace): the terminal prints its value as a heading
    /// each time it changes, instead of as a column. JSON keeps it in every row.
    public var group: String?
    /// One line under the rows: totals, a score. Optional.
    public var footer: String?

    /// Limits both sides check (the schema states the same ones).
    public enum Limits {
        public static let maxColumns = 32
        public static let maxKeyBytes = 64
        public static let maxTitleBytes = 256
        public static let maxCellBytes = 4096
    }

    public init(title: String? = nil, columns: [Column], rows: [[String: JSONValue]], group: String? = nil, footer: String? = nil) {
        self.title = title
        self.columns = columns
        self.rows = rows
        self.group = group
        self.footer = footer
    }

    enum CodingKeys: String, CodingKey { case title, columns, rows, group, footer }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        columns = try c.decode([Column].self, forKey: .columns)
        rows = try c.decode([[String: JSONValue]].self, forKey: .rows)
        group = try c.decodeIfPresent(String.self, forKey: .group)
        footer = try c.decodeIfPresent(String.self, forKey: .footer)
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }

    /// Checks the rules of PROTOCOL.md §8 ("Table results"); the error names the offending member.
    public func validate() throws(ValidationError) {
        if let title, title.isEmpty || title.utf8.count > Limits.maxTitleBytes {
            throw ValidationError(field: "table.title", reason: "must be 1 to \(Limits.maxTitleBytes) bytes")
        }
        guard (1...Limits.maxColumns).contains(columns.count) else {
            throw ValidationError(field: "table.columns", reason: "must have 1 to \(Limits.maxColumns) columns, has \(columns.count)")
        }
        var keys = Set<String>()
        for (i, col) in columns.enumerated() {
            guard Self.isKey(col.key) else {
                throw ValidationError(field: "table.columns[\(i)].key",
                                      reason: "'\(col.key)' must match ^[A-Za-z][A-Za-z0-9_.-]*$ (at most \(Limits.maxKeyBytes) bytes)")
            }
            guard keys.insert(col.key).inserted else {
                throw ValidationError(field: "table.columns[\(i)].key", reason: "'\(col.key)' is declared twice")
            }
            guard !col.title.isEmpty, col.title.utf8.count <= Limits.maxTitleBytes else {
                throw ValidationError(field: "table.columns[\(i)].title", reason: "must be 1 to \(Limits.maxTitleBytes) bytes")
            }
        }
        if let group, !keys.contains(group) {
            throw ValidationError(field: "table.group", reason: "'\(group)' is not a declared column")
        }
        if let footer, footer.isEmpty || footer.utf8.count > Limits.maxCellBytes {
            throw ValidationError(field: "table.footer", reason: "must be 1 to \(Limits.maxCellBytes) bytes")
        }
        for (r, row) in rows.enumerated() {
            for (key, cell) in row {
                guard keys.contains(key) else {
                    throw ValidationError(field: "table.rows[\(r)].\(key)", reason: "not a declared column (columns: \(columns.map(\.key).joined(separator: ", ")))")
                }
                switch cell {
                case .string(let s) where s.utf8.count > Limits.maxCellBytes:
                    throw ValidationError(field: "table.rows[\(r)].\(key)", reason: "\(s.utf8.count) bytes is over the \(Limits.maxCellBytes)-byte limit")
                case .string, .int, .double, .bool, .null: break
                default:
                    throw ValidationError(field: "table.rows[\(r)].\(key)", reason: "a cell is a string, number, boolean or null, got \(cell.typeName)")
                }
            }
        }
    }

    static func isKey(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, u.count <= Limits.maxKeyBytes, Self.isLetter(first) else { return false }
        return u.allSatisfy { Self.isLetter($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    private static func isLetter(_ b: UInt8) -> Bool { (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }

    /// How every text format shows a cell: strings as they are, numbers in JSON notation, booleans as yes/no,
    /// absent or null as empty.
    public static func text(_ cell: JSONValue?) -> String {
        switch cell {
        case nil, .null?: return ""
        case .string(let s)?: return s
        case .bool(let b)?: return b ? "yes" : "no"
        case let v?: return String(decoding: JSONWriter.bytes(v), as: UTF8.self)
        }
    }

    /// The wire form: `{"title"?, "columns":[{"key","title"}], "rows":[{…}], "group"?, "footer"?}`.
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "columns": .array(columns.map { .object(["key": .string($0.key), "title": .string($0.title)]) }),
            "rows": .array(rows.map(JSONValue.object)),
        ]
        if let title { o["title"] = .string(title) }
        if let group { o["group"] = .string(group) }
        if let footer { o["footer"] = .string(footer) }
        return .object(o)
    }
}
