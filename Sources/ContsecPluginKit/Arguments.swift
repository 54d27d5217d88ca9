/// A run's arguments, already checked against the command's declared parameters, with defaults filled in.
public struct Arguments: Sendable {
    /// The raw values by parameter name.
    public let values: [String: JSONValue]

    public init(_ values: [String: JSONValue]) { self.values = values }

    public func string(_ name: String) -> String? { values[name]?.stringValue }
    public func int(_ name: String) -> Int? { values[name]?.intValue }
    /// `false` when the flag was not given and has no default.
    public func bool(_ name: String) -> Bool { values[name]?.boolValue ?? false }
    /// Empty when not given.
    public func list(_ name: String) -> [String] { values[name]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    /// An absolute path (the host resolves `path` parameters against the user's directory).
    public func path(_ name: String) -> String? { values[name]?.stringValue }
    public func has(_ name: String) -> Bool { values[name] != nil }
}
