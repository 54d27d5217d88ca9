import Foundation
import ContsecProtocol

/// Checks that wrong requests get the right JSON-RPC error codes.
extension ConformanceKit {
    func checkNotInitialized() -> Outcome {
        withSession("not-initialized") { s throws(CheckFailure) in
            let a = s.call(Method.run, runParams("conformance", [:]), timeout: options.answerTimeout)
            guard case .error(let e, let line) = a, e.code == ErrorCode.notInitialized.rawValue else {
                if case .error(let e, let line) = a {
                    throw CheckFailure(detail: "run before initialize: expected -32002 (not initialized), got \(e)", message: line)
                }
                throw unexpected(a, s, waited: options.answerTimeout, what: "run before initialize: expected -32002")
            }
            _ = line
            do throws(CheckFailure) { try handshake(s) } catch {
                throw CheckFailure(detail: "answered -32002, but initialize failed afterwards: \(error.detail)", message: error.message)
            }
            return ("run before initialize got -32002; initialize worked afterwards", false)
        }
    }

    func checkUnknownMethod() -> Outcome {
        withSession("unknown-method") { s throws(CheckFailure) in
            try handshake(s)
            let id = RequestID.string("conformance-unknown-method")
            let a = s.call("conformance/no-such-method", .object([:]), timeout: options.answerTimeout, id: id)
            guard case .error(let e, let line) = a, e.code == ErrorCode.methodNotFound.rawValue else {
                throw unexpected(a, s, waited: options.answerTimeout, what: "method conformance/no-such-method: expected -32601")
            }
            _ = line
            return ("got -32601 for id \"conformance-unknown-method\"", false)
        }
    }

    func checkUnknownCommand() -> Outcome {
        withSession("invalid-params-command") { s throws(CheckFailure) in
            try handshake(s)
            let a = s.call(Method.run, runParams("no-such-command", [:]), timeout: options.answerTimeout)
            guard case .error(let e, _) = a, e.code == ErrorCode.invalidParams.rawValue else {
                throw unexpected(a, s, waited: options.answerTimeout, what: "run of unknown command 'no-such-command': expected -32602")
            }
            return ("run of unknown command 'no-such-command' got -32602: \(e.message)", false)
        }
    }

    func checkWrongType() -> Outcome {
        withSession("invalid-params-type") { s throws(CheckFailure) in
            let r = try handshake(s)
            var target: (CommandSpec, ParamSpec)?
            for c in r.commands {
                if let p = c.params.first(where: { $0.type == .int || $0.type == .bool }) { target = (c, p); break }
            }
            guard let (c, p) = target else { return ("not applicable: no command declares an int or bool parameter", true) }
            let wrong: JSONValue = p.type == .int ? "not-a-number" : "not-a-bool"
            let a = s.call(Method.run, runParams(c.name, arguments(for: c, overriding: [p.name: wrong])), timeout: options.runTimeout)
            guard case .error(let e, _) = a, e.code == ErrorCode.invalidParams.rawValue else {
                throw unexpected(a, s, waited: options.runTimeout,
                                 what: "run \(c.name) with --\(p.name) (\(p.type.rawValue)) = \(JSONWriter.string(wrong)): expected -32602")
            }
            return ("\(c.name) --\(p.name) = \(JSONWriter.string(wrong)) got -32602: \(e.message)", false)
        }
    }
}
