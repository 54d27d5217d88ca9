import Foundation
import ContainerKit
import HTTPServer

/// The `exporter` command's server: `/metrics` (Prometheus text format), `/healthz`, and a one-line index at `/`.
public final class Exporter: Sendable {
    public let collector: Collector
    public let findings: FindingsLog
    private let scrapes = Counter()

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
            let text = MetricsRenderer.render(snap, findings: findings.refresh())
            return .text(text, contentType: Exposition.contentType)
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

/// A thread-safe counter.
public final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    public init() {}
    public func increment() { lock.lock(); n += 1; lock.unlock() }
    public var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
