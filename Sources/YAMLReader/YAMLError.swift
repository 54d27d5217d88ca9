/// A YAML syntax error. Positions are 1-based and independent of any file name:
/// callers prefix the file they were reading.
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public let message: String
    /// The input is valid YAML that uses a feature this reader does not read (complex keys, for example):
    /// refused rather than read as something else.
    public let unsupported: Bool

    public init(line: Int, column: Int, message: String, unsupported: Bool = false) {
        self.line = line
        self.column = column
        self.message = message
        self.unsupported = unsupported
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
