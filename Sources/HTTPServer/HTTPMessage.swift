import Foundation

/// One parsed request. Header names are lower-cased; the target is split into path and query.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The path without the query, percent-decoding left to the handler (`/metrics`).
    public var path: String
    /// Query parameters, decoded; a repeated name keeps its last value.
    public var query: [String: String]
    public var version: String
    public var headers: [String: String]
    public var body: Data
    /// The client's address, e.g. `127.0.0.1:53122`.
    public var remote: String

    public init(method: String, path: String, query: [String: String] = [:], version: String = "HTTP/1.1",
                headers: [String: String] = [:], body: Data = Data(), remote: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.body = body
        self.remote = remote
    }

    /// Whether the client wants the connection kept open after the answer (HTTP/1.1 default; HTTP/1.0 opt-in).
    public var wantsKeepAlive: Bool {
        let connection = headers["connection"]?.lowercased() ?? ""
        if version == "HTTP/1.0" { return connection.contains("keep-alive") }
        return !connection.contains("close")
    }
}

/// An answer. The server adds `Content-Length` and `Connection`.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: Data

    public init(status: Int, headers: [(String, String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A text answer with the given content type (UTF-8).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Data(text.utf8))
    }

    /// A JSON answer from already encoded bytes.
    public static func json(_ bytes: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], body: Data(bytes))
    }

    /// The standard short text for an error status, as the body.
    public static func error(_ status: Int, _ detail: String? = nil) -> HTTPResponse {
        .text((detail ?? reason(status)) + "\n", status: status)
    }

    /// The reason phrase of a status code.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 408: return "Request Timeout"
        case 411: return "Length Required"
        case 413: return "Content Too Large"
        case 421: return "Misdirected Request"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 503: return "Service Unavailable"
        case 505: return "HTTP Version Not Supported"
        default: return "Status \(status)"
        }
    }

    /// The bytes on the wire: status line, headers, blank line, body (omitted for HEAD).
    func serialized(keepAlive: Bool, headOnly: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers where !name.isEmpty {
            // A header value with CR or LF would split the response (header injection): drop those characters.
            let clean = value.filter { $0 != "\r" && $0 != "\n" }
            head += "\(name): \(clean)\r\n"
        }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        var bytes = Array(head.utf8)
        if !headOnly { bytes.append(contentsOf: body) }
        return bytes
    }
}
