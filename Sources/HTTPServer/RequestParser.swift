import Foundation

/// Incremental HTTP/1.x request parser with hard limits. Bytes go in as they arrive; a complete request, a need for
/// more, or an error status comes out. It never buffers more than `maxHeaderBytes + maxBodyBytes`.
struct RequestParser {
    enum Outcome: Equatable {
        case needMore
        case request
        /// The request is unusable: answer with this status and close.
        case reject(Int, String)
    }

    let maxHeaderBytes: Int
    let maxBodyBytes: Int
    private(set) var buffer: [UInt8] = []
    private(set) var parsed: HTTPRequest?

    init(maxHeaderBytes: Int, maxBodyBytes: Int) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    var isEmpty: Bool { buffer.isEmpty }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
    }

    /// Tries to take one complete request off the front of the buffer (the rest stays, for pipelined requests).
    mutating func next(remote: String) -> Outcome {
        parsed = nil
        guard let headEnd = Self.find(crlfcrlf, in: buffer) else {
            return buffer.count > maxHeaderBytes ? .reject(431, "request head over \(maxHeaderBytes) bytes") : .needMore
        }
        if headEnd > maxHeaderBytes { return .reject(431, "request head over \(maxHeaderBytes) bytes") }
        guard let head = String(validatingUTF8CString: buffer[0..<headEnd]) else {
            return .reject(400, "request head is not text")
        }
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3 else { return .reject(400, "malformed request line") }
        let method = String(requestLine[0]), target = String(requestLine[1]), version = String(requestLine[2])
        guard !method.isEmpty, method.allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-") }) else {
            return .reject(400, "malformed method")
        }
        guard version.hasPrefix("HTTP/") else { return .reject(400, "malformed HTTP version") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .reject(505, "only HTTP/1.0 and HTTP/1.1 are served") }
        guard target.hasPrefix("/") else { return .reject(400, "the request target must be an absolute path") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { return .reject(400, "malformed header line") }
            let name = line[..<colon].lowercased()
            guard !name.isEmpty, !name.contains(" "), !name.contains("\t") else { return .reject(400, "malformed header name") }
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-length", let existing = headers[name], existing != value {
                return .reject(400, "conflicting Content-Length headers")  // request smuggling guard
            }
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        if headers["transfer-encoding"] != nil { return .reject(501, "Transfer-Encoding is not supported; send Content-Length") }
        var bodyLength = 0
        if let raw = headers["content-length"] {
            guard let n = Int(raw), n >= 0 else { return .reject(400, "malformed Content-Length") }
            bodyLength = n
        }
        if bodyLength > maxBodyBytes { return .reject(413, "request body over \(maxBodyBytes) bytes") }
        let total = headEnd + 4 + bodyLength
        guard buffer.count >= total else { return .needMore }
        let body = Data(buffer[(headEnd + 4)..<total])
        buffer.removeFirst(total)
        let (path, query) = Self.splitTarget(target)
        parsed = HTTPRequest(method: method, path: path, query: query, version: version, headers: headers, body: body,
                             remote: remote)
        return .request
    }

    private let crlfcrlf: [UInt8] = [13, 10, 13, 10]

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = 0
        let last = haystack.count - needle.count
        while i <= last {
            if haystack[i] == needle[0] && haystack[i + 1] == needle[1] && haystack[i + 2] == needle[2] && haystack[i + 3] == needle[3] {
                return i
            }
            i += 1
        }
        return nil
    }

    static func splitTarget(_ target: String) -> (String, [String: String]) {
        guard let q = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            query[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return (String(target[..<q]), query)
    }
}

extension String {
    /// UTF-8 text from bytes, or nil when they are not valid UTF-8 or contain NUL or other C0 controls except tab, CR, LF.
    init?(validatingUTF8CString bytes: ArraySlice<UInt8>) {
        for b in bytes where (b < 0x20 && b != 9 && b != 10 && b != 13) || b == 0x7F { return nil }
        guard let s = String(bytes: bytes, encoding: .utf8) else { return nil }
        self = s
    }
}
