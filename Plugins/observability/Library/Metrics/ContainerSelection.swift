import Foundation

/// The containers a command watches (`--container`): every one when empty, else those named by name (with or without
/// the Engine's leading `/`), by full id, or by an id prefix of at least 12 characters (what `docker ps` shows).
public struct ContainerSelection: Sendable, Equatable {
    public let names: Set<String>

    public init(_ names: some Sequence<String> = [String]()) {
        self.names = Set(names.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 }.filter { !$0.isEmpty })
    }

    public var isAll: Bool { names.isEmpty }

    public func matches(name: String, id: String) -> Bool {
        if names.isEmpty { return true }
        let bare = name.hasPrefix("/") ? String(name.dropFirst()) : name
        return names.contains(bare) || names.contains { $0.count >= 12 && id.hasPrefix($0) }
    }

    /// For a list entry, which carries every name of the container.
    public func matches(names candidates: [String], id: String) -> Bool {
        names.isEmpty || candidates.contains { matches(name: $0, id: id) } || matches(name: "", id: id)
    }
}
