import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec plugins`: what discovery found, without executing anything.
enum PluginsCommand {
    static let help = """
    Usage: contsec plugins [--json] [--plugin-path PATH]
      Lists plugins by name (for each name, the first found in discovery order runs), with version, permissions
      and sha256 from their manifests; shadowed, refused and invalid candidates with the reason. Executes nothing.
    """

    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        let rest = try g.parseLeading(args)
        if CLI.wantsHelp(rest) {
            print(help)
            return .success
        }
        if let extra = rest.first { throw CLIError.usage("unexpected argument '\(extra)' for 'contsec plugins'") }
        let discovery = g.discovery()
        var result = discovery.discover()
        // A manifest with a sha256 is checked now too, so a tampered plugin shows as refused before anyone runs it.
        for (i, p) in result.plugins.enumerated() where p.refusal == nil {
            result.plugins[i].refusal = PluginTrust.hashMismatch(for: p)
        }
        let usable = result.plugins.filter { $0.refusal == nil }
        if g.json {
            func entry(_ c: PluginCandidate) -> JSONValue {
                var o: [String: JSONValue] = ["name": .string(c.name), "path": .string(c.path), "source": .string(c.source)]
                if let m = c.manifest {
                    o["version"] = .string(m.version)
                    if let v = m.vendor { o["vendor"] = .string(v) }
                    if let d = m.description { o["description"] = .string(d) }
                    o["manifest"] = .string(m.file)
                    o["protocolVersions"] = .array(m.protocolVersions.map(JSONValue.string))
                    if let s = m.sha256 { o["sha256"] = .string(s) }
                    if let p = m.permissions { o["permissions"] = .array(p.granted.map(JSONValue.string)) }
                }
                if let r = c.refusal { o["reason"] = .string(r) }
                return .object(o)
            }
            let doc: JSONValue = [
                "plugins": .array(usable.map(entry)),
                "refused": .array(result.refused.map(entry)),
                "shadowed": .array(result.shadowed.map {
                    ["name": .string($0.candidate.name), "path": .string($0.candidate.path), "source": .string($0.candidate.source),
                     "shadowedBy": .string($0.by.path)]
                }),
                "invalid": .array(result.invalid.map { ["path": .string($0.path), "source": .string($0.source), "reason": .string($0.reason)] }),
            ]
            print(JSONWriter.string(doc))
            return .success
        }
        if result.plugins.isEmpty {
            print("No plugins found. Build them (swift build) or pass --plugin-path.")
        }
        let width = max(6, usable.map(\.name.count).max() ?? 6)
        for p in usable {
            var line = "\(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.path)  (\(p.source))"
            if let m = p.manifest {
                let perms = m.permissions.map { $0.granted.isEmpty ? "none" : $0.granted.joined(separator: ", ") } ?? "not declared"
                line += "\n\(String(repeating: " ", count: width))  version \(m.version)\(m.vendor.map { " by \($0)" } ?? "") · permissions: \(perms)"
                    + (m.sha256 == nil ? " · no sha256 in manifest" : " · sha256 verified")
            }
            print(TerminalText.escaped(line, keepNewlines: true))
        }
        for r in result.refused {
            print(TerminalText.escaped("refused:  \(r.path) (\(r.source)) — \(r.refusal ?? "")"))
        }
        for s in result.shadowed {
            print(TerminalText.escaped("shadowed: \(s.candidate.path) (\(s.candidate.source)) — hidden by \(s.by.path)"))
        }
        for i in result.invalid {
            print(TerminalText.escaped("invalid:  \(i.path) (\(i.source)) — \(i.reason)"))
        }
        return .success
    }
}
