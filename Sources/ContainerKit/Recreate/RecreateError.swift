/// Why a container could not be re-created, each with what the user can do about it.
public enum RecreateError: Error, Sendable, CustomStringConvertible {
    /// The change does not apply to this container (nothing mounted at a path, not on that network...).
    case invalidChange(String)
    /// The container is in a state that cannot be re-created safely (paused, restarting, started with `--rm`...).
    case unsupported(String)
    /// The container changed between planning and executing (another tool restarted, renamed or replaced it).
    case stalePlan(String)
    /// A step failed; ``RecreateFailure`` says which, why, and what rollback did.
    case failed(RecreateFailure)

    public var description: String {
        switch self {
        case .invalidChange(let message): return "cannot apply the change: \(message)"
        case .unsupported(let message): return message
        case .stalePlan(let message): return "the container changed since the plan was made: \(message); plan again"
        case .failed(let failure): return failure.description
        }
    }
}

/// A failed re-create: the step that failed, the engine's reason, and the rollback that followed.
public struct RecreateFailure: Sendable, CustomStringConvertible {
    /// The step that failed.
    public var step: RecreateStep
    /// The engine's (or the verification's) reason.
    public var reason: String
    /// Each rollback step and its error, if it had one.
    public var rollback: [RollbackStep]
    /// The original container's name.
    public var name: String
    /// The name the original container had been renamed to, if it was.
    public var asideName: String?
    /// The last lines the new container wrote before it was removed (verification failures only). They are the
    /// application's own output, so they are kept out of ``description``: a caller decides whether to show them.
    public var newContainerLogTail: String?

    /// True when every rollback step worked: the original container is back under its name, in its old state.
    public var rolledBack: Bool { rollback.allSatisfy { $0.error == nil } }

    public var description: String {
        var text = "re-creating \(name) failed at '\(step.description)': \(reason)"
        if rolledBack {
            text += "; rolled back: \(name) is the original container again, in its previous state, and the new one was removed"
        } else {
            let failed = rollback.compactMap { step in step.error.map { "\(step.action): \($0)" } }.joined(separator: "; ")
            text += "; ROLLBACK INCOMPLETE (\(failed))"
            if let asideName {
                text += ". The original container is kept as \(asideName): restore it with "
                    + "`docker rm -f \(name); docker rename \(asideName) \(name); docker start \(name)`"
            }
        }
        return text
    }
}

/// One thing rollback did (or tried to do).
public struct RollbackStep: Sendable, Equatable {
    /// e.g. "remove the new container", "rename web-contsec-old-1a2b3c4d back to web", "start web".
    public var action: String
    /// Why it failed; nil when it worked.
    public var error: String?
}
