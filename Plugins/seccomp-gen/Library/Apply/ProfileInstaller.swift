import Foundation
import ContainerKit

/// Writes a profile file where `apply --mount PATH` asks, but only inside the workspace or a folder the user
/// allowed explicitly (`--allowed-root /etc/seccomp`): a security tool must not write wherever a flag points.
public enum ProfileInstaller {
    public enum InstallError: Error, Sendable, CustomStringConvertible {
        case outsideAllowedRoots(path: String, roots: [String])
        public var description: String {
            switch self {
            case .outsideAllowedRoots(let path, let roots):
                let parent = (path as NSString).deletingLastPathComponent
                return "--mount \(path) is outside the workspace and the allowed roots (\(roots.joined(separator: ", "))): "
                    + "add --allowed-root \(parent) to allow writing there"
            }
        }
    }

    /// Writes `data` at `path` (absolute, or relative to the workspace) with ConfinedWriter rooted at the
    /// workspace or the allowed root containing it. An allowed root that does not exist yet is created (0755).
    public static func install(_ data: Data, at path: String, workspace: String, allowedRoots: [String],
                               dryRun: Bool) throws -> (path: String, bytes: Int) {
        let absolute = (path.hasPrefix("/") ? path : workspace + "/" + path)
        let standardized = (absolute as NSString).standardizingPath
        let roots = [workspace] + allowedRoots.map { ($0 as NSString).standardizingPath }
        guard let root = roots.first(where: { standardized.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) else {
            throw InstallError.outsideAllowedRoots(path: standardized, roots: roots)
        }
        if !dryRun, !FileManager.default.fileExists(atPath: root) {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o755])
        }
        let relative = String(standardized.dropFirst(root.count).drop(while: { $0 == "/" }))
        if dryRun, !FileManager.default.fileExists(atPath: root) { return (standardized, data.count) }
        let written = try ConfinedWriter(workspace: root, dryRun: dryRun).write(relative, data, mode: 0o644)
        return (written.path, written.bytes)
    }
}
