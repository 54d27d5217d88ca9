import Foundation

/// What a scan or SBOM looks at, from exactly one of `--image`, `--repo`/`--tag`, `--input`, `--dir`.
public enum ScanSource: Sendable, Equatable {
    /// An image reference: exported from the local engine, else fetched by Trivy.
    case image(String)
    /// A `docker save` tarball on disk.
    case archive(String)
    /// A directory (source tree, config files).
    case directory(String)

    /// The name findings and file names use.
    public var displayName: String {
        switch self {
        case .image(let reference): return reference
        case .archive(let path), .directory(let path): return path
        }
    }

    /// Checks that exactly one source was given and that paths exist with the right type.
    public static func from(image: String?, repo: String?, tag: String?, input: String?, dir: String?) throws -> ScanSource {
        if tag != nil && repo == nil {
            throw TrivyScannerError.invalidParameter(param: "tag", message: "needs --repo (e.g. --repo your-org/your-app --tag latest)")
        }
        let reference = image ?? repo.map { ImageReference.combine(repo: $0, tag: tag) }
        if image != nil && repo != nil {
            throw TrivyScannerError.invalidParameter(param: "repo", message: "give either --image REF or --repo R --tag T, not both")
        }
        let given = [reference, input, dir].compactMap { $0 }
        guard given.count == 1 else {
            throw TrivyScannerError.invalidParameter(
                param: given.isEmpty ? "image" : "input",
                message: given.isEmpty ? "say what to scan: --image REF, --repo R --tag T, --input image.tar or --dir PATH"
                                       : "give only one of --image/--repo, --input and --dir")
        }
        if let reference {
            guard !reference.isEmpty, !reference.hasPrefix("-"), !reference.contains(where: \.isWhitespace) else {
                throw TrivyScannerError.invalidParameter(param: image != nil ? "image" : "repo",
                                                         message: "'\(reference)' is not an image reference (e.g. nginx:1.27)")
            }
            return .image(reference)
        }
        var isDirectory: ObjCBool = false
        if let input {
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw TrivyScannerError.invalidParameter(param: "input", message: "\(input) is not a file: give a `docker save` tarball")
            }
            return .archive(input)
        }
        let path = dir!
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TrivyScannerError.invalidParameter(param: "dir", message: "\(path) is not a directory")
        }
        return .directory(path)
    }
}
