import Foundation

/// The one check every duration goes through (`--timeout`, `--idle-timeout`, a workflow step's `timeout`, the
/// tuning variables): a finite number of seconds above zero and at most a week. Infinity, NaN, negative values and
/// 1e10 would otherwise reach date arithmetic and waits that trap.
public enum DurationLimit {
    public static let maximum: TimeInterval = 7 * 86_400

    /// nil when `value` is acceptable, else what is wrong with it.
    public static func problem(_ value: Double) -> String? {
        guard value.isFinite else { return "is not a finite number" }
        guard value > 0 else { return "must be above 0" }
        guard value <= maximum else { return "is over the maximum of \(Int(maximum)) s (7 days)" }
        return nil
    }

    /// Parses `text` as seconds for `what` ("--timeout"), with a usage error that names both.
    public static func parse(_ text: String?, what: String) throws(CLIError) -> TimeInterval {
        guard let text, let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw CLIError.usage("\(what) expects a number of seconds, got '\(text ?? "")'")
        }
        if let problem = problem(value) { throw CLIError.usage("\(what) \(problem), got '\(text)'") }
        return value
    }
}
