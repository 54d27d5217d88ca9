import Foundation
import ContsecProtocol

/// How contsec's findings map onto SARIF 2.1.0 objects, with the properties GitHub code scanning reads.
enum SARIFEncoding {
    static let srcRoot = "%SRCROOT%"
    /// The base of targets that are not files (images, containers, hosts, volumes): their anchors are names, never
    /// paths in the repository.
    static let targetRoot = "CONTSEC_TARGETS"

    /// critical/high → error, medium → warning, low/info/unknown → note.
    static func level(_ s: Severity) -> String {
        switch s {
        case .critical, .high: return "error"
        case .medium: return "warning"
        case .low, .info, .unknown: return "note"
        }
    }

    /// GitHub's `security-severity` (a CVSS-like score as a string): > 9.0 shows as critical, 7.0–8.9 high,
    /// 4.0–6.9 medium, 0.1–3.9 low. Each contsec severity maps to a score inside its band.
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .critical: return "9.5"
        case .high: return "8.0"
        case .medium: return "5.5"
        case .low: return "2.0"
        case .info, .unknown: return "0.0"
        }
    }

    /// A reporting descriptor from the first finding seen with a rule id. A message or remediation that differs
    /// between the rule's findings describes each result, not the rule: the description is then the title, and the
    /// help says to read the results. Texts are cut so that many distinct rules (one per CVE) stay affordable.
    static func rule(_ f: Finding, messageVaries: Bool = false, remediationVaries: Bool = false) -> JSONValue {
        let short = cut(f.title, 1024)
        let full = cut((messageVaries ? nil : f.message) ?? f.title, 4096)
        let remediation = remediationVaries
            ? "What to do differs between the results of \(f.ruleId): each result's message names what is affected and its fix."
            : f.remediation
        var help = remediation.map { cut($0, 8192) } ?? "No remediation was given for \(f.ruleId)."
        var markdown = remediation.map { "**Remediation:** " + cut($0, 8192) } ?? help
        let refs = f.references.prefix(10).map { cut($0, 2048) }  // a reference is a link; 2 KiB is plenty
        if !refs.isEmpty {
            help += "\n\nReferences:\n" + refs.map { "- \($0)" }.joined(separator: "\n")
            markdown += "\n\n**References:**\n" + refs.map { isWebURI($0) ? "- <\($0)>" : "- \($0)" }.joined(separator: "\n")
        }
        var rule: [String: JSONValue] = [
            "id": .string(f.ruleId),
            "name": .string(name(f)),
            "shortDescription": ["text": .string(short)],
            "fullDescription": ["text": .string(full)],
            "help": ["text": .string(help), "markdown": .string(markdown)],
            "defaultConfiguration": ["level": .string(level(f.severity))],
            "properties": [
                "security-severity": .string(securitySeverity(f.severity)),
                "tags": [.string(f.category.rawValue), "security"],
            ],
        ]
        if let uri = f.references.first(where: isHelpURI) { rule["helpUri"] = .string(uri) }
        return .object(rule)
    }

    /// A reporting descriptor from the plugin's own declaration of the rule (protocol 1.1): its title, description,
    /// remediation, help URL and severity; the rule's first finding fills what the declaration leaves out.
    static func rule(_ r: RuleSpec, fallback f: Finding) -> JSONValue {
        let severity = r.severity ?? f.severity
        let category = r.category ?? f.category
        let remediation = r.remediation ?? f.remediation
        var help = remediation.map { cut($0, 8192) } ?? "No remediation was given for \(r.id)."
        var markdown = remediation.map { "**Remediation:** " + cut($0, 8192) } ?? help
        if let uri = r.helpUri {
            help += "\n\nMore: \(uri)"
            markdown += "\n\n<\(uri)>"
        }
        var titled = f
        titled.title = r.title
        var rule: [String: JSONValue] = [
            "id": .string(r.id),
            "name": .string(name(titled)),
            "shortDescription": ["text": .string(cut(r.title, 1024))],
            "fullDescription": ["text": .string(cut(r.description ?? r.title, 4096))],
            "help": ["text": .string(help), "markdown": .string(markdown)],
            "defaultConfiguration": ["level": .string(level(severity))],
            "properties": ["security-severity": .string(securitySeverity(severity)), "tags": [.string(category.rawValue), "security"]],
        ]
        if let uri = r.helpUri ?? f.references.first(where: isHelpURI) { rule["helpUri"] = .string(uri) }
        return .object(rule)
    }

    /// A user-facing rule name: the title in PascalCase (SARIF asks for a name that is not the id).
    static func name(_ f: Finding) -> String {
        let words = f.title.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        let joined = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
        let n = String(joined.prefix(64))
        return n.isEmpty || n == f.ruleId ? "Rule" + f.ruleId.filter { $0.isASCII && ($0.isLetter || $0.isNumber) } : n
    }

    /// `host` goes in the result's property bag: results of many machines (a merged report) stay told apart.
    static func result(_ f: Finding, ruleIndex: Int, workspace: String, host: String) -> JSONValue {
        var r: [String: JSONValue] = [
            "ruleId": .string(f.ruleId),
            "ruleIndex": .int(ruleIndex),
            "level": .string(level(f.severity)),
            "message": ["text": .string(f.message ?? f.title)],
            "locations": [location(f.target, workspace: workspace)],
            "properties": ["severity": .string(f.severity.rawValue), "category": .string(f.category.rawValue), "host": .string(host)],
        ]
        if let fp = f.fingerprint { r["partialFingerprints"] = ["contsecFingerprint/v1": .string(fp)] }
        return .object(r)
    }

    /// A file (with its region) when the finding names one. GitHub rejects a whole upload if any result has only a
    /// logical location ("expected a physical location"), so a finding about an image, a container or the host
    /// keeps its target as a logical location and gets the artifact GitHub needs under its own base,
    /// `CONTSEC_TARGETS/<kind>/<name>` — never under `%SRCROOT%`, where it would pose as a file of the repository.
    static func location(_ t: Target, workspace: String) -> JSONValue {
        if let file = t.file {
            var physical: [String: JSONValue] = ["artifactLocation": artifact(file, workspace: workspace)]
            if let line = t.line {
                var region: [String: JSONValue] = ["startLine": .int(line)]
                if let c = t.column { region["startColumn"] = .int(c) }
                if let e = t.endLine, e >= line { region["endLine"] = .int(e) }
                physical["region"] = .object(region)
            }
            return ["physicalLocation": .object(physical)]
        }
        if t.kind == "file" { return ["physicalLocation": ["artifactLocation": artifact(t.name, workspace: workspace)]] }
        let anchor: JSONValue = ["uri": .string(encode(t.kind + "/" + t.name.drop(while: { $0 == "/" }))), "uriBaseId": .string(targetRoot)]
        return [
            "physicalLocation": ["artifactLocation": anchor],
            "logicalLocations": [["name": .string(t.name), "kind": .string(t.kind), "fullyQualifiedName": .string(t.kind + ":" + t.name)]],
        ]
    }

    /// Relative to the workspace (`%SRCROOT%`) when the file is inside it, otherwise an absolute `file://` URI.
    /// Decided on the normalised path: `../../etc/passwd` or `/ws/../etc` leave the workspace and are named as what
    /// they are, never as a file of the repository under `%SRCROOT%`.
    static func artifact(_ path: String, workspace: String) -> JSONValue {
        let root = lexical(workspace, from: "/")
        let full = lexical(path, from: root)
        let inside = root == "/" ? "/" : root + "/"
        if full.hasPrefix(inside) && full.count > inside.count {
            return ["uri": .string(encode(String(full.dropFirst(inside.count)))), "uriBaseId": .string(srcRoot)]
        }
        return ["uri": .string("file://" + encode(full))]
    }

    /// `path` made absolute against `base`, with `.`, `..` and repeated slashes removed by text: a report describes a
    /// path, it does not follow it (the file may not exist here, and a symlink must not decide where it is).
    static func lexical(_ path: String, from base: String) -> String {
        var parts: [Substring] = []
        for c in ((path.hasPrefix("/") ? "" : base + "/") + path).split(separator: "/") {
            switch c {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(c)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    /// The run's `originalUriBaseIds`: where `%SRCROOT%` was on this machine.
    static func baseIds(workspace: String) -> JSONValue {
        let w = lexical(workspace, from: "/")
        let root = w == "/" ? w : w + "/"
        return [srcRoot: ["uri": .string("file://" + encode(root))],
                targetRoot: ["description": ["text": "Targets that are not files (images, containers, hosts, volumes...): <kind>/<name>, not a path in the repository"]]]
    }

    private static let pathCharacters = CharacterSet(charactersIn:
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/!$&'()*+,;=@")

    /// Percent-encodes everything but unreserved characters, sub-delimiters, `@` and `/`. A `:` is encoded too, so a
    /// relative path such as `nginx:1.27` cannot be read as a URI scheme.
    static func encode(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: pathCharacters) ?? path
    }

    /// A reference that can be a rule's `helpUri`: a web address short enough to be kept whole.
    static func isHelpURI(_ s: String) -> Bool { s.utf8.count <= 2048 && isWebURI(s) }

    static func isWebURI(_ s: String) -> Bool {
        (s.hasPrefix("https://") || s.hasPrefix("http://")) && !s.contains(" ") && URL(string: s) != nil
    }

    static func cut(_ s: String, _ limit: Int) -> String {
        s.utf8.count <= limit ? s : String(decoding: Array(s.utf8.prefix(limit)), as: UTF8.self) + "…"
    }
}
