import Foundation
import ContainerKit
import HTTPServer

/// The live dashboard: one page (HTML, CSS, a little JavaScript; nothing from a CDN) and the JSON it polls.
public final class Dashboard: Sendable {
    public let state = DashboardState()
    public let collector: Collector
    public let findings: FindingsLog
    public let docker: DockerClient

    public init(docker: DockerClient, findings: FindingsLog) {
        self.docker = docker
        collector = Collector(docker: docker)
        self.findings = findings
    }

    /// Samples every `interval` seconds and follows Engine events until cancelled.
    public func run(interval: Double) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.collector.run() }
            group.addTask {
                var previous: [String: ContainerSample] = [:]
                while !Task.isCancelled {
                    let snap = await self.collector.snapshot()
                    if let host = snap.host {
                        let rows = snap.containers.map { c in (c, ResourceUse.of(c, since: previous[c.id], host: host)) }
                        previous = Dictionary(uniqueKeysWithValues: snap.containers.map { ($0.id, $0) })
                        self.state.record(rows)
                    }
                    try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        for try await e in self.docker.events(EventFilters(filters: ["type": ["container"]])) {
                            if Task.isCancelled { return }
                            self.state.note(e)
                        }
                    } catch {}
                    try? await Task.sleep(nanoseconds: 1_000_000_000)
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    public func handle(_ r: HTTPRequest) async -> HTTPResponse {
        guard r.method == "GET" else { return .error(405) }
        // The page only talks to this server: a strict policy, no framing, no sniffing.
        let security: [(String, String)] = [
            ("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
        ]
        func with(_ resp: HTTPResponse) -> HTTPResponse { var x = resp; x.headers += security; return x }
        switch r.path {
        case "/", "/index.html": return with(.text(DashboardPage.html, contentType: "text/html; charset=utf-8"))
        case "/dashboard.css": return with(.text(DashboardPage.css, contentType: "text/css; charset=utf-8"))
        case "/dashboard.js": return with(.text(DashboardPage.js, contentType: "text/javascript; charset=utf-8"))
        case "/api/containers": return with(.json(state.containersJSON()))
        case "/api/findings": return with(.json(findings.refresh().json()))
        case "/api/events": return with(.json(state.eventsJSON()))
        case "/healthz": return .text("ok\n")
        default: return .error(404)
        }
    }
}
