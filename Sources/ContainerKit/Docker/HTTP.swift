import Foundation

/// A request body: bytes in memory, or a file read and sent with chunked transfer encoding.
public enum DockerRequestBody: Sendable {
    case json(Data)
    case bytes(Data, contentType: String)
    /// Streamed from the file handle's current position to its end (e.g. a tar to import).
    case file(FileHandle, contentType: String)
}

/// The status line and headers of an HTTP/1.1 response.
struct HTTPResponseHead {
    var status: Int
    var reason: String
    /// Header names lower-cased; repeated headers joined with ", ".
    var headers: [String: String]

    var isChunked: Bool { headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false }
    var contentLength: Int? { headers["content-length"].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    var closesConnection: Bool { headers["connection"]?.lowercased().contains("close") ?? false }
}

/// Writes one HTTP/1.1 request on a socket.
enum HTTPRequestWriter {
    static func write(method: String, target: String, headers: [(String, String)] = [], body: DockerRequestBody?,
                      to socket: EngineConnection) throws {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: docker\r\nUser-Agent: contsec-containerkit\r\n"
        for (name, value) in headers {
            // A CR or LF would let a value start a header of its own.
            guard !(name + value).contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw DockerError.invalidRequest("header \(name) contains a line break")
            }
            head += "\(name): \(value)\r\n"
        }
        switch body {
        case nil:
            // POST without a body still needs a length, or the daemon waits for one.
            if method != "GET" && method != "HEAD" { head += "Content-Length: 0\r\n" }
            try socket.writeAll(Array((head + "\r\n").utf8))
        case .json(let data):
            head += "Content-Type: application/json\r\nContent-Length: \(data.count)\r\n\r\n"
            try socket.writeAll(Array(head.utf8) + Array(data))
        case .bytes(let data, let type):
            head += "Content-Type: \(type)\r\nContent-Length: \(data.count)\r\n\r\n"
            try socket.writeAll(Array(head.utf8) + Array(data))
        case .file(let handle, let type):
            head += "Content-Type: \(type)\r\nTransfer-Encoding: chunked\r\n\r\n"
            try socket.writeAll(Array(head.utf8))
            while true {
                let chunk: Data
                do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                    throw DockerError.connectionFailed(path: socket.path, reason: "reading the request body: \(error)")
                }
                if chunk.isEmpty { break }
                try socket.writeAll(Array(String(chunk.count, radix: 16).utf8) + [0x0D, 0x0A] + Array(chunk) + [0x0D, 0x0A])
            }
            try socket.writeAll(Array("0\r\n\r\n".utf8))
        }
    }
}

/// Reads an HTTP/1.1 response head and then its body piece by piece (Content-Length, chunked, or until close).
final class HTTPResponseReader {
    private let socket: EngineConnection
    private(set) var head: HTTPResponseHead
    private enum Mode { case length(Int), chunked, untilClose }
    private var mode: Mode
    private var chunkRemaining = 0
    private var finished = false

    /// True once the whole body was read and the connection may carry another request.
    var reusable: Bool {
        guard finished, !head.closesConnection else { return false }
        if case .untilClose = mode { return false }
        return true
    }

    /// Reads the head. Returns nil if the peer closed before sending a single byte (a stale keep-alive connection).
    static func start(on socket: EngineConnection, method: String) throws -> HTTPResponseReader? {
        guard let statusLine = try socket.readLine() else { return nil }
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw DockerError.badResponse("not an HTTP status line: \(statusLine.prefix(80))")
        }
        var headers: [String: String] = [:]
        while true {
            guard let line = try socket.readLine() else { throw DockerError.badResponse("connection closed inside the headers") }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        let head = HTTPResponseHead(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
        return HTTPResponseReader(socket: socket, head: head, method: method)
    }

    private init(socket: EngineConnection, head: HTTPResponseHead, method: String) {
        self.socket = socket
        self.head = head
        if method == "HEAD" || head.status == 204 || head.status == 304 || (100..<200).contains(head.status) {
            mode = .length(0)
        } else if head.isChunked {
            mode = .chunked
        } else if let length = head.contentLength {
            mode = .length(length)
        } else {
            mode = .untilClose
        }
        if case .length(0) = mode { finished = true }
    }

    /// The next piece of the body as soon as it arrives, or nil at its end.
    func next() throws -> [UInt8]? {
        if finished { return nil }
        switch mode {
        case .length(let remaining):
            let piece = try socket.readSome(max: min(remaining, 1 << 20))
            if piece.isEmpty { throw DockerError.badResponse("connection closed with \(remaining) body bytes missing") }
            mode = .length(remaining - piece.count)
            if remaining - piece.count == 0 { finished = true }
            return piece
        case .untilClose:
            let piece = try socket.readSome(max: 1 << 20)
            if piece.isEmpty { finished = true; return nil }
            return piece
        case .chunked:
            if chunkRemaining == 0 {
                guard let sizeLine = try socket.readLine() else { throw DockerError.badResponse("connection closed inside a chunked body") }
                let hex = sizeLine.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                guard let size = Int(hex, radix: 16), size >= 0 else { throw DockerError.badResponse("bad chunk size line: \(sizeLine.prefix(40))") }
                if size == 0 {
                    // Trailers, then the empty line that ends the message.
                    while let line = try socket.readLine(), !line.isEmpty {}
                    finished = true
                    return nil
                }
                chunkRemaining = size
            }
            let piece = try socket.readSome(max: chunkRemaining)
            if piece.isEmpty { throw DockerError.badResponse("connection closed inside a chunk") }
            chunkRemaining -= piece.count
            if chunkRemaining == 0 {
                guard let terminator = try socket.readLine(), terminator.isEmpty else {
                    throw DockerError.badResponse("chunk not followed by CRLF")
                }
            }
            return piece
        }
    }

    /// Reads the rest of the body into memory.
    func readAll() throws -> Data {
        var data = Data()
        while let piece = try next() { data.append(contentsOf: piece) }
        return data
    }
}
