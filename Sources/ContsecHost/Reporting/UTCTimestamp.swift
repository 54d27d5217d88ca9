#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// ISO 8601 timestamps in UTC with milliseconds (`2026-12-01T05:14:10.123Z`), written straight into a byte buffer.
///
/// The JSONL stream and the log file stamp every event; `ISO8601DateFormatter` costs microseconds a call, so the
/// date-and-second part is cached and only the milliseconds are formatted per event.
struct UTCTimestamp {
    private var cachedSecond = Int.min
    private var prefix: [UInt8] = []  // "2026-12-01T05:14:10"
    private var cachedDay = Int.min
    private var dayText = ""  // "20261201"

    /// Appends `2026-12-01T05:14:10.123Z`.
    mutating func write(_ date: Date, into out: inout [UInt8]) {
        let t = date.timeIntervalSince1970
        let second = Int(t.rounded(.down))
        if second != cachedSecond { refresh(second) }
        out.append(contentsOf: prefix)
        let ms = min(999, max(0, Int((t - Double(second)) * 1000)))
        out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + ms / 100))
        out.append(UInt8(48 + ms / 10 % 10))
        out.append(UInt8(48 + ms % 10))
        out.append(UInt8(ascii: "Z"))
    }

    /// `2026-12-01T05:14:10Z`: what `ISO8601DateFormatter` writes by default, without loading ICU for it (a
    /// formatter's first use costs more than a short plugin run's own work).
    mutating func secondsString(_ date: Date) -> String {
        let second = Int(date.timeIntervalSince1970.rounded(.down))
        if second != cachedSecond { refresh(second) }
        return String(decoding: prefix + [UInt8(ascii: "Z")], as: UTF8.self)
    }

    mutating func string(_ date: Date) -> String {
        var out: [UInt8] = []
        write(date, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `20261201`: the UTC day, as the daily log file is named.
    mutating func day(_ date: Date) -> String {
        let second = Int(date.timeIntervalSince1970.rounded(.down))
        let day = second >= 0 ? second / 86400 : (second - 86399) / 86400
        if day != cachedDay {
            let tm = Self.broken(second)
            var text: [UInt8] = []
            Self.digits(Int(tm.tm_year) + 1900, 4, into: &text)
            Self.digits(Int(tm.tm_mon) + 1, 2, into: &text)
            Self.digits(Int(tm.tm_mday), 2, into: &text)
            dayText = String(decoding: text, as: UTF8.self)
            cachedDay = day
        }
        return dayText
    }

    private mutating func refresh(_ second: Int) {
        let tm = Self.broken(second)
        var text: [UInt8] = []
        Self.digits(Int(tm.tm_year) + 1900, 4, into: &text)
        text.append(UInt8(ascii: "-"))
        Self.digits(Int(tm.tm_mon) + 1, 2, into: &text)
        text.append(UInt8(ascii: "-"))
        Self.digits(Int(tm.tm_mday), 2, into: &text)
        text.append(UInt8(ascii: "T"))
        Self.digits(Int(tm.tm_hour), 2, into: &text)
        text.append(UInt8(ascii: ":"))
        Self.digits(Int(tm.tm_min), 2, into: &text)
        text.append(UInt8(ascii: ":"))
        Self.digits(Int(tm.tm_sec), 2, into: &text)
        prefix = text
        cachedSecond = second
    }

    /// `value` zero-padded to `width` digits (a year past 9999 keeps all its digits, as `%04d` would).
    private static func digits(_ value: Int, _ width: Int, into out: inout [UInt8]) {
        let text = Array(String(value).utf8)
        if text.count < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - text.count)) }
        out.append(contentsOf: text)
    }

    private static func broken(_ second: Int) -> tm {
        var t = time_t(second)
        var result = tm()
        gmtime_r(&t, &result)
        return result
    }
}
