import Foundation

extension NSCondition {
    /// `wait(until:)` for any date: Foundation traps (SIGILL) on deadlines too far ahead, such as a timeout of 1e10 s
    /// or `Date.distantFuture`. Returns false only when `deadline` itself has passed.
    public func waitSafely(until deadline: Date) -> Bool {
        let limit = Date().addingTimeInterval(86_400)
        if deadline > limit {
            _ = wait(until: limit)
            return true
        }
        return wait(until: deadline)
    }
}
