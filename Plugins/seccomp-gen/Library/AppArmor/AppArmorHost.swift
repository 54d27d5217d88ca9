import Foundation
import ContainerKit

/// What the parser said about a profile.
public struct AppArmorValidation: Sendable, Equatable {
    /// False when apparmor_parser is not installed: nothing was checked.
    public var checked: Bool
    public var valid: Bool
    /// The parser's complaint (its own words), when invalid.
    public var message: String?
}

/// Debian's `apparmor_parser` and the kernel's AppArmor, as far as contsec needs them: validating a profile
/// without loading it, and telling whether this kernel could load one at all.
public struct AppArmorHost: Sendable {
    public static let installHint = "apt-get install apparmor"
    let runner: ToolRunner
    /// Where the kernel exposes AppArmor (`/sys/module/apparmor`), overridable for tests.
    let sysModulePath: String

    public init(path: String? = ProcessInfo.processInfo.environment["PATH"], sysModulePath: String = "/sys/module/apparmor") {
        // apparmor_parser lives in /usr/sbin and /sbin, which a non-login PATH may lack.
        runner = ToolRunner(path: [path, "/usr/sbin:/sbin"].compactMap { $0 }.joined(separator: ":"))
        self.sysModulePath = sysModulePath
    }

    /// The parser's path, or nil when it is not installed.
    public var parserPath: String? { try? runner.resolve("apparmor_parser", installHint: Self.installHint) }

    /// Parses `text` with `apparmor_parser -Q -K` (-Q: build the policy, load nothing into the kernel; -K: no
    /// cache), which works on kernels without AppArmor.
    public func validate(_ text: String) async throws -> AppArmorValidation {
        guard parserPath != nil else { return AppArmorValidation(checked: false, valid: false, message: nil) }
        let result = try await runner.run("apparmor_parser", ["-Q", "-K"],
                                          options: ToolRunOptions(stdin: Data(text.utf8), timeout: 60, installHint: Self.installHint))
        if result.succeeded { return AppArmorValidation(checked: true, valid: true, message: nil) }
        // The parser notes that this kernel has no cache interface on every run; that line is not the problem.
        let complaint = result.stderrText.split(separator: "\n")
            .filter { !$0.hasPrefix("Cache read/write disabled") }.joined(separator: "\n")
        return AppArmorValidation(checked: true, valid: false,
                                  message: complaint.isEmpty ? "apparmor_parser exited with \(result.termination)" : complaint)
    }

    /// Whether this kernel has AppArmor enabled (`/sys/module/apparmor/parameters/enabled` is `Y`).
    public var kernelHasAppArmor: Bool {
        guard let value = try? String(contentsOfFile: sysModulePath + "/parameters/enabled", encoding: .utf8) else { return false }
        return value.trimmingCharacters(in: .whitespacesAndNewlines) == "Y"
    }

    /// Loads (or replaces) a profile in the kernel: `apparmor_parser -r -W FILE`.
    public func load(file: String) async throws {
        _ = try await runner.run("apparmor_parser", ["-r", "-W", file],
                                 options: ToolRunOptions(timeout: 60, installHint: Self.installHint)).checked()
    }
}
