#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ContsecProtocol

/// The shipped deployment files (`deploy/`) and the real tools that read them.
enum Deploy {
    static let root = Paths.packageRoot + "/deploy"
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// The first executable named `name` on the usual system folders, or nil.
    static func tool(_ name: String) -> String? {
        ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"].map { "\($0)/\(name)" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `exe` to completion (killed after `timeout` s) on a thread of its own; stdout and stderr drained together.
    static func run(_ exe: String, _ args: [String], cwd: String? = nil, timeout: TimeInterval = 120) async throws -> CommandResult {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<CommandResult, Error>) in
            Thread {
                c.resume(with: Result {
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: exe)
                    p.arguments = args
                    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
                    let out = Pipe(), err = Pipe()
                    p.standardOutput = out
                    p.standardError = err
                    p.standardInput = FileHandle.nullDevice
                    try p.run()
                    let o = DataBox(), e = DataBox(), g = DispatchGroup()
                    DispatchQueue.global().async(group: g) { o.set(out.fileHandleForReading.readDataToEndOfFile()) }
                    DispatchQueue.global().async(group: g) { e.set(err.fileHandleForReading.readDataToEndOfFile()) }
                    let deadline = Date().addingTimeInterval(timeout)
                    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
                    if p.isRunning {
                        kill(p.processIdentifier, SIGKILL)
                        throw TestFailure("\(exe) \(args) did not finish within \(timeout) s")
                    }
                    g.wait()
                    p.waitUntilExit()
                    return CommandResult(code: p.terminationStatus, stdout: String(decoding: o.get(), as: UTF8.self),
                                         stderr: String(decoding: e.get(), as: UTF8.self))
                })
            }.start()
        }
    }

    /// Each object of a kubectl `-o json` answer: the object itself, or the items of a `List`.
    static func objects(_ doc: JSONValue) -> [JSONValue] {
        doc["kind"] == "List" ? (doc["items"]?.arrayValue ?? []) : [doc]
    }

    /// Paths of `given` that `typed` lacks or holds another value at: what Kubernetes' typed decoding dropped (an
    /// unknown or misspelt field) or changed. Scalars compare as text ("9323" and 9323 are one port).
    static func lost(_ given: JSONValue, in typed: JSONValue?, at path: String = "$") -> [String] {
        switch given {
        case .object(let o):
            return o.flatMap { k, v in lost(v, in: typed?[k], at: path + "." + k) }
        case .array(let a):
            let t = typed?.arrayValue ?? []
            return a.enumerated().flatMap { i, v in lost(v, in: i < t.count ? t[i] : nil, at: path + "[\(i)]") }
        default:
            guard let typed else { return [path] }
            return text(given) == text(typed) ? [] : ["\(path): \(text(given)) became \(text(typed))"]
        }
    }

    private static func text(_ v: JSONValue) -> String {
        if let s = v.stringValue { return s }
        return JSONWriter.string(v)
    }
}
