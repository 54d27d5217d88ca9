/// A JSON-RPC request id: a string or an integer, never null (PROTOCOL.md, "Messages").
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case string(String)

    public var json: JSONValue {
        switch self {
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        }
    }

    public init?(json: JSONValue) {
        switch json {
        case .int(let i): self = .int(i)
        case .string(let s): self = .string(s)
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return "\"\(s)\""
        }
    }
}

/// A JSON-RPC error object, as sent in an error response.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    public init(_ code: ErrorCode, _ message: String, data: JSONValue? = nil) {
        self.init(code: code.rawValue, message: message, data: data)
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["code": .int(code), "message": .string(message)]
        if let data { o["data"] = data }
        return .object(o)
    }

    public var description: String {
        let name = ErrorCode(rawValue: code).map { " (\($0.name))" } ?? ""
        return "error \(code)\(name): \(message)"
    }
}

/// One protocol message. Requests and notifications differ only in having an id.
public enum RPCMessage: Sendable {
    case request(id: RequestID, method: String, params: JSONValue?)
    case notification(method: String, params: JSONValue?)
    /// `id` is nil only in an error response to a message whose id could not be read.
    case response(id: RequestID?, result: Result<JSONValue, RPCError>)

    public var json: JSONValue {
        var o: [String: JSONValue] = ["jsonrpc": "2.0"]
        switch self {
        case .request(let id, let method, let params):
            o["id"] = id.json
            o["method"] = .string(method)
            if let params { o["params"] = params }
        case .notification(let method, let params):
            o["method"] = .string(method)
            if let params { o["params"] = params }
        case .response(let id, let result):
            o["id"] = id?.json ?? .null
            switch result {
            case .success(let v): o["result"] = v
            case .failure(let e): o["error"] = e.json
            }
        }
        return .object(o)
    }

    /// The message as one frame: compact JSON and the terminating LF.
    public func frame() -> [UInt8] {
        var out = JSONWriter.bytes(json)
        out.append(0x0A)
        return out
    }

    /// Reads a message from a parsed JSON value, checking the JSON-RPC 2.0 envelope.
    /// The thrown error carries the code a receiver should answer with (-32600) and the id when one was readable.
    public init(json: JSONValue) throws(InvalidMessage) {
        guard case .object(let o) = json else {
            if case .array = json { throw InvalidMessage(id: nil, reason: "batches are not supported; send one message per line") }
            throw InvalidMessage(id: nil, reason: "a message must be a JSON object, got \(json.typeName)")
        }
        let rawID = o["id"]
        let id = rawID.flatMap(RequestID.init(json:))
        guard o["jsonrpc"] == .string("2.0") else { throw InvalidMessage(id: id, reason: "missing \"jsonrpc\": \"2.0\"") }
        if let m = o["method"] {
            guard case .string(let method) = m else { throw InvalidMessage(id: id, reason: "\"method\" must be a string") }
            let params = o["params"]
            if let params, params.objectValue == nil, params.arrayValue == nil {
                throw InvalidMessage(id: id, reason: "\"params\" must be an object or an array")
            }
            if let rawID {
                guard let id else { throw InvalidMessage(id: nil, reason: "an id must be a string or an integer, not \(rawID.typeName)") }
                self = .request(id: id, method: method, params: params)
            } else {
                self = .notification(method: method, params: params)
            }
            return
        }
        if let r = o["result"] {
            guard let id else { throw InvalidMessage(id: nil, reason: "a response needs a string or integer id") }
            self = .response(id: id, result: .success(r))
            return
        }
        if let e = o["error"] {
            guard case .object(let eo) = e, let code = eo["code"]?.intValue, let message = eo["message"]?.stringValue else {
                throw InvalidMessage(id: id, reason: "\"error\" must be an object with an integer code and a string message")
            }
            self = .response(id: id, result: .failure(RPCError(code: code, message: message, data: eo["data"])))
            return
        }
        throw InvalidMessage(id: id, reason: "neither a request (method) nor a response (result or error)")
    }
}

/// A well-formed JSON value that is not a valid JSON-RPC 2.0 message.
public struct InvalidMessage: Error, Sendable, CustomStringConvertible {
    public let id: RequestID?
    public let reason: String
    public var description: String { "invalid JSON-RPC message: \(reason)" }
}
