import Foundation
import ContsecProtocol

/// Every line a plugin wrote during a conformance run, judged twice: is it JSON-RPC at all (stdout pollution),
/// and does it match the protocol's schema for what it is (a finding, the answer to `run`...).
final class MessageAudit: @unchecked Sendable {
    struct Problem {
        var check: String
        var reason: String
        var line: String
    }

    let schemas: SchemaSet?
    private let lock = NSLock()
    private var pollutionProblems: [Problem] = []
    private var schemaProblems: [Problem] = []
    private var hostProblems: [Problem] = []
    private(set) var hostProblemCount = 0
    private(set) var hostCheckedCount = 0
    private(set) var pollutionCount = 0
    private(set) var schemaProblemCount = 0
    private(set) var messageCount = 0
    private(set) var validatedCount = 0
    private static let keep = 10

    init(schemas: SchemaSet?) { self.schemas = schemas }

    func pollution(check: String, line: String, reason: String = "not a JSON-RPC message") {
        lock.lock(); defer { lock.unlock() }
        pollutionCount += 1
        if pollutionProblems.count < Self.keep { pollutionProblems.append(Problem(check: check, reason: reason, line: line)) }
    }

    private func schemaProblem(check: String, reason: String, line: String) {
        lock.lock(); defer { lock.unlock() }
        schemaProblemCount += 1
        if schemaProblems.count < Self.keep { schemaProblems.append(Problem(check: check, reason: reason, line: line)) }
    }

    private func hostProblem(check: String, reason: String, line: String) {
        lock.lock(); defer { lock.unlock() }
        hostProblemCount += 1
        if hostProblems.count < Self.keep { hostProblems.append(Problem(check: check, reason: reason, line: line)) }
    }

    var hostFound: [Problem] { lock.lock(); defer { lock.unlock() }; return hostProblems }

    /// Judges a message by ``HostRules``, the rules contsec enforces in real runs (one definition for both).
    private func checkHostRules(_ message: RPCMessage, check: String, text: String, runInFlight: Bool,
                                methodFor: (RequestID) -> String?) {
        lock.lock(); hostCheckedCount += 1; lock.unlock()
        do {
            switch message {
            case .notification(let method, let params):
                guard HostRules.notificationMethods.contains(method) else { return }  // the schema check reports these
                _ = try HostRules.notification(method, params)
                if method != Method.log && !runInFlight {
                    hostProblem(check: check, reason: "\(method) sent outside a run (after its answer, or before it): contsec drops it and fails the run", line: text)
                }
            case .response(let id?, .success(let v)):
                switch methodFor(id) {
                case Method.run?: _ = try HostRules.runResult(v)
                default: break  // the initialize result is the handshake check's to judge, once
                }
            default: break
            }
        } catch {
            hostProblem(check: check, reason: "contsec rejects it: \(error)", line: text)
        }
    }

    var pollutionFound: [Problem] { lock.lock(); defer { lock.unlock() }; return pollutionProblems }
    var schemaFound: [Problem] { lock.lock(); defer { lock.unlock() }; return schemaProblems }

    /// Parses and judges one line; returns the message when it is JSON-RPC.
    func record(check: String, bytes: UnsafeBufferPointer<UInt8>, text: String, runInFlight: Bool,
                methodFor: (RequestID) -> String?) -> RPCMessage? {
        lock.lock(); messageCount += 1; lock.unlock()
        let json: JSONValue
        do { json = try JSONParser.parse(bytes) } catch {
            pollution(check: check, line: text, reason: "not JSON (\(error))")
            return nil
        }
        let message: RPCMessage
        do { message = try RPCMessage(json: json) } catch {
            pollution(check: check, line: text, reason: error.description)
            return nil
        }
        checkHostRules(message, check: check, text: text, runInFlight: runInFlight, methodFor: methodFor)
        guard let schemas else { return message }
        let name = Self.schemaName(for: message, methodFor: methodFor)
        let violations = schemas.validate(json, against: name)
        lock.lock(); validatedCount += 1; lock.unlock()
        if !violations.isEmpty {
            let shown = violations.prefix(3).map(\.description).joined(separator: "; ")
            schemaProblem(check: check, reason: "breaks \(name): \(shown)", line: text)
        }
        return message
    }

    /// The most specific schema for a message: a response by the request it answers, a notification by method.
    static func schemaName(for message: RPCMessage, methodFor: (RequestID) -> String?) -> String {
        switch message {
        case .response(_, .failure): return "response-error.schema.json"
        case .response(let id, .success):
            switch id.flatMap(methodFor) {
            case Method.initialize?: return "initialize.response.schema.json"
            case Method.run?: return "run.response.schema.json"
            case Method.shutdown?: return "shutdown.response.schema.json"
            default: return "response-success.schema.json"
            }
        case .notification(let method, _):
            let known = [Method.finding, Method.action, Method.progress, Method.log]
            return known.contains(method) ? "\(method).notification.schema.json" : "plugin-to-host.schema.json"
        case .request:
            // Plugins send no requests in protocol 1.0: this schema says so.
            return "plugin-to-host.schema.json"
        }
    }
}
