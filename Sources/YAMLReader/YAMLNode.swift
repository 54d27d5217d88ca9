/// One node of a parsed YAML document, with the 1-based line and column where it starts.
/// Mappings keep their key order; each pair's key node carries the key's own position.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    public var content: Content
    public var line: Int
    public var column: Int
    /// Explicit tag, nil when absent. Shorthands are resolved through the document's `%TAG` directives:
    /// `!!str` is `tag:yaml.org,2002:str`, a local tag such as `!Ref` stays `!Ref`, the non-specific tag is `!`.
    /// Tags other than the core ones are kept, not interpreted.
    public var tag: String?
    public var anchor: String?

    public init(_ content: Content, line: Int, column: Int, tag: String? = nil, anchor: String? = nil) {
        self.content = content
        self.line = line
        self.column = column
        self.tag = tag
        self.anchor = anchor
    }

    static func null(line: Int, column: Int) -> YAMLNode {
        YAMLNode(.scalar("", .plain), line: line, column: column)
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
    public init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

public enum YAMLScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

// MARK: - Navigation

extension YAMLNode {
    /// The raw text of a scalar (as written, after unquoting/folding), nil for collections.
    public var scalar: String? {
        if case .scalar(let s, _) = content { return s }
        return nil
    }

    public var style: YAMLScalarStyle? {
        if case .scalar(_, let st) = content { return st }
        return nil
    }

    public var isMapping: Bool {
        if case .mapping = content { return true }
        return false
    }

    public var isSequence: Bool {
        if case .sequence = content { return true }
        return false
    }

    /// Sequence items; empty for anything else.
    public var items: [YAMLNode] {
        if case .sequence(let items) = content { return items }
        return []
    }

    /// Mapping pairs in document order; empty for anything else.
    public var pairs: [YAMLPair] {
        if case .mapping(let pairs) = content { return pairs }
        return []
    }

    /// The pair whose key is the scalar `key` (first match), nil when absent or not a mapping.
    public func pair(_ key: String) -> YAMLPair? {
        guard case .mapping(let pairs) = content else { return nil }
        for p in pairs where p.key.scalar == key { return p }
        return nil
    }

    public subscript(key: String) -> YAMLNode? { pair(key)?.value }

    public subscript(index: Int) -> YAMLNode? {
        guard case .sequence(let items) = content, index >= 0, index < items.count else { return nil }
        return items[index]
    }

    /// Follows a path of mapping keys: `node.at("spec", "template", "spec")`.
    public func at(_ path: String...) -> YAMLNode? {
        var cur: YAMLNode? = self
        for k in path { cur = cur?[k] }
        return cur
    }
}
