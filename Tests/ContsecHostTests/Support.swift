#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// Paths of the built binaries and fixtures. Tests run the real `contsec` and real plugin processes.
enum Paths {
    /// The folder with the built products (the test runner lives there too).
    static let products: String = {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The runner may sit inside a .xctest bundle folder.
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("contsec").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.path
    }()
    static var contsec: String { products + "/contsec" }
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func fixture(_ name: String) -> String { fixtures + "/" + name }
}

struct CommandResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var json: JSONValue? { try? JSONParser.parse(stdout) }
}

/// Runs contsec with a clean plugin search path: only what the test names, plus the built products.
@discardableResult
func contsec(_ args: [String], env extra: [String: String] = [:], interruptAfter: TimeInterval? = nil,
             timeout: TimeInterval = 60, cwd: String? = nil) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: Paths.contsec)
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = "/usr/bin:/bin"
    env["HOME"] = NSTemporaryDirectory() + "contsec-test-home"
    env["CONTSEC_PLUGIN_PATH"] = nil
    for (k, v) in extra { env[k] = v }
    p.environment = env
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Drain both pipes concurrently so a chatty child never blocks on a full pipe.
    let outData = DataBox(), errData = DataBox()
    let g = DispatchGroup()
    DispatchQueue.global().async(group: g) { outData.set(out.fileHandleForReading.readDataToEndOfFile()) }
    DispatchQueue.global().async(group: g) { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    if let interruptAfter {
        Thread.sleep(forTimeInterval: interruptAfter)
        kill(p.processIdentifier, SIGINT)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if p.isRunning { p.terminate(); throw TestFailure("contsec \(args) did not finish within \(timeout) s") }
    g.wait()
    p.waitUntilExit()
    return CommandResult(code: p.terminationStatus, stdout: String(decoding: outData.get(), as: UTF8.self),
                         stderr: String(decoding: errData.get(), as: UTF8.self))
}

final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Processes whose command line contains `needle`, from /proc.
func processes(matching needle: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { e -> Int32? in
        guard let pid = Int32(e), pid != getpid(),
              let raw = FileManager.default.contents(atPath: "/proc/\(e)/cmdline") else { return nil }
        let cmd = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        // A zombie has an empty cmdline; only live processes count here.
        return cmd.contains(needle) ? pid : nil
    }
}

/// Findings in a contsec JSON report.
func findings(_ doc: JSONValue?) -> [JSONValue] {
    doc?["findings"]?.arrayValue?.compactMap { $0["finding"] } ?? []
}

func pluginEntry(_ doc: JSONValue?, _ name: String) -> JSONValue? {
    doc?["plugins"]?.arrayValue?.first { $0["name"]?.stringValue == name }
}

/// A unique temporary folder for one test.
func temporaryFolder(_ tag: String) throws -> String {
    let path = NSTemporaryDirectory() + "contsec-\(tag)-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
