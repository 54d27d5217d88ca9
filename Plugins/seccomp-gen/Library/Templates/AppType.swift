/// The kinds of application a template is tightened for.
public enum AppType: String, Sendable, CaseIterable {
    /// HTTP servers and reverse proxies (nginx, Apache httpd, application servers).
    case web
    /// Databases and stateful stores (PostgreSQL, MySQL, Redis).
    case db
    /// Long-running background consumers (queue workers, schedulers) that may serve health/metrics endpoints.
    case worker
    /// Jobs that run to completion (ETL, reports, migrations) and serve nothing.
    case batch
    /// Command-line tools run in a container (build steps, one-off utilities).
    case cli

    public var summary: String {
        switch self {
        case .web: return "HTTP servers and proxies"
        case .db: return "databases and stateful stores"
        case .worker: return "long-running background consumers"
        case .batch: return "jobs that run to completion and serve nothing"
        case .cli: return "command-line tools"
        }
    }
}

/// The seccomp templates `create` offers.
public enum TemplateKind: String, Sendable, CaseIterable {
    /// Docker's default profile.
    case `default`
    /// Docker's default minus what the app type does not need.
    case strict
    /// Docker's default plus a documented set, for software that fails to start under the default.
    case permissive
}
