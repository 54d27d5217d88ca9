import Foundation

/// The samples monitor left in contsec's daily logs for one container:
/// `2026-12-01T10:00:00.000Z [observability 3f2a9c1e] stderr | sample container=web cpu_percent=…`.
public enum SampleHistory {
    /// The newest samples are kept when a window holds more than this (a day at a 1 s interval is 86,400).
    public static let maxSamples = 100_000

    /// Samples of `container` logged at or after `since`, oldest first, from the daily logs in `directory`.
    /// Files are read in 1 MiB pieces, so a large log costs little memory.
    public static func read(directory: String, container: String, since: Date, now: Date = Date()) -> ArraySlice<SampleRecord> {
        // One file per UTC day: the days the window touches, and one more for a clock a little off.
        let days = Int((now.timeIntervalSince(since) / 86_400).rounded(.up)) + 1
        var out: [SampleRecord] = []
        let needle = Array("sample container=\(container)".utf8)
        for path in LogFolder.files(directory, newest: days) {
            guard let handle = FileHandle(forReadingAtPath: path) else { continue }
            defer { try? handle.close() }
            var carry: [UInt8] = []
            while true {
                let chunk = handle.readData(ofLength: 1 << 20)
                if chunk.isEmpty { break }
                carry.append(contentsOf: chunk)
                var start = 0
                for i in carry.indices where carry[i] == 0x0A {
                    consume(carry[start..<i], needle: needle, since: since, into: &out)
                    start = i + 1
                }
                carry.removeFirst(start)
            }
            consume(carry[...], needle: needle, since: since, into: &out)
        }
        return out.filter { $0.container == container }.suffix(maxSamples)
    }

    private static func consume(_ bytes: ArraySlice<UInt8>, needle: [UInt8], since: Date, into out: inout [SampleRecord]) {
        // Cheap test first: most lines of a busy log are not this container's samples.
        guard bytes.count > needle.count, contains(bytes, needle) else { return }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = LogLine.parse(text), line.plugin == "observability", line.event == "stderr",
              line.detail.hasPrefix("| "), let time = Timestamps.parse(line.time), time >= since,
              let record = SampleRecord.parse(line.detail.dropFirst(2), time: time) else { return }
        out.append(record)
        if out.count > maxSamples * 2 { out.removeFirst(out.count - maxSamples) }
    }

    private static func contains(_ hay: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        var i = hay.startIndex
        while i <= hay.endIndex - needle.count {
            if hay[i] == first && hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
