import Foundation
import ContsecProtocol

/// One JSON object per line per event, as it happens: for `jq`, `tail -f` and log shippers.
///
/// Every line starts `{"schemaVersion":1,"seq":…,"time":…,"host":…,"plugin":…,"runId":…,"event":…` followed by the
/// event's payload. The field set is a stable contract (README, "JSONL for log pipelines"): fields may be added,
/// none is renamed or removed without a new `schemaVersion`. Lines are
/// encoded straight into the output buffer (64 KiB, then written), so memory stays flat. The buffer is flushed when
/// a plugin finishes or fails, at least once a second while events flow, and at the end.
public final class JSONLReporter: IgnoredFindingSink, @unchecked Sendable {
    /// The version of the line format, on every line.
    public static let schemaVersion = 1
    private let out: ByteOutput
    private var stamp = UTCTimestamp()
    private var lastFlush = Date()

    public init(output: ByteOutput) {
        out = output
    }

    public func receive(_ event: Event) { write(event, ignored: nil) }

    public func receiveIgnored(_ event: Event, reason: String) { write(event, ignored: reason) }

    /// `","host":…,"plugin":…,"runId":…,"event":"` for the last plugin run seen: encoded once, not per event.
    private var sourceKey = ("", "", "")
    private var sourceBytes: [UInt8] = []
    private let lineStart = Array(#"{"schemaVersion":\#(JSONLReporter.schemaVersion),"seq":"#.utf8)

    private func write(_ event: Event, ignored: String?) {
        if sourceKey.0 != event.plugin || sourceKey.1 != event.runId || sourceKey.2 != event.host {
            sourceKey = (event.plugin, event.runId, event.host)
            sourceBytes = Array(#"","host":"#.utf8)
            JSONWriter.writeString(event.host, into: &sourceBytes)
            sourceBytes.append(contentsOf: #","plugin":"#.utf8)
            JSONWriter.writeString(event.plugin, into: &sourceBytes)
            sourceBytes.append(contentsOf: #","runId":"#.utf8)
            JSONWriter.writeString(event.runId, into: &sourceBytes)
            sourceBytes.append(contentsOf: #","event":""#.utf8)
        }
        out.append { buf in
            buf.append(contentsOf: lineStart)
            Self.appendDecimal(event.seq, into: &buf)
            buf.append(contentsOf: #","time":""#.utf8)
            stamp.write(event.time, into: &buf)
            buf.append(contentsOf: sourceBytes)
            buf.append(contentsOf: event.kind.name.utf8)
            buf.append(UInt8(ascii: "\""))
            Self.payload(event.kind, into: &buf)
            if let ignored {
                buf.append(contentsOf: #","ignored":true,"ignoreReason":"#.utf8)
                JSONWriter.writeString(ignored, into: &buf)
            }
            buf.append(contentsOf: "}\n".utf8)
        }
        switch event.kind {
        case .pluginFinished, .pluginFailed:
            flush(at: event.time)
        default:
            if event.time.timeIntervalSince(lastFlush) >= 1 { flush(at: event.time) }
        }
    }

    /// Digits of `n` without building a String.
    static func appendDecimal(_ n: UInt64, into buf: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = n
        var count = 0
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(48 + v % 10)
                v /= 10
                count += 1
            } while v > 0
            buf.append(contentsOf: d[(20 - count)...])
        }
    }

    private func flush(at time: Date) {
        out.flush()
        lastFlush = time
    }

    /// `,"key":value…` for the event's own fields.
    static func payload(_ kind: EventKind, into buf: inout [UInt8]) {
        func field(_ key: String, _ value: JSONValue) {
            buf.append(UInt8(ascii: ","))
            JSONWriter.writeString(key, into: &buf)
            buf.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &buf)
        }
        switch kind {
        case .pluginStarted(let path, let command):
            field("path", .string(path))
            if let command { field("command", .string(command)) }
        case .pluginReady(let info):
            field("info", info.json)
        case .rules(let rules):
            field("count", .int(rules.count))
        case .finding(let f):
            buf.append(contentsOf: #","finding":"#.utf8)
            f.writeJSON(into: &buf)
        case .action(let a):
            field("action", a.json)
        case .progress(let p):
            field("progress", p.json)
        case .log(let l):
            field("level", .string(l.level.rawValue))
            field("message", .string(l.message))
        case .stderr(let line):
            field("line", .string(line))
        case .protocolWarning(let text):
            field("message", .string(text))
        case .pluginFinished(let r, let d):
            field("status", .string(r.status.rawValue))
            if let m = r.message { field("message", .string(m)) }
            field("summary", .object(r.summary))
            if let t = r.table { field("table", t.json) }
            field("durationMs", .int(Int(d * 1000)))
        case .pluginFailed(let f, let d):
            field("status", "failed")
            field("error", f.json)
            field("durationMs", .int(Int(d * 1000)))
        }
    }

    public func finish() {
        out.flush()
    }
}
