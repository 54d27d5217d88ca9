import Foundation

/// A passphrase for a private key. It never appears in `description`, logs or an openssl command line:
/// ``OpenSSL`` hands it to the child process in an environment variable of that process alone
/// (`-passin env:…`), which only the same user (and root) can read, as they could read this process's memory.
public struct Passphrase: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String
    /// Where it came from, for messages ("CONTSEC_SIGNING_PASSWORD"); never the value.
    public let origin: String

    /// - Parameters:
    ///   - value: the passphrase; must not be empty (openssl would treat it as "none").
    ///   - origin: where it came from, named in error messages.
    public init?(_ value: String, origin: String = "the passphrase") {
        guard !value.isEmpty else { return nil }
        self.value = value
        self.origin = origin
    }

    /// The passphrase in the environment variable `name`, or nil when it is unset or empty.
    public static func fromEnvironment(_ name: String,
                                       environment: [String: String] = ProcessInfo.processInfo.environment) -> Passphrase? {
        environment[name].flatMap { Passphrase($0, origin: name) }
    }

    public var description: String { "<passphrase>" }
    public var debugDescription: String { "<passphrase>" }
}

/// Which openssl passphrase option a ``Passphrase`` feeds. Pass `slot.argument` after `-passin`, `-passout` or `-pass`.
public enum PassphraseSlot: String, Sendable, CaseIterable {
    /// For reading an encrypted key (`-passin`).
    case input = "CONTSEC_OPENSSL_PASSIN"
    /// For writing an encrypted key (`-passout`, or genpkey's `-pass`).
    case output = "CONTSEC_OPENSSL_PASSOUT"

    /// The openssl pass-phrase argument naming this slot's variable, e.g. `env:CONTSEC_OPENSSL_PASSIN`.
    public var argument: String { "env:" + rawValue }
}
