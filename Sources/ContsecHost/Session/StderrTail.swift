/// The last lines a plugin wrote to stderr, kept for error reports. Bounded in lines and in line length.
struct StderrTail {
    let maxLines: Int
    let maxLineBytes: Int
    private var lines: [String] = []
    private var next = 0

    init(maxLines: Int = 40, maxLineBytes: Int = 1000) {
        self.maxLines = maxLines
        self.maxLineBytes = maxLineBytes
    }

    mutating func append(_ line: String) {
        let l = line.utf8.count > maxLineBytes ? String(line.prefix(maxLineBytes)) + "…" : line
        if lines.count < maxLines { lines.append(l) } else { lines[next] = l; next = (next + 1) % maxLines }
    }

    var contents: [String] { Array(lines[next...] + lines[..<next]) }
}
