import Foundation

/// Everything that can stop a scan or an SBOM, each with a message that says what to do.
/// The executable turns these into the kit's `PluginError` (the library does not depend on the kit).
public enum TrivyScannerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// trivy is not installed (or the given path does not exist).
    case toolMissing(tool: String, install: String)
    /// A flag's value is wrong; `param` is the flag without dashes.
    case invalidParameter(param: String, message: String)
    /// A vulnerability scan with `--offline` but no database in the cache.
    case databaseMissingOffline(cacheDir: String)
    /// Trivy could not download its vulnerability (or Java) database.
    case databaseDownloadFailed(cacheDir: String, detail: String)
    /// Trivy exited non-zero for another reason.
    case trivyFailed(status: String, stderrTail: String)
    /// Trivy did not finish in time.
    case timedOut(seconds: Int)
    /// The report is missing or not Trivy's JSON.
    case badReport(String)
    /// The image could not be exported from the local Docker engine.
    case imageExportFailed(image: String, reason: String)
    /// With `--offline` the image must come from the local engine, which does not have it.
    case imageNotLocalOffline(image: String, reason: String)
    /// A setting (CONTSEC_TRIVY) names a trivy path that does not exist.
    case trivyPathMissing(setting: String, path: String)

    public var description: String {
        switch self {
        case .toolMissing(let tool, let install):
            return "\(tool) is not installed: \(install)"
        case .invalidParameter(let param, let message):
            return "--\(param): \(message)"
        case .databaseMissingOffline(let cacheDir):
            return "Trivy has no vulnerability database in the cache dir \(cacheDir), and --offline forbids downloading one. "
                + "Run once without --offline (with network access) to fill the cache, point --cache-dir at a cache that "
                + "holds the database, or scan without vulnerabilities (--scanners misconfig,secret)."
        case .databaseDownloadFailed(let cacheDir, let detail):
            return "Trivy could not download its vulnerability database (\(detail)). Allow network access to the database "
                + "repository, or use --offline with a --cache-dir that already holds the database (cache dir now: \(cacheDir))."
        case .trivyFailed(let status, let tail):
            return tail.isEmpty ? "trivy failed (\(status))" : "trivy failed (\(status)): \(tail)"
        case .timedOut(let seconds):
            return "trivy did not finish within \(seconds) s and was stopped; narrow the scan with --scanners or scan a smaller artifact"
        case .badReport(let reason):
            return reason
        case .imageExportFailed(let image, let reason):
            return "could not export image \(image) from the Docker engine: \(reason)"
        case .imageNotLocalOffline(let image, let reason):
            return "image \(image) is not in the local Docker engine (\(reason)) and --offline forbids fetching it from a "
                + "registry: pull or load it first, give a `docker save` tarball with --input, or drop --offline"
        case .trivyPathMissing(let setting, let path):
            return "\(setting) names \(path), which does not exist: correct or unset it (trivy on PATH is used without it)"
        }
    }
}
