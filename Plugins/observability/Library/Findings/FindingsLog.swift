import Foundation

/// Findings of each plugin's latest run, and the most recent findings, read from the workspace's daily logs.
///
/// Reads incrementally: each file is read from where the last call stopped, so a scrape costs only what was appended
/// since the previous one. A file that shrank (rotated, truncated) is read again from its start.
public final class FindingsLog: @unchecked Sendable {
    /// One plugin's latest run.
    public struct Run: Sendable, Equatable {
        public var plugin: String
        public var runId: String
        public var lastTime: String
        /// Severity (lower case) → findings not ignored.
        public var counts: [String: Int]
        public var ignored: Int
    }

    public struct Recent: Sendable, Equatable, Codable {
        public var time: String
        public var plugin: String
        public var severity: String
        public var text: String
    }

    public struct Summary: Sendable {
        public var runs: [Run]
        public var recent: [Recent]
        /// Changes whenever new log lines were read: equal generations hold equal data.
        public var generation: Int
    }

    public let directory: String
    public let days: Int
    public let recentLimit: Int
    private let lock = NSLock()
    private var offsets: [String: UInt64] = [:]
    private var partial: [String: [UInt8]] = [:]
    private var latest: [String: Run] = [:]
    private var recent: [Recent] = []
    private var generation = 0

    public init(directory: String, days: Int = 7, recentLimit: Int = 50) {
        self.directory = directory
        self.days = days
        self.recentLimit = recentLimit
    }

    public func refresh() -> Summary {
        lock.lock()
        defer { lock.unlock() }
        let files = LogFolder.files(directory, newest: days)
        for path in files {
            guard let handle = FileHandle(forReadingAtPath: path) else { continue }
            defer { try? handle.close() }
            let size = (try? handle.seekToEnd()) ?? 0
            var offset = offsets[path] ?? 0
            if size < offset {  // truncated or replaced: start over from everything
                offsets = [:]; partial = [:]; latest = [:]; recent = []; generation += 1
                lock.unlock()
                let again = refresh()
                lock.lock()
                return again
            }
            guard size > offset else { continue }
            generation += 1
            try? handle.seek(toOffset: offset)
            while offset < size {
                let chunk = handle.readData(ofLength: Int(min(1 << 20, size - offset)))
                if chunk.isEmpty { break }
                offset += UInt64(chunk.count)
                var bytes = partial[path] ?? []
                bytes.append(contentsOf: chunk)
                var start = 0
                for i in bytes.indices where bytes[i] == 0x0A {
                    consume(bytes[start..<i])
                    start = i + 1
                }
                partial[path] = Array(bytes[start...])
            }
            offsets[path] = offset
        }
        let runs = latest.values.sorted { $0.plugin < $1.plugin }
        return Summary(runs: runs, recent: recent, generation: generation)
    }

    private func consume(_ bytes: ArraySlice<UInt8>) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = LogLine.parse(text), line.plugin != "contsec" else { return }
        var run = latest[line.plugin]
        if run?.runId != line.runId {
            run = Run(plugin: line.plugin, runId: line.runId, lastTime: line.time, counts: [:], ignored: 0)
        }
        run!.lastTime = line.time
        if let f = line.finding {
            if f.ignored {
                run!.ignored += 1
            } else {
                run!.counts[f.severity, default: 0] += 1
                recent.append(Recent(time: line.time, plugin: line.plugin, severity: f.severity, text: f.text))
                if recent.count > recentLimit * 2 { recent.removeFirst(recent.count - recentLimit) }
            }
        }
        latest[line.plugin] = run
    }
}

extension FindingsLog.Summary {
    /// The newest findings first, at most `limit`.
    public func newest(_ limit: Int) -> [FindingsLog.Recent] { Array(recent.suffix(limit).reversed()) }
}
