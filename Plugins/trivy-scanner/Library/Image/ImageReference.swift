import Foundation

/// Image references as the user gives them: `--image REF` or the original script's `--repo R --tag T`.
public enum ImageReference {
    /// `repo:tag`; a repo that already names a tag or digest is used as is when no tag is given.
    public static func combine(repo: String, tag: String?) -> String {
        guard let tag, !tag.isEmpty else { return repo }
        return repo + ":" + tag
    }

    /// A file-name-safe form of a reference: `registry:5000/team/app:1.2` → `registry-5000-team-app-1.2`.
    public static func sanitized(_ reference: String) -> String {
        var out = ""
        for scalar in reference.unicodeScalars {
            let keep = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "_" || scalar == "-"
            out.unicodeScalars.append(keep ? scalar : "-")
        }
        while out.contains("--") { out = out.replacingOccurrences(of: "--", with: "-") }
        let trimmed = out.trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return trimmed.isEmpty ? "image" : String(trimmed.prefix(120))
    }
}
