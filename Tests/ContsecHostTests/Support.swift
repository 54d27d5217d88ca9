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

    /// The test-only plugins (testkit, noop) are built as `test-plugin-<name>`, which discovery never picks up, so
    /// users never see them. Tests reach them as `contsec-<name>` links in this folder, which `contsec(...)` puts on
    /// CONTSEC_PLUGIN_PATH. One folder per build (named by the products path), made once and atomically.
    static let testPlugins: String = {
        var sha = SHA256()
        sha.update(Array(products.utf8))
        let dir = NSTemporaryDirectory() + "contsec-test-plugins-" + String(SHA256.hexString(sha.finalize()).prefix(12))
        let fm = FileManager.default
        if !fm.fileExists(atPath: dir + "/contsec-testkit") {
            let staging = dir + ".\(getpid())"
            try? fm.removeItem(atPath: staging)
            try? fm.createDirectory(atPath: staging, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            for name in testPluginNames {
                try? fm.createSymbolicLink(atPath: staging + "/contsec-" + name, withDestinationPath: products + "/test-plugin-" + name)
            }
            // Another test process may have made it first: then its folder stays and this one goes.
            if rename(staging, dir) != 0 { try? fm.removeItem(atPath: staging) }
        }
        return dir
    }()
    static let testPluginNames = ["noop", "testkit"]
    /// The testkit plugin (misbehaves on request) and the noop plugin, as contsec finds them in tests.
    static var testkit: String { testPlugins + "/contsec-testkit" }
    static var noop: String { testPlugins + "/contsec-noop" }
}

struct CommandResult {
    var code: Int32
    var stdout: String
    var stderr: String
    var json: JSONValue? { try? JSONParser.parse(stdout) }
}

/// Runs contsec on a thread of its own, so a test that waits for it does not hold one of Swift Testing's few
/// cooperative threads (on 2 cores, blocking tests starve every other test and skew their timings).
@discardableResult
func contsec(_ args: [String], env extra: [String: String] = [:], interruptAfter: TimeInterval? = nil,
             timeout: TimeInterval = 60, cwd: String? = nil, wrapper: [String] = []) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { (c: CheckedContinuation<CommandResult, Error>) in
        let t = Thread {
            c.resume(with: Result { try contsecBlocking(args, env: extra, interruptAfter: interruptAfter, timeout: timeout, cwd: cwd,
                                                        wrapper: wrapper) })
        }
        t.start()
    }
}

/// The same, blocking the caller: for tests that are not async.
@discardableResult
func contsec(_ args: [String], env extra: [String: String] = [:], interruptAfter: TimeInterval? = nil,
             timeout: TimeInterval = 60, cwd: String? = nil, wrapper: [String] = []) throws -> CommandResult {
    try contsecBlocking(args, env: extra, interruptAfter: interruptAfter, timeout: timeout, cwd: cwd, wrapper: wrapper)
}

/// Runs contsec with a clean plugin search path: what the test names, the built products, and the test-only plugins.
/// `wrapper` (e.g. `prlimit --as=N --`) runs contsec through a program that execs it, so signals still reach it.
private func contsecBlocking(_ args: [String], env extra: [String: String] = [:], interruptAfter: TimeInterval? = nil,
             timeout: TimeInterval = 60, cwd: String? = nil, wrapper: [String] = []) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: wrapper.first ?? Paths.contsec)
    p.arguments = wrapper.isEmpty ? args : Array(wrapper.dropFirst()) + [Paths.contsec] + args
    var env = ProcessInfo.processInfo.environment
    env["PATH"] = "/usr/bin:/bin"
    env["HOME"] = NSTemporaryDirectory() + "contsec-test-home"
    env["CONTSEC_PLUGIN_PATH"] = Paths.testPlugins
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
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)  // a hung contsec may ignore SIGTERM: the test must end regardless
        throw TestFailure("contsec \(args) did not finish within \(timeout) s")
    }
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

/// Live processes whose environment holds `CONTSEC_TEST_TAG=<tag>`: the host passes its environment to plugins,
/// and plugins to their children, so this finds everything one test started and nothing another test did.
func processes(taggedWith tag: String) -> [Int32] {
    let needle = Array("CONTSEC_TEST_TAG=\(tag)".utf8)
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { e -> Int32? in
        guard let pid = Int32(e), pid != getpid(),
              let raw = FileManager.default.contents(atPath: "/proc/\(e)/environ") else { return nil }
        let vars = raw.split(separator: 0)
        return vars.contains { Array($0) == needle } ? pid : nil
    }
}

/// A tag unique to one test, for `processes(taggedWith:)`.
func testTag() -> String { UUID().uuidString }

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
