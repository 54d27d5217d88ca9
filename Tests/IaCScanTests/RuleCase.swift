import ContsecProtocol
import Testing
@testable import IaCScan

/// One rule fixture pair: `bad` must raise `id` on the first line containing `marker`; `good` must not raise `id`.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let id: String
    let kind: IaCKind
    let bad: String
    let marker: String
    let good: String

    var testDescription: String { id }

    var expectedLine: Int {
        for (n, l) in bad.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where l.contains(marker) { return n + 1 }
        return -1
    }
}

func scan(_ text: String, _ kind: IaCKind, path: String? = nil) -> FileScanResult {
    let bytes = Array(text.utf8)
    switch kind {
    case .dockerfile: return FileScanner.scanDockerfile(bytes: bytes, path: path ?? "Dockerfile")
    case .compose: return FileScanner.scanCompose(bytes: bytes, path: path ?? "docker-compose.yml")
    case .kubernetes: return FileScanner.scanManifest(bytes: bytes, path: path ?? "k8s/app.yaml")
    }
}

/// Applies `old → new` replacements to a base fixture, failing loudly when `old` is absent.
func variant(_ base: String, _ edits: [(String, String)]) -> String {
    var s = base
    for (old, new) in edits {
        guard let r = s.range(of: old) else { fatalError("fixture edit: '\(old)' not found") }
        s.replaceSubrange(r, with: new)
    }
    return s
}

extension String {
    /// Minimal substring search (the tests avoid Foundation).
    func range(of needle: String) -> Range<String.Index>? {
        guard !needle.isEmpty else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(needle) { return i..<index(i, offsetBy: needle.count) }
            i = index(after: i)
        }
        return nil
    }
}
