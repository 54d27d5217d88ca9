import Foundation
import ContsecProtocol

/// Checks of the state rules (§5), malformed input (§4, §12), parameter values (§8) and cancel ids (§10).
extension ConformanceKit {
    /// The command to keep in flight: a long-running one when declared (it cannot finish first), else the default.
    func commandToHold(_ r: InitializeResult) -> CommandSpec? {
        r.commands.first { $0.longRunning && !$0.params.contains(where: \.required) } ?? defaultCommand(r)
    }

    func checkInvalidState() -> Outcome {
        withSession("invalid-state") { s throws(CheckFailure) in
            let r = try handshake(s)
            let again = s.call(Method.initialize, initializeParams(), timeout: options.answerTimeout)
            guard case .error(let e, let line) = again, e.code == ErrorCode.invalidState.rawValue else {
                throw unexpected(again, s, waited: options.answerTimeout, what: "a second initialize: expected -32014")
            }
            _ = line
            guard let c = commandToHold(r) else { throw CheckFailure(detail: "the plugin declares no command") }
            let first = s.request(Method.run, runParams(c.name, arguments(for: c)))
            let second = s.call(Method.run, runParams(c.name, arguments(for: c)), timeout: options.runTimeout)
            defer { s.notify(Method.cancel, ["id": first.json]) }
            switch second {
            case .error(let e, _) where e.code == ErrorCode.invalidState.rawValue:
                return ("a second initialize and a run while \(c.name) was in flight both got -32014", false)
            case .result, .error:
                if case .timedOut = s.wait(first, timeout: 0) {
                    throw CheckFailure(detail: "a run sent while \(c.name) was in flight got \(Self.describe(second)) instead of -32014",
                                       message: Self.line(second))
                }
                return ("a second initialize got -32014; \(c.name) finished before a second run could overlap it (not exercised)", true)
            default:
                throw unexpected(second, s, waited: options.runTimeout, what: "a run while another was in flight: expected -32014")
            }
        }
    }

