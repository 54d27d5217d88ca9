import Foundation

/// Why a key, certificate or signature operation failed. Messages name the file or input and say what to do;
/// they never contain a passphrase or key material.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The `openssl` program is not there (or not executable).
    case opensslMissing(path: String, hint: String)
    /// openssl ran and failed; `detail` is the end of its stderr.
    case opensslFailed(operation: String, detail: String)
    /// An encrypted private key and no passphrase to open it.
    case passphraseRequired(key: String, variable: String)
    /// The passphrase does not open the key.
    case wrongPassphrase(key: String, variable: String)
    /// A file that should hold a key (or certificate) does not.
    case notAKey(path: String, reason: String)
    /// A file could not be read or written.
    case io(path: String, reason: String)
    /// A value that cannot go into a certificate or request (a malformed DNS name, a validity out of range...).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .opensslMissing(let path, let hint):
            return "openssl is not installed (looked for \(path)): \(hint)"
        case .opensslFailed(let operation, let detail):
            return detail.isEmpty ? "openssl could not \(operation)" : "openssl could not \(operation): \(detail)"
        case .passphraseRequired(let key, let variable):
            return "\(key) is an encrypted private key: set \(variable) to its passphrase"
        case .wrongPassphrase(let key, let variable):
            return "the passphrase in \(variable) does not open \(key): check the variable, or use the key it belongs to"
        case .notAKey(let path, let reason):
            return "\(path) is not a usable key: \(reason)"
        case .io(let path, let reason):
            return "\(path): \(reason)"
        case .invalidInput(let message):
            return message
        }
    }

    public var errorDescription: String? { description }
}
