import Foundation
import ContsecHost
import ContsecProtocol

/// `contsec plugins`: what discovery found, without executing anything.
enum PluginsCommand {
    static func run(_ args: [String], globals: GlobalOptions) throws -> ExitCode {
        var g = globals
        let rest = try g.parseLeading(args)
        if CLI.wantsHelp(rest) {
            print("Usage: contsec plugins [--json] [--plugin-path PATH]\n  Lists plugins in discovery order; shadowed and invalid candidates with the reason.")
            return .success
        }
        if let extra = rest.first { throw CLIError.usage("unexpected argument '\(extra)' for 'contsec plugins'") }
        let discovery = g.discovery()
        let result = discovery.discover()
        if g.json {
            let doc: JSONValue = [
                "plugins": .array(result.plugins.map { ["name": .string($0.name), "path": .string($0.path), "source": .string($0.source)] }),
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
        let width = max(6, result.plugins.map(\.name.count).max() ?? 6)
        for p in result.plugins {
            print("\(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.path)  (\(p.source))")
        }
        for s in result.shadowed {
            print("shadowed: \(s.candidate.path) (\(s.candidate.source)) — hidden by \(s.by.path)")
        }
        for i in result.invalid {
            print("invalid:  \(i.path) (\(i.source)) — \(i.reason)")
        }
        return .success
    }
}
