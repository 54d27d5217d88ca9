/// One exit code for an invocation that ran one plugin or many (README, "Exit codes").
///
/// When several outcomes apply, the most severe wins: interrupted (130) > usage (2) > plugin not found (4) >
/// plugin failed (3) > gate tripped (1) > success (0). A failed plugin beats a tripped gate, as with trivy and
/// grype, whose errors win over `--exit-code`/`--fail-on`: a scan that did not complete cannot vouch for its
/// findings, so CI must see "broken", not "findings over threshold".
public enum ExitDecision {
    public static let precedence: [ExitCode] = [.interrupted, .usage, .pluginNotFound, .pluginFailed, .gateTripped, .success]

    /// The most severe of `codes` (success for none).
    public static func combine(_ codes: [ExitCode]) -> ExitCode {
        precedence.first(where: codes.contains) ?? .success
    }

    /// How one plugin run ended, as an exit code.
    public static func code(for record: RunRecord) -> ExitCode {
        if let f = record.failure {
            switch f.kind {
            case .interrupted: return .interrupted
            case .usage: return .usage
            default: return .pluginFailed
            }
        }
        return record.result?.status == .gateTripped ? .gateTripped : .success
    }

    /// The exit code of a whole invocation: its plugin runs and the host's gates.
    public static func code(records: [RunRecord], verdict: GateVerdict?) -> ExitCode {
        combine(records.map(code(for:)) + (verdict?.tripped == true ? [.gateTripped] : []))
    }
}
