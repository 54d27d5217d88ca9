import Foundation
import Testing
@testable import ContsecHost

@Suite struct UTCTimestampTests {
    /// Dates around the edges a hand-written formatter gets wrong: the epoch, a leap day, a year's last second, and a
    /// run of seconds that crosses midnight (the cached prefix must be refreshed).
    static let dates: [Date] = [0, 951_782_400, 1_709_164_799, 1_735_689_599, 1_735_689_600, 1_796_083_199.999]
        .map(Date.init(timeIntervalSince1970:)) + (0..<4).map { Date(timeIntervalSince1970: 1_764_633_598 + Double($0) * 0.75) }

    @Test("seconds form equals ISO8601DateFormatter's default output, as reports wrote it before")
    func secondsMatchFoundation() {
        var stamp = UTCTimestamp()
        let iso = ISO8601DateFormatter()
        for date in Self.dates { #expect(stamp.secondsString(date) == iso.string(from: date), "\(date.timeIntervalSince1970)") }
    }

    @Test("milliseconds form and the log file's day name agree with Foundation's formatters")
    func millisecondsAndDay() {
        var stamp = UTCTimestamp()
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let day = DateFormatter()
        day.locale = Locale(identifier: "en_US_POSIX")
        day.timeZone = TimeZone(identifier: "UTC")
        day.dateFormat = "yyyyMMdd"
        for date in Self.dates {
            // Foundation rounds the fraction, the stamp truncates it: compare at whole milliseconds.
            let whole = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded(.down) / 1000 + 0.0001)
            #expect(stamp.string(whole) == iso.string(from: whole), "\(date.timeIntervalSince1970)")
            #expect(stamp.day(date) == day.string(from: date))
        }
    }
}
