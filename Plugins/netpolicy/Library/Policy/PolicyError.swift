/// A policy document that cannot be used, located by file and JSON path (`$.ingress[0].from[1].service`).
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// JSONPath-style location inside the document; `$` for the whole document.
    public var path: String
    public var message: String

    public init(file: String, path: String, message: String) {
        self.file = file; self.path = path; self.message = message
    }

    public var description: String { "\(file): \(path): \(message)" }
}
