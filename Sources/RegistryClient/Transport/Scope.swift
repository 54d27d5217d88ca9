/// The access a request needs, as a token scope (`repository:team/app:pull,push`).
public enum Scope: Sendable, Hashable {
    case pull(String)
    case push(String)
    case delete(String)
    case catalog

    var tokenScope: String {
        switch self {
        case .pull(let repository): return "repository:\(repository):pull"
        case .push(let repository): return "repository:\(repository):pull,push"
        case .delete(let repository): return "repository:\(repository):delete"
        case .catalog: return "registry:catalog:*"
        }
    }
}
