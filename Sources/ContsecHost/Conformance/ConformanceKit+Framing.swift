import Foundation
import ContsecProtocol

/// Checks of the byte stream: CR LF line ends, non-ASCII text, a message near the announced cap.
extension ConformanceKit {
    func checkCRLF() -> Outcome {
        withSession("crlf") { s throws(CheckFailure) in
            do throws(CheckFailure) { try handshake(s, terminator: "\r\n") } catch {
                throw CheckFailure(detail: "initialize ending in CR LF: \(error.detail)", message: error.message)
            }
            let a = s.call(Method.shutdown, nil, timeout: options.answerTimeout, terminator: "\r\n")
            guard case .result = a else { throw unexpected(a, s, waited: options.answerTimeout, what: "shutdown ending in CR LF") }
            return ("initialize, initialized and shutdown ending in CR LF were all understood", false)
        }
    }

    func checkNonASCII() -> Outcome {
        withSession("non-ascii") { s throws(CheckFailure) in
            let probe = Self.probe
            let workspace = sandbox + "/" + probe
            let r: InitializeResult
            do throws(CheckFailure) { r = try handshake(s, params: initializeParams(workspace: workspace)) } catch {
                throw CheckFailure(detail: "initialize with workspace \(workspace): \(error.detail)", message: error.message)
            }
            var detail = "initialize with a non-ASCII workspace path was answered"
            var target: (CommandSpec, ParamSpec)?
            for c in r.commands {
                if let p = c.params.first(where: { $0.type == .string && $0.allowed == nil }) { target = (c, p); break }
            }
            // A free-text string param is the better probe (plugins echo those); else a path.
            for c in r.commands where target == nil {
                if let p = c.params.first(where: { $0.type == .path }) { target = (c, p); break }
            }
            if let (c, p) = target {
                let value: JSONValue = .string(p.type == .path ? workspace : probe)
                let a = s.call(Method.run, runParams(c.name, arguments(for: c, overriding: [p.name: value])), timeout: options.runTimeout)
                switch a {
                case .error(let e, let line) where [-32700, -32600].contains(e.code)
                    || (e.code == -32602 && e.data?["param"]?.stringValue == p.name && !line.contains(value.stringValue!)):
                    throw CheckFailure(detail: "run \(c.name) --\(p.name) \(value.stringValue!) was rejected: \(e)", message: line)
                case .result, .error:
                    detail += "; run \(c.name) --\(p.name) \(value.stringValue!) was answered with \(Self.describe(a))"
                default:
                    throw unexpected(a, s, waited: options.runTimeout, what: "run \(c.name) --\(p.name) \(value.stringValue!)")
                }
            } else {
                detail += "; no free-text string or path parameter to send it in"
            }
            s.drain(timeout: 0)
            // Text decoded as Latin-1 and re-encoded ("Ã¼" for "ü"), or replaced (U+FFFD), did not round-trip.
            let doubleEncoded = String(probe.utf8.map { Character(Unicode.Scalar($0)) }).prefix(2)
            for line in s.lines {
                if line.contains("\u{FFFD}") { throw CheckFailure(detail: "the plugin sent U+FFFD replacement characters: it lost the text", message: line) }
                if line.contains(doubleEncoded) { throw CheckFailure(detail: "the plugin sent the text double-encoded (UTF-8 read as Latin-1)", message: line) }
            }
            if s.lines.contains(where: { $0.contains(probe) }) { detail += "; the plugin echoed \(probe) intact" }
            return (detail, false)
        }
    }

    func checkLargeMessage() -> Outcome {
        withSession("large-message") { s throws(CheckFailure) in
            let cap = 1 << 20
            // host.name is a free string in the schema, so the padded message stays valid.
            let base = JSONWriter.bytes(RPCMessage.request(id: .int(1), method: Method.initialize,
                                                           params: initializeParams(maxMessageBytes: cap)).json).count
            let name = "contsec-conformance-" + String(repeating: "x", count: 900 * 1024 - base)
            let params = initializeParams(maxMessageBytes: cap, hostName: name)
            let size = JSONWriter.bytes(RPCMessage.request(id: .int(1), method: Method.initialize, params: params).json).count
            do throws(CheckFailure) { try handshake(s, params: params) } catch {
                throw CheckFailure(detail: "a \(size)-byte initialize (cap announced: \(cap)): \(error.detail)", message: error.message)
            }
            return ("a \(size)-byte initialize under a \(cap)-byte cap was answered", false)
        }
    }
}
