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

    var pollutionFound: [Problem] { lock.lock(); defer { lock.unlock() }; return pollutionProblems }
    var schemaFound: [Problem] { lock.lock(); defer { lock.unlock() }; return schemaProblems }

    /// Parses and judges one line; returns the message when it is JSON-RPC.
    func record(check: String, bytes: UnsafeBufferPointer<UInt8>, text: String,
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
