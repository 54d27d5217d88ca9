/// The syscall counts of one `strace -f -c` run.
public struct StraceSummary: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var calls: Int
        public var errors: Int
    }
    /// Syscall name → counts, for the native (64-bit) personality.
    public var native: [String: Entry]
    /// Counts made in the 32-bit personality (a 32-bit program on a 64-bit host), if any.
    public var compat: [String: Entry]

    public var allNames: Set<String> { Set(native.keys).union(compat.keys) }

    /// Reads the summary table strace writes with `-c`:
    /// ```
    /// % time     seconds  usecs/call     calls    errors syscall
    /// ------ ----------- ----------- --------- --------- ----------------
    ///  24.14    0.000070          70         1           execve
    ///   0.00    0.000000           0         2         2 access
    /// ------ ----------- ----------- --------- --------- ----------------
    /// 100.00    0.000290           4        67         2 total
    /// ```
    /// With more than one personality each table is headed "System call usage summary for 32 bit mode:".
    /// Syscalls strace cannot name appear as `syscall_0x1b4` (hex) or `syscall_436`; they are named from `table`.
    public static func parse(_ text: String, table: SyscallTable) -> StraceSummary {
        var summary = StraceSummary(native: [:], compat: [:])
        var inCompat = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("System call usage summary for") {
                inCompat = line.contains("32 bit") || line.contains("x32")
                continue
            }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // Data rows: % time, seconds, usecs/call, calls, [errors], name.
            guard fields.count == 5 || fields.count == 6, Double(fields[0]) != nil, let calls = Int(fields[3]) else { continue }
            var name = String(fields.last!)
            if name == "total" { continue }
            let errors = fields.count == 6 ? Int(fields[4]) ?? 0 : 0
            if name.hasPrefix("syscall_"), let number = Self.number(String(name.dropFirst("syscall_".count))),
               let known = table.name(of: number) {
                name = known
            }
            let entry = Entry(calls: calls, errors: errors)
            if inCompat { summary.compat[name] = entry } else { summary.native[name] = entry }
        }
        return summary
    }

    static func number(_ text: String) -> Int? {
        text.hasPrefix("0x") ? Int(text.dropFirst(2), radix: 16) : Int(text)
    }
}
