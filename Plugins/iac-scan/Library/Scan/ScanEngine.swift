import ContsecProtocol
import Dispatch

public struct ScanOptions: Sendable {
    public var dir: String
    public var files: [String]
    public var excludes: [String]
    /// Report only these severities; nil reports everything.
    public var severities: Set<Severity>?
    public var progressEvery: Int

    public init(dir: String, files: [String] = [], excludes: [String] = [], severities: Set<Severity>? = nil, progressEvery: Int = 250) {
        self.dir = dir
        self.files = files
        self.excludes = excludes
        self.severities = severities
        self.progressEvery = progressEvery
    }
}

public struct ScanSummary: Sendable, Equatable {
    public var files = 0
    public var dockerfiles = 0
    public var compose = 0
    public var kubernetes = 0
    public var parseErrors = 0
    /// Files and folders that could not be read (reported as CS-SCAN-001 findings).
    public var unscanned = 0
    public var findings = 0
    public var suppressed = 0
    public var bySeverity: [Severity: Int] = [:]

    public var json: [String: JSONValue] {
        var sev: [String: JSONValue] = [:]
        for s in Severity.allCases.reversed() where s != .unknown { sev[s.rawValue] = .int(bySeverity[s] ?? 0) }
        return ["files": .int(files), "dockerfiles": .int(dockerfiles), "compose": .int(compose), "kubernetes": .int(kubernetes),
                "parseErrors": .int(parseErrors), "unscanned": .int(unscanned), "findings": .int(findings), "suppressed": .int(suppressed), "bySeverity": .object(sev)]
    }
}

public enum ScanLogLevel: Sendable { case debug, info, warning, error }

/// The host-facing side effects of a scan, so the engine stays independent of the plugin kit.
public struct ScanEvents: Sendable {
    public var finding: @Sendable (Finding) -> Void
    public var log: @Sendable (ScanLogLevel, String) -> Void
    public var progress: @Sendable (_ done: Int, _ total: Int) -> Void
    public var isCancelled: @Sendable () -> Bool

    public init(finding: @escaping @Sendable (Finding) -> Void, log: @escaping @Sendable (ScanLogLevel, String) -> Void = { _, _ in },
                progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.finding = finding
        self.log = log
        self.progress = progress
        self.isCancelled = isCancelled
    }
}

public struct ScanCancelled: Error {}

/// Discovers files, scans them in parallel batches (each file read once and parsed once) and emits
/// findings in path order so output is deterministic.
public enum ScanEngine {
    final class Slots: @unchecked Sendable {
        // Each index is written by exactly one worker of concurrentPerform, then read after it returns.
        var results: [FileScanResult?]
        init(_ n: Int) { results = Array(repeating: nil, count: n) }
    }

    public static func resolveFiles(_ opts: ScanOptions) throws -> [DiscoveredFile] {
        let root = normalizedRoot(opts.dir)
        if opts.files.isEmpty { return try FileDiscovery.discover(root: root, excludes: opts.excludes) }
        var out: [DiscoveredFile] = []
        for f in opts.files {
            var abs = f
            if !f.hasPrefix("/") {
                abs = FileDiscovery.isRegularFile(f) ? currentDirectory() + "/" + f : root + "/" + f
            }
            guard FileDiscovery.isRegularFile(abs) else {
                throw DiscoveryError(description: "\(f) does not exist or is not a regular file (relative paths are tried against the current directory, then --dir)")
            }
            let name = String(abs.split(separator: "/").last ?? "")
            let cand = FileScanner.candidate(forName: name) ?? .dockerfile
            let rel = abs.hasPrefix(root + "/") ? String(abs.dropFirst(root.count + 1)) : f
            out.append(DiscoveredFile(absolutePath: abs, relativePath: rel, candidate: cand))
        }
        return out
    }

    static func normalizedRoot(_ dir: String) -> String {
        var d = dir.isEmpty ? "." : dir
        if !d.hasPrefix("/") { d = currentDirectory() + "/" + d }
        while d.count > 1, d.hasSuffix("/") { d.removeLast() }
        if d.hasSuffix("/.") { d.removeLast(2) }
        return d
    }

    static func currentDirectory() -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buf, buf.count) != nil else { return "." }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func run(_ opts: ScanOptions, _ events: ScanEvents) throws -> ScanSummary {
        let files = try resolveFiles(opts)
        var summary = ScanSummary()
        let total = files.count
        events.log(.info, "iac-scan: \(total) candidate file(s) under \(opts.dir)")
        let batch = 128
        var start = 0
        var nextProgress = opts.progressEvery
        while start < total {
            if events.isCancelled() { throw ScanCancelled() }
            let end = min(start + batch, total)
            let slots = Slots(end - start)
            let chunk = Array(files[start..<end])
            DispatchQueue.concurrentPerform(iterations: chunk.count) { k in
                let f = chunk[k]
                if let problem = f.problem {
                    slots.results[k] = FileScanResult(kind: nil, unscanned: problem)
                    return
                }
                switch FileDiscovery.load(f.absolutePath) {
                case .failure(let problem): slots.results[k] = FileScanResult(kind: nil, unscanned: problem.description)
                case .success(let bytes): slots.results[k] = FileScanner.scan(bytes: bytes, path: f.relativePath, as: f.candidate)
                }
            }
            for (k, r) in slots.results.enumerated() {
                guard let r else { continue }
                let f = chunk[k]
                if let reason = r.unscanned {
                    // Not subject to --severity: it says what the scan could not vouch for.
                    summary.unscanned += 1
                    let finding = UnscannedFile.finding(path: f.relativePath, reason: reason)
                    events.log(.error, "\(f.relativePath) \(reason): reported as \(UnscannedFile.ruleId)")
                    summary.findings += 1
                    summary.bySeverity[finding.severity, default: 0] += 1
                    events.finding(finding)
                    continue
                }
                if let err = r.parseError {
                    summary.parseErrors += 1
                    events.log(.error, "\(f.relativePath): \(err) (file skipped, no findings)")
                }
                guard let kind = r.kind else { continue }
                summary.files += 1
                switch kind {
                case .dockerfile: summary.dockerfiles += 1
                case .compose: summary.compose += 1
                case .kubernetes: summary.kubernetes += 1
                }
                summary.suppressed += r.suppressed
                for finding in r.findings {
                    if let allowed = opts.severities, !allowed.contains(finding.severity) { continue }
                    summary.findings += 1
                    summary.bySeverity[finding.severity, default: 0] += 1
                    events.finding(finding)
                }
            }
            start = end
            if start >= nextProgress || start == total {
                events.progress(start, total)
                nextProgress = start + opts.progressEvery
            }
        }
        return summary
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
