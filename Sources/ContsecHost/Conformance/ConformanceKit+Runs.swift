import Foundation
import ContsecProtocol

/// Checks that run a command: a plain run, and a cancelled one.
extension ConformanceKit {
    func checkRunDefault() -> Outcome {
        withSession("run-default") { s throws(CheckFailure) in
            let r = try handshake(s)
            guard let c = defaultCommand(r) else { throw CheckFailure(detail: "the plugin declares no command") }
            let start = Date()
            var a: ConformanceSession.Answer
            if c.longRunning {
                // It runs until stopped: let it run a moment, then stop it as Ctrl-C does; it must answer within the grace.
                let id = s.request(Method.run, runParams(c.name, arguments(for: c)))
                a = s.wait(id, timeout: 1)
                if case .timedOut = a {
                    s.notify(Method.cancel, ["id": id.json])
                    a = s.wait(id, timeout: options.cancelGrace)
                    if case .error(let e, _) = a, e.code == ErrorCode.cancelled.rawValue {
                        return ("long-running \(c.name) ran 1 s and was stopped: answered -32800", false)
                    }
                }
            } else {
                a = s.call(Method.run, runParams(c.name, arguments(for: c)), timeout: options.runTimeout)
            }
            let took = String(format: "%.2f s", Date().timeIntervalSince(start))
            switch a {
            case .result(let v, let line):
                do { _ = try v.decode(RunResult.self, what: "result") } catch {
                    throw CheckFailure(detail: "the run result is malformed: \(error)", message: line)
                }
                return ("\(c.name) answered with status \(v["status"]?.stringValue ?? "?") in \(took)", false)
            case .error(let e, _):
                // A plugin may rightly refuse (tool missing, no Docker here): a well-formed error is an answer.
                return ("\(c.name) answered in \(took) with \(e) (a well-formed error counts as an answer)", false)
            default:
                throw unexpected(a, s, waited: options.runTimeout, what: "run \(c.name)")
            }
        }
    }

    /// Cancels a long-running command when the plugin declares one (it cannot finish before the cancel), else the
    /// default command. A run that finished before the cancel could act proves nothing: the check is skipped, not passed.
    func checkCancel() -> Outcome {
        withSession("cancel") { s throws(CheckFailure) in
            let r = try handshake(s)
            guard let c = r.commands.first(where: { $0.longRunning && !$0.params.contains(where: \.required) }) ?? defaultCommand(r) else {
                throw CheckFailure(detail: "the plugin declares no command")
            }
            let id = s.request(Method.run, runParams(c.name, arguments(for: c)))
            if c.longRunning {
                // Let it get going; a long-running command that answers by itself here did not wait to be stopped.
                let early = s.wait(id, timeout: 0.3)
                switch early {
                case .timedOut: break
                case .result:
                    throw CheckFailure(detail: "long-running command \(c.name) answered before it was stopped", message: Self.line(early))
                case .error:
                    // It may rightly refuse here (no Docker, a tool missing): nothing to cancel then.
                    return ("long-running command \(c.name) refused to start (\(Self.describe(early))); cancellation was not exercised", true)
                case .closed:
                    throw unexpected(early, s, waited: 0.3, what: "run \(c.name)")
                }
            }
            s.notify(Method.cancel, ["id": id.json])
            let sent = Date()
            let a = s.wait(id, timeout: options.cancelGrace)
            let after = Date().timeIntervalSince(sent)
            let took = String(format: "%.2f s", after)
            switch a {
            case .error(let e, _) where e.code == ErrorCode.cancelled.rawValue:
                return ("\(c.name) answered -32800 \(took) after the cancel", false)
            case .result where c.longRunning:
                return ("long-running \(c.name) stopped \(took) after the cancel, answering with its outcome", false)
            case .result, .error:
                if after < options.cancelRaceWindow {
                    return ("\(c.name) finished before the cancel could take effect (answered \(took) after it with \(Self.describe(a))); "
                            + "cancellation was not exercised: declare a long-running command, or make the default one take longer", true)
                }
                throw CheckFailure(detail: "answered \(took) after the cancel with \(Self.describe(a)) instead of -32800: the cancel was ignored",
                                   message: Self.line(a))
            case .timedOut:
                throw CheckFailure(detail: "\(c.name): no answer within \(Int(options.cancelGrace)) s of the cancel; the run must still be answered, with -32800")
            case .closed:
                throw unexpected(a, s, waited: options.cancelGrace, what: "cancel")
            }
        }
    }
}
