import Foundation
import ContsecProtocol

/// What Trivy looks at.
public enum TrivySubject: Sendable, Equatable {
    /// An image tarball (`docker save` format): `trivy image --input PATH`.
    case imageArchive(String)
    /// An image Trivy fetches from its registry itself: `trivy image --image-src remote REF`.
    case remoteImage(String)
    /// A directory: `trivy fs PATH`.
    case directory(String)
}

/// Flags shared by scans and SBOMs.
public struct TrivyOptions: Sendable, Equatable {
    /// `vuln`, `misconfig`, `secret`, `license`; empty leaves Trivy's default (vuln,secret).
    public var scanners: [String] = []
    /// Empty: all severities.
    public var severities: [Severity] = []
    public var ignoreUnfixed = false
    /// nil: `CONTSEC_TRIVY_CACHE` when set (see `withEnvironmentDefaults`), else Trivy's own default.
    public var cacheDir: String?
    /// Never download: no vulnerability or Java DB update, no check bundle update, no API lookups.
    public var offline = false
    /// Where Trivy downloads its vulnerability database from (`--db-repository`, e.g. an internal registry's mirror of
    /// trivy-db:2), in order of preference; empty: Trivy's default (or TRIVY_DB_REPOSITORY).
    public var dbRepositories: [String] = []

    public init(scanners: [String] = [], severities: [Severity] = [], ignoreUnfixed: Bool = false,
                cacheDir: String? = nil, offline: Bool = false, dbRepositories: [String] = []) {
        self.scanners = scanners; self.severities = severities; self.ignoreUnfixed = ignoreUnfixed
        self.cacheDir = cacheDir; self.offline = offline; self.dbRepositories = dbRepositories
    }

    /// These options with the cache dir from `CONTSEC_TRIVY_CACHE` when none was given: one setting for every scan of
    /// a machine whose Trivy database lives somewhere other than Trivy's default (an air-gapped copy, a shared cache).
    public func withEnvironmentDefaults(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TrivyOptions {
        var copy = self
        if copy.cacheDir == nil, let dir = environment["CONTSEC_TRIVY_CACHE"], !dir.isEmpty { copy.cacheDir = dir }
        return copy
    }

    /// Trivy's flags for `--offline` (checked against `trivy image --help` of Trivy 0.76).
    public static let offlineFlags = ["--skip-db-update", "--skip-java-db-update", "--skip-check-update", "--offline-scan"]
}

/// Builds Trivy command lines. The report always goes to a file (`--output`) so stdout noise cannot corrupt it.
public enum TrivyArguments {
    public static func scan(_ subject: TrivySubject, options: TrivyOptions, output: String) -> [String] {
        var args = subjectArguments(subject) + ["--format", "json", "--output", output] + common(options)
        if !options.scanners.isEmpty { args += ["--scanners", options.scanners.joined(separator: ",")] }
        if !options.severities.isEmpty {
            args += ["--severity", options.severities.map { $0.rawValue.uppercased() }.joined(separator: ",")]
        }
        if options.ignoreUnfixed { args.append("--ignore-unfixed") }
        if !options.dbRepositories.isEmpty { args += ["--db-repository", options.dbRepositories.joined(separator: ",")] }
        return args
    }

    /// `format` is Trivy's name: `cyclonedx` or `spdx-json`.
    public static func sbom(_ subject: TrivySubject, format: String, options: TrivyOptions, output: String) -> [String] {
        subjectArguments(subject) + ["--format", format, "--output", output] + common(options)
    }

    static func subjectArguments(_ subject: TrivySubject) -> [String] {
        switch subject {
        case .imageArchive(let path): return ["image", "--input", path]
        case .remoteImage(let reference): return ["image", "--image-src", "remote", reference]
        case .directory(let path): return ["fs", path]
        }
    }

    /// No progress bar (its carriage-return redraws are not log lines), no telemetry, no version-check request.
    static func common(_ options: TrivyOptions) -> [String] {
        var args = ["--no-progress", "--disable-telemetry", "--skip-version-check"]
        if let cacheDir = options.cacheDir { args += ["--cache-dir", cacheDir] }
        if options.offline { args += TrivyOptions.offlineFlags }
        return args
    }
}
