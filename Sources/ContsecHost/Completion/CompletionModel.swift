import Foundation
import ContsecProtocol

/// Everything a shell completion script knows: contsec's own commands and options, and each plugin's commands and
/// typed flags. Built once, when the script is generated (`contsec completion bash|zsh|fish`); the scripts carry it
/// as data, so completing a word executes nothing — neither contsec nor a plugin.
public struct CompletionModel: Sendable {
    /// What follows an option.
    public enum Value: Sendable, Equatable {
        /// A switch: nothing follows.
        case none
        /// Free text or a number: nothing to offer.
        case text
        case file
        case directory
        /// One of these values; `list`: a comma-separated list of them.
        case choices([String], list: Bool)
    }

    public struct Option: Sendable {
        public var name: String
        public var value: Value
        public var description: String
        public init(_ name: String, _ value: Value, _ description: String) {
            self.name = name
            self.value = value
            self.description = CompletionModel.oneLine(description)
        }
    }

    /// A positional argument of one of contsec's own commands.
    public enum Argument: Sendable, Equatable {
        case none
        case plugin
        case file
        case pluginOrFile
        /// A plugin `contsec plugin install` installed (in the user folder).
        case installedPlugin
        /// One of contsec's commands, or a plugin.
        case commandOrPlugin
        case words([String])
    }

    public struct HostCommand: Sendable {
        public var name: String
        public var description: String
        public var argument: Argument
        /// Options of this command beyond the global ones.
        public var options: [Option]
        public var subcommands: [HostCommand]
        public init(_ name: String, _ description: String, argument: Argument = .none, options: [Option] = [], subcommands: [HostCommand] = []) {
            self.name = name
            self.description = CompletionModel.oneLine(description)
            self.argument = argument
            self.options = options
            self.subcommands = subcommands
        }
    }

    public struct PluginCommand: Sendable {
        public var name: String
        public var description: String
        public var isDefault: Bool
        public var options: [Option]
    }

    public struct Plugin: Sendable {
        public var name: String
        public var description: String
        /// Installed with `contsec plugin install` (so `plugin uninstall` can remove it).
        public var userInstalled: Bool
        /// Empty when the plugin could not be asked (refused, broken, or a handshake that failed).
        public var commands: [PluginCommand]
        public var defaultCommand: PluginCommand? { commands.first { $0.isDefault } }
    }

    public var version: String
    public var commands: [HostCommand]
    public var globalOptions: [Option]
    public var plugins: [Plugin]

    public init(version: String, commands: [HostCommand], globalOptions: [Option], plugins: [Plugin]) {
        self.version = version
        self.commands = commands
        self.globalOptions = globalOptions
        self.plugins = plugins
    }

    /// The plugins discovery found, with what each declared: from the declaration cache, else (when `ask`) from
    /// one handshake whose answer goes into the cache. Refused plugins are left out: they cannot run.
    public static func plugins(_ found: DiscoveryResult, cache: inout DeclarationCache, ask: Bool,
                               environment: [String: String] = ProcessInfo.processInfo.environment) -> [Plugin] {
        found.plugins.filter { $0.refusal == nil }.map { candidate in
            var info = cache.lookup(candidate)
            if info == nil && ask, case .success(let answer) = PluginRun.declaration(of: candidate, environment: environment) {
                cache.store(candidate, answer)
                info = answer
            }
            let defaultName = info?.defaultCommand?.name
            let commands = (info?.commands ?? []).map { c in
                PluginCommand(name: c.name, description: oneLine(c.description), isDefault: c.name == defaultName,
                              options: c.params.flatMap(options(for:)))
            }
            return Plugin(name: candidate.name, description: oneLine(info?.plugin.description ?? candidate.manifest?.description ?? ""),
                          userInstalled: candidate.source == "user", commands: commands)
        }
    }

    /// The flags a declared parameter gives: `--name` typed as declared, and `--no-name` for a switch that is on
    /// unless turned off (what `contsec run` accepts, ``FlagMapping``).
    static func options(for p: ParamSpec) -> [Option] {
        let value: Value
        if let allowed = p.allowed {
            value = .choices(allowed.filter(isSafeWord), list: p.type == .list)
        } else {
            switch p.type {
            case .bool: value = .none
            case .path: value = .file
            case .int, .string, .list: value = .text
            }
        }
        var result = [Option("--" + p.name, value, p.description)]
        if p.type == .bool && p.default == .bool(true) { result.append(Option("--no-" + p.name, .none, "Turn off --\(p.name)")) }
        return result
    }

    /// Values a script can carry unquoted in every shell: anything else is left out of completion (it can still be
    /// typed).
    static func isSafeWord(_ s: String) -> Bool {
        !s.isEmpty && s.unicodeScalars.allSatisfy { c in
            (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || "._:/@+=-".unicodeScalars.contains(c)
        }
    }

    /// The first line of a description, without control characters, at most 100 characters.
    static func oneLine(_ s: String) -> String {
        let first = s.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let clean = String(String.UnicodeScalarView(first.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
            .trimmingCharacters(in: .whitespaces)
        return clean.count > 100 ? String(clean.prefix(99)) + "…" : clean
    }

    // MARK: queries the generators share

    /// Every (plugin, command) pair, the default command included once under its own name.
    var pluginCommands: [(plugin: Plugin, command: PluginCommand)] {
        plugins.flatMap { p in p.commands.map { (p, $0) } }
    }

    /// Global options and those of contsec's own commands, each name once (the first declaration wins).
    var hostOptions: [Option] {
        var seen = Set<String>()
        return (globalOptions + commands.flatMap { $0.options + $0.subcommands.flatMap(\.options) }).filter { seen.insert($0.name).inserted }
    }
}

/// Quoting for the generated scripts.
enum ShellQuote {
    /// POSIX single quotes (bash, zsh).
    static func posix(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
    /// fish single quotes: only `\\` and `\'` are escapes.
    static func fish(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
