import Foundation
import ContainerKit

/// The one way contsec runs the real `openssl` program: found once (an explicit path, `CONTSEC_OPENSSL`, or PATH),
/// a clear "not installed" error, passphrases passed outside argv (see ``Passphrase``), and failures turned into
/// ``CryptoError`` with the end of openssl's stderr. Never hand-written crypto: keys, signatures and certificates
/// are made and checked by openssl.
public struct OpenSSL: Sendable {
    public static let installHint = "install it with `apt-get install openssl` (Debian/Ubuntu) or set CONTSEC_OPENSSL to its path"

    /// The resolved absolute path of the openssl binary.
    public let executable: String
    private let runner: ToolRunner

    /// Finds openssl: `path` if given, else `CONTSEC_OPENSSL`, else `openssl` on PATH.
    public init(path: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let runner = ToolRunner(path: environment["PATH"])
        let wanted = path ?? environment["CONTSEC_OPENSSL"].flatMap { $0.isEmpty ? nil : $0 } ?? "openssl"
        do {
            executable = try runner.resolve(wanted, installHint: Self.installHint)
        } catch ToolError.notExecutable(let file) {
            throw CryptoError.opensslMissing(path: file, hint: "it is not executable; " + Self.installHint)
        } catch {
            throw CryptoError.opensslMissing(path: wanted, hint: Self.installHint)
        }
        self.runner = runner
    }

    /// Runs `openssl arguments…` and returns its stdout.
    /// - Parameters:
    ///   - operation: what is being done, for the error message ("generate a key pair").
    ///   - stdin: bytes for openssl's standard input (key material travels here, never through argv or files).
    ///   - passphrases: put in the child's environment; refer to them with `slot.argument` in `arguments`.
    ///   - timeout: seconds before openssl is stopped.
    /// - Throws: ``CryptoError/opensslFailed(operation:detail:)`` when openssl exits non-zero.
    public func run(_ arguments: [String], operation: String, stdin: Data? = nil,
                    passphrases: [PassphraseSlot: Passphrase] = [:], timeout: Double = 60) async throws -> Data {
        let result = try await runRaw(arguments, stdin: stdin, passphrases: passphrases, timeout: timeout)
        guard result.succeeded else {
            throw CryptoError.opensslFailed(operation: operation, detail: Self.errorDetail(result))
        }
        return result.stdout
    }

    /// Runs an openssl command that reads a private key: with a passphrase, `-passin` points at it, and openssl's
    /// "bad decrypt" becomes ``CryptoError/wrongPassphrase(key:variable:)`` naming `key` and where the passphrase came from.
    public func runWithKey(_ arguments: [String], operation: String, key: String, passphrase: Passphrase?,
                           stdin: Data? = nil) async throws -> Data {
        var arguments = arguments
        var passphrases: [PassphraseSlot: Passphrase] = [:]
        if let passphrase {
            arguments += ["-passin", PassphraseSlot.input.argument]
            passphrases[.input] = passphrase
        }
        let result = try await runRaw(arguments, stdin: stdin, passphrases: passphrases)
        guard result.succeeded, !result.stdout.isEmpty else {
            if let passphrase, Self.isBadDecrypt(result.stderrText) {
                throw CryptoError.wrongPassphrase(key: key, variable: passphrase.origin)
            }
            throw CryptoError.opensslFailed(operation: operation, detail: Self.errorDetail(result))
        }
        return result.stdout
    }

    /// Like ``run(_:operation:stdin:passphrases:timeout:)`` but returns the result whatever the exit status
    /// (for commands whose non-zero exit is an answer, such as a failed signature check).
    /// - Parameter sweepLeftovers: look for processes the run left behind once it exits (a /proc scan). openssl's
    ///   one-shot commands never fork, and on a busy machine the scan costs more than the command (about 8 ms per
    ///   signature check, perf on bench/registry-bench.sh), so hot paths turn it off; a timed-out run is always swept.
    public func runRaw(_ arguments: [String], stdin: Data? = nil, passphrases: [PassphraseSlot: Passphrase] = [:],
                       timeout: Double = 60, sweepLeftovers: Bool = true) async throws -> ToolResult {
        var overrides: [String: String] = [:]
        for (slot, passphrase) in passphrases { overrides[slot.rawValue] = passphrase.value }
        let options = ToolRunOptions(stdin: stdin ?? Data(), timeout: timeout, outputCap: 4 << 20,
                                     environmentOverrides: overrides, installHint: Self.installHint,
                                     killGroupOnExit: sweepLeftovers)
        do {
            return try await runner.run(executable, arguments, options: options)
        } catch let error as ToolError {
            if case .toolMissing = error { throw CryptoError.opensslMissing(path: executable, hint: Self.installHint) }
            throw CryptoError.opensslFailed(operation: "run", detail: error.description)
        }
    }

    /// The useful end of openssl's stderr: its error lines, without the noise of long error-stack prefixes.
    public static func errorDetail(_ result: ToolResult) -> String {
        if result.timedOut { return "did not finish within \(Int(result.duration.rounded())) s" }
        let lines = result.stderrText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return lines.suffix(4).joined(separator: "; ")
    }

    /// True when openssl's stderr says a passphrase did not decrypt a key.
    static func isBadDecrypt(_ stderr: String) -> Bool {
        let text = stderr.lowercased()
        // A wrong passphrase nearly always fails the cipher's padding check; about one time in 256 the padding
        // happens to look valid and the garbage then fails to decode instead ("No supported data to decode").
        return text.contains("bad decrypt") || text.contains("maybe wrong password") || text.contains("no supported data to decode")
    }
}