    func checkInvalidRequest() -> Outcome {
        withSession("invalid-request") { s throws(CheckFailure) in
            try handshake(s)
            let cases: [(bytes: String, code: ErrorCode, what: String)] = [
                ("this is not JSON\n", .parseError, "a line that is not JSON"),
                (#"[{"jsonrpc":"2.0","id":90,"method":"shutdown"}]"# + "\n", .invalidRequest, "a batch (JSON array)"),
                (#"{"jsonrpc":"2.0","params":{}}"# + "\n", .invalidRequest, "an object with neither id nor method"),
            ]
            for c in cases {
                _ = s.process.stdin.send(Array(c.bytes.utf8))
                // Answers with "id": null are handed to whoever waits: wait on an id nobody uses.
                let a = s.wait(.string("conformance-no-such-id"), timeout: options.answerTimeout)
                guard case .error(let e, let line) = a, e.code == c.code.rawValue else {
                    throw unexpected(a, s, waited: options.answerTimeout, what: "\(c.what): expected \(c.code.rawValue) with \"id\": null")
                }
                guard line.contains(#""id":null"#) else {
                    throw CheckFailure(detail: "\(c.what): the \(c.code.rawValue) answer must carry \"id\": null", message: line)
                }
            }
            return ("non-JSON got -32700, a batch and an object without id or method got -32600, each with id null", false)
        }
    }

    func checkParamValues() -> Outcome {
        withSession("invalid-params-values") { s throws(CheckFailure) in
            let r = try handshake(s)
            var done: [String] = []
            if let c = r.commands.first(where: { $0.params.contains(where: \.required) }), let p = c.params.first(where: \.required) {
                var args = arguments(for: c)
                args[p.name] = nil
                let a = s.call(Method.run, runParams(c.name, args), timeout: options.runTimeout)
                guard case .error(let e, _) = a, e.code == ErrorCode.invalidParams.rawValue else {
                    throw unexpected(a, s, waited: options.runTimeout, what: "run \(c.name) without its required --\(p.name): expected -32602")
                }
                done.append("a missing required --\(p.name)")
            }
            for c in r.commands {
                guard let p = c.params.first(where: { $0.allowed != nil }) else { continue }
                let outside: JSONValue = p.type == .list ? ["conformance-not-allowed"] : "conformance-not-allowed"
                let a = s.call(Method.run, runParams(c.name, arguments(for: c, overriding: [p.name: outside])), timeout: options.runTimeout)
                guard case .error(let e, _) = a, e.code == ErrorCode.invalidParams.rawValue else {
                    throw unexpected(a, s, waited: options.runTimeout, what: "run \(c.name) with --\(p.name) outside its enum: expected -32602")
                }
                done.append("--\(p.name) outside its enum")
                break
            }
            if done.isEmpty { return ("not applicable: no command declares a required or an enum parameter", true) }
            return (done.joined(separator: " and ") + " got -32602", false)
        }
    }

    func checkShutdownDuringRun() -> Outcome {
        withSession("shutdown-during-run") { s throws(CheckFailure) in
            let r = try handshake(s)
            guard let c = commandToHold(r) else { throw CheckFailure(detail: "the plugin declares no command") }
            let run = s.request(Method.run, runParams(c.name, arguments(for: c)))
            let shutdown = s.request(Method.shutdown, nil)
            let a = s.wait(shutdown, timeout: options.cancelGrace + options.answerTimeout)
            guard case .result(.null, _) = a else {
                throw unexpected(a, s, waited: options.cancelGrace + options.answerTimeout, what: "shutdown during a run: expected null")
            }
            // §5: the run is answered (cancelled, or its outcome) before the shutdown answer, and nothing follows it.
            let order = s.lines.compactMap { try? JSONParser.parse($0) }
            let runAt = order.firstIndex { $0["id"] == run.json && $0["method"] == nil }
            let shutdownAt = order.firstIndex { $0["id"] == shutdown.json && $0["method"] == nil }
            guard let runAt, let shutdownAt, runAt < shutdownAt else {
                throw CheckFailure(detail: "shutdown was answered while run \(c.name) was never answered: a plugin SHOULD cancel the run and answer it first")
            }
            Thread.sleep(forTimeInterval: 0.3)
            guard s.lines.count == order.count else {
                throw CheckFailure(detail: "the plugin wrote after its shutdown answer", message: s.lines.last)
            }
            return ("run \(c.name) was answered before shutdown's null, and nothing followed", false)
        }
    }

    func checkCancelIdType() -> Outcome {
        withSession("cancel-id-type") { s throws(CheckFailure) in
            let r = try handshake(s)
            guard let c = commandToHold(r) else { throw CheckFailure(detail: "the plugin declares no command") }
            let id = s.request(Method.run, runParams(c.name, arguments(for: c)))
            guard case .int(let n) = id else { throw CheckFailure(detail: "internal: expected an integer id") }
            s.notify(Method.cancel, ["id": .string(String(n))])  // "7" is not 7 (§4)
            let early = s.wait(id, timeout: 0.5)
            switch early {
            case .timedOut: break
            case .error(let e, let line) where e.code == ErrorCode.cancelled.rawValue:
                throw CheckFailure(detail: "cancel {\"id\":\"\(n)\"} (a string) cancelled run \(n) (an integer): ids match with their type", message: line)
            case .result, .error:
                return ("\(c.name) finished before the cancel could be tested (not exercised)", true)
            case .closed:
                throw unexpected(early, s, waited: 0.5, what: "run \(c.name)")
            }
            s.notify(Method.cancel, ["id": .int(n)])
            let sent = Date()
            let a = s.wait(id, timeout: options.cancelGrace)
            switch a {
            case .error(let e, _) where e.code == ErrorCode.cancelled.rawValue: break
            case .result where c.longRunning: break
            case .result, .error:
                // A command that ends on its own about now (0.5 s in) races the cancel: as in the `cancel` check,
                // an answer within the race window is no evidence that the cancel was ignored.
                if Date().timeIntervalSince(sent) < options.cancelRaceWindow {
                    return ("\(c.name) finished as the integer cancel was sent (not exercised)", true)
                }
                throw unexpected(a, s, waited: options.cancelGrace, what: "cancel {\"id\":\(n)}: expected -32800")
            default: throw unexpected(a, s, waited: options.cancelGrace, what: "cancel {\"id\":\(n)}: expected -32800")
            }
            return ("cancel with the string \"\(n)\" was ignored; with the integer \(n) it cancelled the run", false)
        }
    }
}
