import Foundation
import ContainerKit
import HTTPServer

/// The `exporter` command's server: `/metrics` (Prometheus text format), `/healthz`, and a one-line index at `/`.
///
/// Scrapes read the collector's cache (``Collector``) and share one rendering of it (``RenderedMetrics``).
public final class Exporter: Sendable {
    public let collector: Collector
    public let findings: FindingsLog
    private let scrapes = Counter()
    private let rendered = RenderedMetrics()

    public init(collector: Collector, findings: FindingsLog) {
        self.collector = collector
        self.findings = findings
    }

    /// Requests served on `/metrics` so far.
    public var scrapeCount: Int { scrapes.value }

    public func handle(_ request: HTTPRequest) async -> HTTPResponse {
        guard request.method == "GET" else {
            return HTTPResponse(status: 405, headers: [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")], body: Data("only GET and HEAD\n".utf8))
        }
        switch request.path {
        case "/metrics":
            scrapes.increment()
            let snap = await collector.snapshot()
            let summary = findings.refresh()
            let body = rendered.body(for: snap.generation, summary.generation) {
                Data(MetricsRenderer.renderBytes(snap, findings: summary))
            }
            return HTTPResponse(status: 200, headers: [("Content-Type", Exposition.contentType)], body: body)
        case "/healthz":
            // Healthy means the exporter can do its job: the Engine answers.
            let snap = await collector.snapshot()
            if let error = snap.error { return .text("unhealthy: \(error)\n", status: 503) }
            return .text("ok\n")
        case "/":
            return .text("contsec observability exporter: metrics at /metrics, health at /healthz\n")
        default:
            return .error(404)
        }
    }
}

/// The last rendering, the data generations it was made from and when. With many containers a sample arrives every
/// few milliseconds, so the text is made again only when the data changed and the last rendering is `maxAge` old:
/// at most one rendering per half second however many scrapers there are (the samples themselves are a second apart).
final class RenderedMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var key: (Int, Int)?
    private var made = Date.distantPast
    private var body = Data()
    let maxAge: Double

    init(maxAge: Double = 0.5) { self.maxAge = maxAge }

    func body(for samples: Int, _ findings: Int, render: () -> Data) -> Data {
        lock.lock()
        if let key, key == (samples, findings) || Date().timeIntervalSince(made) < maxAge { defer { lock.unlock() }; return body }
        lock.unlock()
        // Rendered outside the lock: concurrent scrapes of a fresh generation may each render once, none waits.
        let fresh = render()
        lock.lock()
        key = (samples, findings)
        made = Date()
        body = fresh
        lock.unlock()
        return fresh
    }
}

/// A thread-safe counter.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    public init() {}
    public func increment() { lock.lock(); n += 1; lock.unlock() }
    public var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
