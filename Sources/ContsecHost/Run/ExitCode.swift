/// contsec's exit codes (README, "Exit codes"), in the style of trivy and grype.
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// A findings gate tripped: `--fail-on`, `--max-findings`, or a plugin's own gate.
    case gateTripped = 1
    case usage = 2
    case pluginFailed = 3
    case pluginNotFound = 4
    case interrupted = 130
}
