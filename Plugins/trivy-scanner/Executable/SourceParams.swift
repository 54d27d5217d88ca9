import ContsecPluginKit
import TrivyScanner

/// The flags that name what to look at and how Trivy runs, shared by `scan` and `sbom`.
enum SourceParams {
    static let specs: [ParamSpec] = [
        ParamSpec(name: "image", type: .string, description: "Image reference; a local image is exported through the Docker Engine API"),
        ParamSpec(name: "repo", type: .string, description: "Image repository (with --tag), as in the original script"),
        ParamSpec(name: "tag", type: .string, description: "Image tag for --repo"),
        ParamSpec(name: "input", type: .path, description: "A `docker save` image tarball"),
        ParamSpec(name: "dir", type: .path, description: "A directory (source tree, config files)"),
        ParamSpec(name: "trivy", type: .path, description: "The trivy binary (default: CONTSEC_TRIVY, else trivy on PATH)"),
        ParamSpec(name: "cache-dir", type: .path,
                  description: "Trivy's cache directory (vulnerability DB); default: CONTSEC_TRIVY_CACHE, else Trivy's own"),
        ParamSpec(name: "offline", type: .bool,
                  description: "Download nothing: --skip-db-update --skip-java-db-update --skip-check-update --offline-scan"),
    ]

    static func source(_ a: Arguments) throws -> ScanSource {
        try ScanSource.from(image: a.string("image"), repo: a.string("repo"), tag: a.string("tag"),
                            input: a.path("input"), dir: a.path("dir"))
    }

    /// Trivy's log lines become progress (INFO) and log messages (WARN and worse) on the host's side.
    static func forwardLog(_ ctx: RunContext) -> @Sendable (TrivyLogLine) -> Void {
        { line in
            if line.isEmbeddedChecksFallback { return ctx.progress("trivy: using its built-in misconfiguration checks") }
            switch line.level {
            case .info?: ctx.progress("trivy: " + line.message)
            case .warn?: ctx.log(.warning, "trivy: " + line.message)
            case .error?, .fatal?: ctx.log(.error, "trivy: " + line.message)
            case .debug?, nil: ctx.log(.debug, "trivy: " + line.message)
            }
        }
    }

    static func note(_ ctx: RunContext) -> @Sendable (String) -> Void {
        { message in ctx.progress(message) }
    }
}
