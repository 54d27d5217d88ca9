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
    public var cacheDir: String?
    /// Never download: no vulnerability or Java DB update, no check bundle update, no API lookups.
    public var offline = false

    public init(scanners: [String] = [], severities: [Severity] = [], ignoreUnfixed: Bool = false,
                cacheDir: String? = nil, offline: Bool = false) {
        self.scanners = scanners; self.severities = severities; self.ignoreUnfixed = ignoreUnfixed
        self.cacheDir = cacheDir; self.offline = offline
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
