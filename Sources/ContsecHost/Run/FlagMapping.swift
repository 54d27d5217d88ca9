import Foundation
import ContsecProtocol

/// Maps `--flags` from the command line onto a command's declared, typed parameters.
public struct FlagMapping {
    public let command: CommandSpec
    public let pluginName: String
    /// Global options that may also appear after the plugin name: name → takes a value.
    public let globalOptions: [String: Bool]
    public let workingDirectory: String

    public init(command: CommandSpec, pluginName: String, globalOptions: [String: Bool],
                workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.command = command
        self.pluginName = pluginName
        self.globalOptions = globalOptions
        self.workingDirectory = workingDirectory
    }

    /// The parsed arguments, checked and with defaults, and the global options found among the flags
    /// (a declared parameter wins over a global option of the same name).
    public func map(_ tokens: [String]) throws(CLIError) -> (args: [String: JSONValue], globals: [(String, String?)]) {
        var args: [String: JSONValue] = [:]
        // Repeated list flags collect here and become one array at the end: appending to a JSONValue array in the
        // dictionary would copy it on every repetition (100,000 --item flags took a minute).
        var lists: [String: [JSONValue]] = [:]
        var globals: [(String, String?)] = []
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            i += 1
            guard token.hasPrefix("--"), token.count > 2 else {
                throw usage("unexpected argument '\(token)'")
            }
            var name = String(token.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            var negated = false
            var param = command.params.first { $0.name == name }
            if param == nil, name.hasPrefix("no-"), let p = command.params.first(where: { $0.name == name.dropFirst(3) && $0.type == .bool }) {
                param = p
                negated = true
            }
            guard let param else {
                if let takesValue = globalOptions[name] {
                    if takesValue {
                        guard let v = inline ?? (i < tokens.count ? tokens[i] : nil) else { throw usage("--\(name) needs a value") }
                        if inline == nil { try refuseFlagAsValue(v, for: name); i += 1 }
                        globals.append((name, v))
                    } else {
                        globals.append((name, inline))
                    }
                    continue
                }
                throw usage("unknown flag --\(name)")
            }
            func value() throws(CLIError) -> String {
                if let inline { return inline }
                guard i < tokens.count else { throw usage("--\(param.name) needs a value (\(param.type.rawValue))") }
                try refuseFlagAsValue(tokens[i], for: param.name)
                i += 1
                return tokens[i - 1]
            }
            switch param.type {
            case .bool:
                if negated { args[param.name] = .bool(false); continue }
                guard let inline else { args[param.name] = .bool(true); continue }
                switch inline.lowercased() {
                case "true", "yes", "1": args[param.name] = .bool(true)
                case "false", "no", "0": args[param.name] = .bool(false)
                default: throw usage("--\(param.name) is a switch; give it alone or as --\(param.name)=true|false")
                }
            case .int:
                let v = try value()
                guard let n = Int(v) else { throw usage("--\(param.name) expects an integer, got '\(v)'") }
                args[param.name] = .int(n)
            case .string:
                args[param.name] = .string(try value())
            case .path:
                args[param.name] = .string(try value())  // made absolute with the defaults, below
            case .list:
                let items = try value().split(separator: ",").map { JSONValue.string(String($0).trimmingCharacters(in: .whitespaces)) }
                lists[param.name, default: []].append(contentsOf: items)
            }
        }
        for (name, items) in lists { args[name] = .array(items) }
        do {
            return (try command.checkArguments(args, resolvingPathsAgainst: workingDirectory), globals)
        } catch {
            throw usage("--\(error.field): \(error.reason)")
        }
    }

    /// `--label --format json` must not read `--format` as the label: a value that is itself one of this command's
    /// flags (or a host option) is refused; `--label=--format` passes it on purpose.
    private func refuseFlagAsValue(_ value: String, for name: String) throws(CLIError) {
        guard value.hasPrefix("--") else { return }
        var flag = String(value.dropFirst(2))
        if let eq = flag.firstIndex(of: "=") { flag = String(flag[..<eq]) }
        let known = globalOptions[flag] != nil || command.params.contains { $0.name == flag }
            || (flag.hasPrefix("no-") && command.params.contains { $0.name == flag.dropFirst(3) && $0.type == .bool })
        guard known else { return }
        throw usage("--\(name) needs a value, but the next word is the flag \(value); to pass it as the value, write --\(name)=\(value)")
    }

    private func usage(_ message: String) -> CLIError {
        .usage("\(message) for '\(pluginName) \(command.name)'.\n\n" + FlagMapping.help(for: command, plugin: pluginName))
    }

    /// The flags of a command, as `contsec describe` and usage errors show them.
    public static func help(for command: CommandSpec, plugin: String) -> String {
        var lines = ["Usage: contsec run \(plugin) \(command.name)\(command.params.isEmpty ? "" : " [flags]")",
                     "  \(command.description)"]
        if command.longRunning {
            lines.append("  Runs until stopped (Ctrl-C or SIGTERM); no timeout unless --timeout / --idle-timeout is given.")
        }
        if !command.params.isEmpty {
            lines.append("Flags:")
            for p in command.params {
                var flag = "--\(p.name)"
                if p.type != .bool { flag += " \(p.allowed.map { $0.joined(separator: "|") } ?? p.type.rawValue.uppercased())" }
                var text = p.description
                if p.required { text += " (required)" }
                // A switch that is off unless given needs no "(default: false)".
                if let d = p.default, !d.isNull, !(p.type == .bool && d == .bool(false)) {
                    text += " (default: \(d.stringValue ?? d.description))"
                }
                if p.type == .list { text += " (repeat or comma-separate)" }
                let padded = flag.count < 28 ? flag + String(repeating: " ", count: 28 - flag.count) : flag + "  "
                lines.append("  \(padded)\(text)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
