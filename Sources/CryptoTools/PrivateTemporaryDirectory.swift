import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A 0700 temporary directory for files openssl must read by name (a signature to check, a CSR), removed when
/// the owner is released. Never used for unencrypted private keys: those travel through pipes.
final class PrivateTemporaryDirectory: Sendable {
    let path: String

    init(prefix: String) throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw CryptoError.io(path: NSTemporaryDirectory(), reason: "cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
    }

    /// Writes `name` (0600) inside the directory.
    func write(_ name: String, _ data: Data) throws {
        let file = path + "/" + name
        guard FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CryptoError.io(path: file, reason: "cannot write a temporary file")
        }
    }

    func remove(_ name: String) {
        unlink(path + "/" + name)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
