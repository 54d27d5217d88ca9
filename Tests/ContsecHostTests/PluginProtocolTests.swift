#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import ContsecProtocol

/// Speaks the protocol to a plugin by hand, line by line, to check the documented answers.
final class RawPlugin {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer: [UInt8] = []

    init(_ path: String) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    func send(_ line: String) {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
    }

    /// The next message from the plugin (skipping notifications unless asked for).
    func next(notifications: Bool = false) throws -> JSONValue {
        while true {
            if let nl = buffer.firstIndex(of: 0x0A) {
                let line = Array(buffer[..<nl])
                buffer.removeFirst(nl + 1)
                let v = try JSONParser.parse(line)
                if !notifications && v["method"] != nil && v["id"] == nil { continue }
                return v
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("plugin closed stdout") }
            buffer.append(contentsOf: chunk)
        }
    }

    func closeInput() { try? input.fileHandleForWriting.close() }

    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersions":["1.0"],"host":{"name":"test","version":"0","pid":1},"workspace":"/tmp","dryRun":false,"verbose":false,"limits":{"maxMessageBytes":16777216}}}"#
}

@Suite struct PluginProtocolTests {
    let testkit = Paths.testkit

    @Test func requestBeforeInitializeIsRefused() throws {
        let p = try RawPlugin(testkit)
        p.send(#"{"jsonrpc":"2.0","id":7,"method":"run","params":{"command":"behave"}}"#)
        let r = try p.next()
        #expect(r["id"] == 7)
        #expect(r["error"]?["code"] == .int(ErrorCode.notInitialized.rawValue))
        p.closeInput()
    }

    /// The Swift kit speaks 1.1 to a 1.1 host and plain 1.0 to a 1.0 host: no `longRunning`, the table in `summary`.
    @Test func kitUsesOneOneFeaturesOnlyWhenNegotiated() throws {
        for (offer, version) in [(#"["1.1","1.0"]"#, "1.1"), (#"["1.0"]"#, "1.0")] {
            let p = try RawPlugin(testkit)
            p.send(RawPlugin.initialize.replacingOccurrences(of: #"["1.0"]"#, with: offer))
            let r = try p.next()
            #expect(r["result"]?["protocolVersion"] == .string(version))
            let serve = r["result"]?["commands"]?.arrayValue?.first { $0["name"] == "serve" }
            #expect(serve?["longRunning"] == (version == "1.1" ? true : nil))
            p.send(#"{"jsonrpc":"2.0","id":2,"method":"run","params":{"command":"behave","args":{"table-rows":2}}}"#)
            let result = try p.next()["result"]
            let table = version == "1.1" ? result?["table"] : result?["summary"]?["table"]
            #expect(table?["rows"]?[1]?["id"] == "row-1")
            #expect((version == "1.1" ? result?["summary"]?["table"] : result?["table"]) == nil)
            p.closeInput()
        }
    }

    @Test func unknownMethodInvalidParamsAndSecondInitialize() throws {
        let p = try RawPlugin(testkit)
        p.send(RawPlugin.initialize)
        #expect(try p.next()["result"]?["protocolVersion"] == "1.0")
        p.send(#"{"jsonrpc":"2.0","id":2,"method":"frobnicate"}"#)
        #expect(try p.next()["error"]?["code"] == -32601)
        p.send(#"{"jsonrpc":"2.0","id":3,"method":"run","params":{"command":"behave","args":{"findings":"lots"}}}"#)
        let bad = try p.next()
        #expect(bad["error"]?["code"] == -32602)
        #expect(bad["error"]?["data"]?["param"] == "findings")
        p.send(#"{"jsonrpc":"2.0","id":4,"method":"run","params":{"command":"explode"}}"#)
        #expect(try p.next()["error"]?["code"] == -32602)
        p.send(RawPlugin.initialize.replacingOccurrences(of: "\"id\":1", with: "\"id\":5"))
        #expect(try p.next()["error"]?["code"] == -32014)
        p.send(#"{"jsonrpc":"2.0","id":6,"method":"shutdown"}"#)
        #expect(try p.next()["result"] == .null)
        p.send(#"{"jsonrpc":"2.0","method":"exit"}"#)
        process(p.process, exitsWithin: 2)
    }

    @Test func unsupportedVersionListsTheSupportedOnes() throws {
        let p = try RawPlugin(testkit)
        p.send(RawPlugin.initialize.replacingOccurrences(of: #"["1.0"]"#, with: #"["2.0","3.1"]"#))
        let r = try p.next()
        #expect(r["error"]?["code"] == -32010)
        #expect(r["error"]?["data"]?["supported"] == ["1.1", "1.0"])
        p.closeInput()
    }

    @Test func garbageAndCRLFAreHandled() throws {
        let p = try RawPlugin(testkit)
        p.send("this is not json")
        #expect(try p.next()["error"]?["code"] == -32700)
        p.send(#"[{"jsonrpc":"2.0","id":1,"method":"initialize"}]"#)
        #expect(try p.next()["error"]?["code"] == -32600)
        p.send(RawPlugin.initialize + "\r")
        #expect(try p.next()["result"]?["plugin"]?["name"] == "testkit")
        p.closeInput()
    }

    @Test func cancelIsAnsweredWithMinus32800AndEOFEndsThePlugin() throws {
        let p = try RawPlugin(testkit)
        p.send(RawPlugin.initialize)
        _ = try p.next()
        p.send(#"{"jsonrpc":"2.0","id":"run-1","method":"run","params":{"command":"behave","args":{"slow":true}}}"#)
        Thread.sleep(forTimeInterval: 0.2)
        p.send(#"{"jsonrpc":"2.0","method":"cancel","params":{"id":"run-1"}}"#)
        let r = try p.next()
        #expect(r["id"] == "run-1")
        #expect(r["error"]?["code"] == -32800)
        p.closeInput()
        process(p.process, exitsWithin: 2)
    }

    func process(_ p: Process, exitsWithin seconds: TimeInterval) {
        let end = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < end { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!p.isRunning, "plugin still running \(seconds) s after exit/EOF")
        if p.isRunning { p.terminate() }
    }
}
