#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// Checks of the process's life: handshake, version negotiation, and the three ways a plugin must end.
extension ConformanceKit {
    func checkHandshake() -> Outcome {
        withSession("handshake") { s throws(CheckFailure) in
            let a = s.call(Method.initialize, initializeParams(), timeout: options.answerTimeout)
            if case .error(let e, let line) = a, e.code == ErrorCode.unsupportedVersion.rawValue {
                let theirs = e.data?["supported"]?.arrayValue?.compactMap(\.stringValue) ?? []
                throw CheckFailure(detail: "the plugin speaks protocol \(theirs.isEmpty ? "(it does not say which)" : theirs.joined(separator: ", ")) only; "
                                   + "contsec speaks \(ProtocolInfo.supportedVersions.joined(separator: ", ")), so nothing else can be checked. "
                                   + ProtocolInfo.mismatchAdvice(plugin: theirs), message: line)
            }
            guard case .result(let v, let line) = a else {
                throw unexpected(a, s, waited: options.answerTimeout, what: "initialize was not answered with a result")
            }
            // The host's own rules, from the one shared definition: what real runs reject, the kit fails.
            pluginName = v["plugin"]?["name"]?.stringValue
            let r: InitializeResult
            do { r = try HostRules.initializeResult(v, offered: ProtocolInfo.supportedVersions) } catch {
                throw CheckFailure(detail: "contsec would refuse this initialize result: \(error)", message: line)
            }
            s.notify(Method.initialized, .object([:]))
            pluginName = r.plugin.name
            protocolVersion = r.protocolVersion
            let names = r.commands.map { $0.name + ($0.isDefault ? " (default)" : "") }.joined(separator: ", ")
            return ("\(r.plugin.name) \(r.plugin.version) chose protocol \(r.protocolVersion); commands: \(names)", false)
        }
    }

    func checkVersionNegotiation() -> Outcome {
        withSession("version-negotiation") { s throws(CheckFailure) in
            let a = s.call(Method.initialize, initializeParams(versions: ["99.0"]), timeout: options.answerTimeout)
            guard case .error(let e, let line) = a, e.code == ErrorCode.unsupportedVersion.rawValue else {
                throw unexpected(a, s, waited: options.answerTimeout, what: "offered only protocol 99.0, expected error -32010")
            }
            let supported = e.data?["supported"]?.arrayValue ?? []
            guard !supported.isEmpty, supported.allSatisfy({ $0.stringValue != nil }) else {
                throw CheckFailure(detail: "-32010 must carry data.supported, a non-empty list of the versions the plugin speaks", message: line)
            }
            let list = supported.compactMap(\.stringValue).joined(separator: ", ")
            return ("refused 99.0 with -32010; supported: \(list)", false)
        }
    }

    func checkShutdownExit() -> Outcome {
        withSession("shutdown-exit") { s throws(CheckFailure) in
            try handshake(s)
            let a = s.call(Method.shutdown, nil, timeout: options.answerTimeout)
            guard case .result(let v, let line) = a else {
                throw unexpected(a, s, waited: options.answerTimeout, what: "shutdown was not answered with a result")
            }
            guard v.isNull else { throw CheckFailure(detail: "shutdown must be answered with null, got \(SchemaSet.show(v))", message: line) }
            s.notify(Method.exit, nil)
            guard let status = s.waitExit(timeout: options.exitLimit) else {
                throw CheckFailure(detail: "still running \(Int(options.exitLimit)) s after the exit notification")
            }
            guard status == .exited(0) else { throw CheckFailure(detail: "after exit the plugin \(status); expected status 0") }
            return ("shutdown answered null; exit ended the process with status 0", false)
        }
    }

    func checkStdinEOF() -> Outcome {
        withSession("stdin-eof") { s throws(CheckFailure) in
            try handshake(s)
            let start = Date()
            s.process.stdin.close()
            guard let status = s.waitExit(timeout: options.exitLimit) else {
                throw CheckFailure(detail: "still running \(Int(options.exitLimit)) s after its stdin was closed; plugins must exit on EOF")
            }
            return (String(format: "%@ %.2f s after stdin EOF", status.description, Date().timeIntervalSince(start)), false)
        }
    }

    func checkSigterm() -> Outcome {
        withSession("sigterm") { s throws(CheckFailure) in
            try handshake(s)
            let start = Date()
            // The host's kill ladder signals the plugin's process group; so does the kit.
            s.process.signalGroup(SIGTERM)
            guard let status = s.waitExit(timeout: options.exitLimit) else {
                throw CheckFailure(detail: "still running \(Int(options.exitLimit)) s after SIGTERM to its process group")
            }
            return (String(format: "%@ %.2f s after SIGTERM", status.description, Date().timeIntervalSince(start)), false)
        }
    }
}
