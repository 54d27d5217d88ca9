import Foundation

/// A window length as users write it: `90s`, `15m`, `2h`, `7d`, or plain seconds.
public enum WindowDuration {
    public static func parse(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let last = t.last else { return nil }
        let (number, scale) = units[last].map { (String(t.dropLast()), $0) } ?? (t, 1)
        guard let n = Double(number), n.isFinite, n > 0 else { return nil }
        return n * scale
    }

    /// The shortest exact way to write `seconds` back (`90s`, `15m`, `2h`, `7d`).
    public static func text(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 86_400 && s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s >= 3600 && s % 3600 == 0 { return "\(s / 3600)h" }
        if s >= 60 && s % 60 == 0 { return "\(s / 60)m" }
        return "\(s)s"
    }
}
