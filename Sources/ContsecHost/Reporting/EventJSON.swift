import ContsecProtocol

// JSON shapes shared by the JSON and JSONL reporters, so both describe a plugin the same way.

extension PluginFailure {
    /// `{kind, message, code?, data?, exitStatus?, stderrTail?}`.
    public var json: JSONValue {
        var e: [String: JSONValue] = ["kind": .string(kind.rawValue), "message": .string(message)]
        if let rpc = rpcError {
            e["code"] = .int(rpc.code)
            if let data = rpc.data { e["data"] = data }
        }
        if let s = exitStatus { e["exitStatus"] = .string(s) }
        if !stderrTail.isEmpty { e["stderrTail"] = .array(stderrTail.map(JSONValue.string)) }
        return .object(e)
    }
}

extension PluginInfo {
    /// `{name, version, vendor?, description?}`.
    public var json: JSONValue {
        var o: [String: JSONValue] = ["name": .string(name), "version": .string(version)]
        if let vendor { o["vendor"] = .string(vendor) }
        if let description { o["description"] = .string(description) }
        return .object(o)
    }
}
