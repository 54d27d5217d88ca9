import Foundation

/// A private temporary directory (0700) for Trivy's report and exported image tarballs.
/// `remove()` deletes it; callers `defer` that, which also covers task cancellation. A plugin can also be ended by
/// `exit()` mid-run (the kit exits on the host's shutdown or stdin EOF), which skips `defer`: an `atexit` hook removes
/// every directory still registered then.
public final class ScratchDirectory: Sendable {
    public let path: String

    public init(prefix: String = "contsec-trivy") throws {
        // NSTemporaryDirectory() ends in "/" (TMPDIR may too): no "//" in the paths Trivy and logs show.
        var base = NSTemporaryDirectory()
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TrivyScannerError.badReport("cannot create a temporary directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        Registry.shared.add(path)
    }

    /// `path/name`.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Deletes the directory and everything in it. Safe to call more than once.
    public func remove() {
        Registry.shared.remove(path)
    }

    private final class Registry: @unchecked Sendable {
        static let shared = Registry()
        private let lock = NSLock()
        private var paths = Set<String>()

        private init() {
            atexit { Registry.shared.removeAll() }
        }

        func add(_ path: String) { lock.lock(); paths.insert(path); lock.unlock() }

        // Deleting under the lock: when the kit calls exit() while a handler is half-way through deleting, the
        // atexit hook waits for it instead of racing it (and giving up on a directory emptied beneath it).
        func remove(_ path: String) {
            lock.lock()
            defer { lock.unlock() }
            try? FileManager.default.removeItem(atPath: path)
            paths.remove(path)
        }

        func removeAll() {
            lock.lock()
            defer { lock.unlock() }
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
            paths = []
        }
    }
}
