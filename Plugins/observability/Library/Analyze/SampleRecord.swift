import Foundation

/// One container's sample as one line of text: monitor writes it to stderr each round (the host keeps it in the daily
/// log), analyze `--from-log` reads it back.
///
/// `sample container=web cpu_percent=1.25 memory_bytes=1048576 memory_percent=0.01 restarts=0 ports=80,443 processes=nginx,sh`
///
/// Container names are `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, so no quoting is needed; process names have spaces and commas
/// replaced by `_`. `ports` and `processes` are left out when not observed, and an empty list is written as `-`.
public struct SampleRecord: Sendable, Equatable {
    public var time: Date
    public var container: String
    public var cpuPercent: Double?
    public var memoryBytes: UInt64?
    public var memoryPercent: Double?
    public var restarts: Int?
    public var ports: [Int]?
    public var processes: [String]?

    /// At most this many process names per line (a log line is cut at 2,000 bytes).
    public static let maxProcesses = 40

    public init(time: Date, container: String, cpuPercent: Double?, memoryBytes: UInt64?, memoryPercent: Double?,
                restarts: Int? = nil, ports: [Int]? = nil, processes: [String]? = nil) {
        self.time = time
        self.container = container
        self.cpuPercent = cpuPercent
        self.memoryBytes = memoryBytes
        self.memoryPercent = memoryPercent
        self.restarts = restarts
        self.ports = ports
        self.processes = processes
    }

    /// The line, without a newline. The time is not part of it: the log line carries it.
    public var line: String {
        var s = "sample container=\(container)"
        if let cpuPercent { s += String(format: " cpu_percent=%.2f", cpuPercent) }
        if let memoryBytes { s += " memory_bytes=\(memoryBytes)" }
        if let memoryPercent { s += String(format: " memory_percent=%.2f", memoryPercent) }
        if let restarts { s += " restarts=\(restarts)" }
        if let ports { s += " ports=" + (ports.isEmpty ? "-" : ports.sorted().map(String.init).joined(separator: ",")) }
        if let processes {
            let names = processes.sorted().prefix(Self.maxProcesses).map { String($0.map { $0 == " " || $0 == "," || $0 == "=" ? "_" : $0 }) }
            s += " processes=" + (names.isEmpty ? "-" : names.joined(separator: ","))
        }
        return s
    }

    /// Reads `sample key=value…` (what `line` writes); nil for any other text.
    public static func parse<S: StringProtocol>(_ text: S, time: Date) -> SampleRecord? {
        let words = String(text).split(separator: " ")
        guard words.first == "sample" else { return nil }
        var fields: [Substring: Substring] = [:]
        for w in words.dropFirst() {
            guard let eq = w.firstIndex(of: "=") else { continue }
            fields[w[..<eq]] = w[w.index(after: eq)...]
        }
        guard let name = fields["container"], !name.isEmpty else { return nil }
        func list(_ key: Substring) -> [Substring]? {
            fields[key].map { $0 == "-" ? [] : $0.split(separator: ",") }
        }
        return SampleRecord(time: time, container: String(name),
                            cpuPercent: fields["cpu_percent"].flatMap { Double($0) },
                            memoryBytes: fields["memory_bytes"].flatMap { UInt64($0) },
                            memoryPercent: fields["memory_percent"].flatMap { Double($0) },
                            restarts: fields["restarts"].flatMap { Int($0) },
                            ports: list("ports")?.compactMap { Int($0) },
                            processes: list("processes")?.map(String.init))
    }
}
