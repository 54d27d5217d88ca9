import ContsecProtocol
import YAMLReader

/// How discovery classified a file by its name.
public enum FileCandidate: Sendable, Equatable {
    case dockerfile
    case compose
    /// Any other YAML file: a Kubernetes manifest only if a document has apiVersion and kind.
    case yaml
}

/// The outcome of scanning one file.
public struct FileScanResult: Sendable {
    /// nil when the file turned out not to be an IaC file (plain YAML without apiVersion/kind).
    public var kind: IaCKind?
    public var findings: [Finding] = []
    /// "line N, column M: message" when the file could not be parsed; no findings then.
    public var parseError: String?
    public var suppressed = 0
    /// Why the file could not be read at all (see ``UnscannedFile``).
    public var unscanned: String?
}

/// Parses one file once and runs every rule of its kind over the tree.
public enum FileScanner {
    public static func candidate(forName name: String) -> FileCandidate? {
        let lower = name.lowercased()
        if lower.hasSuffix(".dockerignore") { return nil }
        if name == "Dockerfile" || name == "Containerfile" || lower == "dockerfile" || lower == "containerfile"
            || lower.hasSuffix(".dockerfile") || lower.hasSuffix(".containerfile")
            || lower.hasPrefix("dockerfile.") || lower.hasPrefix("containerfile.") {
            return .dockerfile
        }
        guard lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") else { return nil }
        if lower.hasPrefix("docker-compose") || lower.hasPrefix("compose") { return .compose }
        return .yaml
    }

    public static func scan(bytes: [UInt8], path: String, as candidate: FileCandidate) -> FileScanResult {
        switch candidate {
        case .dockerfile: return scanDockerfile(bytes: bytes, path: path)
        case .compose: return scanCompose(bytes: bytes, path: path)
        case .yaml: return scanManifest(bytes: bytes, path: path)
        }
    }

    public static func scanDockerfile(bytes: [UInt8], path: String) -> FileScanResult {
        let df = DockerfileParser.parse(bytes: bytes)
        var sink = FindingSink(file: path, suppressions: Suppressions(bytes: bytes))
        DockerfileRules.check(df, &sink)
        return FileScanResult(kind: .dockerfile, findings: sink.findings, suppressed: sink.suppressed)
    }

    public static func scanCompose(bytes: [UInt8], path: String) -> FileScanResult {
        let docs: [YAMLNode]
        do {
            docs = try YAMLReader.parse(bytes: bytes)
        } catch {
            return FileScanResult(kind: .compose, parseError: error.description)
        }
        var sink = FindingSink(file: path, suppressions: Suppressions(bytes: bytes))
        for d in docs { ComposeRules.check(d, &sink) }
        return FileScanResult(kind: .compose, findings: sink.findings, suppressed: sink.suppressed)
    }

    public static func scanManifest(bytes: [UInt8], path: String) -> FileScanResult {
        let docs: [YAMLNode]
        do {
            docs = try YAMLReader.parse(bytes: bytes)
        } catch {
            // Only a file that looks like a manifest earns a parse error; Helm templates and other
            // YAML that is not meant to be read raw are skipped silently.
            if looksLikeManifest(bytes) { return FileScanResult(kind: .kubernetes, parseError: error.description) }
            return FileScanResult(kind: nil)
        }
        var resources: [YAMLNode] = []
        for d in docs { collectResources(d, into: &resources) }
        guard !resources.isEmpty else { return FileScanResult(kind: nil) }
        var sink = FindingSink(file: path, suppressions: Suppressions(bytes: bytes))
        for r in resources { KubernetesRules.check(r, &sink) }
        return FileScanResult(kind: .kubernetes, findings: sink.findings, suppressed: sink.suppressed)
    }

    /// Documents with apiVersion and kind; `kind: List` (and `*List`) contribute their items.
    static func collectResources(_ doc: YAMLNode, into out: inout [YAMLNode]) {
        guard doc.isMapping, doc["apiVersion"]?.scalar != nil, let kind = doc["kind"]?.scalar else { return }
        if kind == "List" || (kind.hasSuffix("List") && doc["items"]?.isSequence == true) {
            for item in doc["items"]?.items ?? [] { collectResources(item, into: &out) }
        } else {
            out.append(doc)
        }
    }

    static func looksLikeManifest(_ bytes: [UInt8]) -> Bool {
        func contains(_ s: String) -> Bool {
            let n = Array(s.utf8)
            guard bytes.count >= n.count else { return false }
            var k = 0
            while k + n.count <= bytes.count {
                if bytes[k] == n[0], bytes[k..<(k + n.count)].elementsEqual(n) { return true }
                k += 1
            }
            return false
        }
        return contains("apiVersion:") && contains("kind:") && !contains("{{")
    }
}
