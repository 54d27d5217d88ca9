import Foundation

/// What cleanup keeps: tags named in `--keep-tags` (and always `latest`), tags matching `--keep-regex`, the newest
/// `--keep-last` tags, and anything younger than `--cleanup-days`.
public struct RetentionPolicy: Sendable {
    public let olderThanDays: Int
    public let keepTags: Set<String>
    public let keepRegex: NSRegularExpression?
    public let keepLast: Int
    public let now: Date

    public init(olderThanDays: Int, keepTags: [String], keepRegex: String?, keepLast: Int, now: Date = Date()) throws {
        guard olderThanDays >= 0 else { throw RetentionError.invalid(param: "cleanup-days", message: "must be 0 or more, got \(olderThanDays)") }
        guard keepLast >= 0 else { throw RetentionError.invalid(param: "keep-last", message: "must be 0 or more, got \(keepLast)") }
        self.olderThanDays = olderThanDays
        self.keepTags = Set(keepTags + ["latest"])
        if let keepRegex, !keepRegex.isEmpty {
            do {
                // Anchored: "v1\\..*" means the whole tag, as users read it.
                self.keepRegex = try NSRegularExpression(pattern: "^(?:" + keepRegex + ")$")
            } catch {
                throw RetentionError.invalid(param: "keep-regex", message: "'\(keepRegex)' is not a valid regular expression")
            }
        } else {
            self.keepRegex = nil
        }
        self.keepLast = keepLast
        self.now = now
    }

    public var cutoff: Date { now.addingTimeInterval(-Double(olderThanDays) * 86_400) }

    func matchesRegex(_ tag: String) -> Bool {
        guard let keepRegex else { return false }
        return keepRegex.firstMatch(in: tag, range: NSRange(tag.startIndex..., in: tag)) != nil
    }
}

public enum RetentionError: Error, Sendable, CustomStringConvertible {
    case invalid(param: String, message: String)
    public var description: String {
        switch self { case .invalid(let param, let message): return "--\(param): \(message)" }
    }
}
