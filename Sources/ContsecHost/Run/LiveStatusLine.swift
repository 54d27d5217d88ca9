import Foundation
import ContsecProtocol

/// The one-line live status of a long-running command on a terminal (PROTOCOL.md, "Long-running commands"):
/// `⟳ observability exporter · running 1m05s · 3 findings · <last progress> · Ctrl-C stops`, redrawn every second
/// on stderr and erased when the run ends. Only used when stderr is a terminal.
final class LiveStatusLine: @unchecked Sendable {
    private let lock = NSLock()
    private let label: String
    private let started = Date()
    private var findings = 0
    private var progress: String?
    private var timer: DispatchSourceTimer?
    private let write: @Sendable (String) -> Void

    init(label: String, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.label = label
        self.write = write
    }

    /// What the plugin sent since the last call (the connection hands over each batch of events).
    func observe(_ events: [EventKind]) {
        lock.lock(); defer { lock.unlock() }
        for e in events {
            switch e {
            case .finding: findings += 1
            case .progress(let p):
                var text = p.message ?? ""
                if let c = p.current, let t = p.total { text += " (\(c)/\(t))" }
                progress = text.isEmpty ? progress : text
            default: break
            }
        }
    }

    func start() {
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now(), repeating: 1)
        t.setEventHandler { [weak self] in self?.draw() }
        lock.lock(); timer = t; lock.unlock()
        t.resume()
    }

    /// Stops redrawing and erases the line.
    func stop() {
        lock.lock()
        let t = timer
        timer = nil
        lock.unlock()
        guard let t else { return }
        t.cancel()
        write("\r\u{1B}[2K")
    }

    /// The text of the line, without terminal codes.
    var text: String {
        lock.lock(); defer { lock.unlock() }
        var parts = ["⟳ \(TerminalText.escaped(label))", "running \(Self.duration(Date().timeIntervalSince(started)))",
                     "\(findings) finding\(findings == 1 ? "" : "s")"]
        if let progress { parts.append(TerminalText.escaped(progress)) }
        parts.append("Ctrl-C stops")
        return parts.joined(separator: " · ")
    }

    private func draw() {
        lock.lock()
        let running = timer != nil
        lock.unlock()
        guard running else { return }
        write("\r\u{1B}[2K" + String(text.prefix(160)))
    }

    /// `42s`, `3m07s`, `2h05m`.
    static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
