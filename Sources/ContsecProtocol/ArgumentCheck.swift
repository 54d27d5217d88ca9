/// Checks a command's arguments against its declared parameters and fills in defaults.
///
/// Both sides use this one check: the host before sending `run`, the plugin kit on receiving it, so a value the
/// host accepts is a value the plugin accepts.
extension CommandSpec {
    /// The arguments as the host sends them (PROTOCOL.md §8): checked, declared defaults filled in, and — with
    /// `base` — every `path` value, given or defaulted, made absolute against `base` (the user's current folder for
    /// `contsec run`, the workflow's folder for a workflow step) and normalised.
    public func checkArguments(_ args: [String: JSONValue], resolvingPathsAgainst base: String?) throws(ValidationError) -> [String: JSONValue] {
        var out = try checkArguments(args)
        guard let base else { return out }
        for p in params where p.type == .path {
            if case .string(let v)? = out[p.name] { out[p.name] = .string(Self.absolute(v, base: base)) }
        }
        return out
    }

    /// `path` made absolute against `base` and normalised (`.` and `..` removed, no trailing slash), without touching
    /// the file system.
    public static func absolute(_ path: String, base: String) -> String {
        let full = path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base : base + "/") + path
        var parts: [Substring] = []
        for part in full.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    public func checkArguments(_ args: [String: JSONValue]) throws(ValidationError) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in args.keys where !params.contains(where: { $0.name == key }) {
            let valid = params.map(\.name).joined(separator: ", ")
            throw ValidationError(field: key, reason: "unknown parameter for command '\(name)' (valid: \(valid.isEmpty ? "none" : valid))")
        }
        for p in params {
            guard let v = args[p.name], !v.isNull else {
                if p.required { throw ValidationError(field: p.name, reason: "required parameter is missing") }
                if let d = p.default, !d.isNull { out[p.name] = d }
                continue
            }
            out[p.name] = try p.check(v)
        }
        return out
    }
}

extension ParamSpec {
    /// The value if it has this parameter's type (integral doubles become ints), else an error naming the parameter.
    public func check(_ v: JSONValue) throws(ValidationError) -> JSONValue {
        func wrong() -> ValidationError {
            ValidationError(field: name, reason: "expected \(type.rawValue), got \(v.typeName)")
        }
        let checked: JSONValue
        switch type {
        case .string, .path:
            guard case .string = v else { throw wrong() }
            checked = v
        case .int:
            guard let i = v.intValue else { throw wrong() }
            checked = .int(i)
        case .bool:
            guard case .bool = v else { throw wrong() }
            checked = v
        case .list:
            guard case .array(let items) = v, items.allSatisfy({ $0.stringValue != nil }) else {
                throw ValidationError(field: name, reason: "expected a list of strings, got \(v.typeName)")
            }
            checked = v
        }
        if let allowed {
            let values = checked.arrayValue?.compactMap(\.stringValue) ?? checked.stringValue.map { [$0] } ?? []
            for s in values where !allowed.contains(s) {
                throw ValidationError(field: name, reason: "'\(s)' is not one of: \(allowed.joined(separator: ", "))")
            }
        }
        return checked
    }
}
