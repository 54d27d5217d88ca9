/// Entry point: parses a YAML stream into its documents.
///
/// Covers what compose files and Kubernetes manifests use: block and flow collections, all scalar
/// styles, multi-document streams, anchors/aliases/merge keys, comments, tags (kept, not interpreted)
/// and directives (skipped). Works on UTF-8 bytes; no regular expressions.
public enum YAMLReader {
    /// Returns one root node per document. An empty document (`---` with nothing after it) yields an
    /// empty plain scalar; a stream of only comments yields no documents.
    public static func parse(_ text: String) throws(YAMLError) -> [YAMLNode] {
        try parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes: [UInt8]) throws(YAMLError) -> [YAMLNode] {
        var parser = YAMLParser(bytes: bytes)
        return try parser.parseStream()
    }
}
