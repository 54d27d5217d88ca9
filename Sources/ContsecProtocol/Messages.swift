import Foundation

/// `initialize` params (host → plugin).
public struct InitializeParams: Codable, Sendable, Hashable {
    public struct HostInfo: Codable, Sendable, Hashable {
        public var name: String
        public var version: String
        public var pid: Int
        public init(name: String, version: String, pid: Int) { self.name = name; self.version = version; self.pid = pid }
    }
    public struct Limits: Codable, Sendable, Hashable {
        public var maxMessageBytes: Int
        public init(maxMessageBytes: Int) { self.maxMessageBytes = maxMessageBytes }
    }
    public var protocolVersions: [String]
    public var host: HostInfo
    public var workspace: String
    public var dryRun: Bool
    public var verbose: Bool
    public var limits: Limits

    public init(protocolVersions: [String], host: HostInfo, workspace: String, dryRun: Bool, verbose: Bool, limits: Limits) {
        self.protocolVersions = protocolVersions
        self.host = host
        self.workspace = workspace
        self.dryRun = dryRun
        self.verbose = verbose
        self.limits = limits
    }
}

/// Who a plugin is.
public struct PluginInfo: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    public var vendor: String?
    public var description: String?
    public init(name: String, version: String, vendor: String? = nil, description: String? = nil) {
        self.name = name
        self.version = version
        self.vendor = vendor
        self.description = description
    }
}

/// The type of a command parameter, and so how the CLI parses its flag.
public enum ParamType: String, Codable, Sendable, CaseIterable {
    case string, int, bool, list, path
}

/// One declared parameter of a command.
public struct ParamSpec: Codable, Sendable, Hashable {
    public var name: String
    public var type: ParamType
    public var required: Bool
    public var `default`: JSONValue?
    public var description: String
    /// The only values allowed, when the parameter is an enumeration.
    public var allowed: [String]?

    enum CodingKeys: String, CodingKey { case name, type, required, `default`, description, allowed = "enum" }

    public init(name: String, type: ParamType, required: Bool = false, default: JSONValue? = nil,
                description: String, allowed: [String]? = nil) {
        self.name = name
        self.type = type
        self.required = required
        self.default = `default`
        self.description = description
        self.allowed = allowed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        type = try c.decode(ParamType.self, forKey: .type)
        required = try c.decodeIfPresent(Bool.self, forKey: .required) ?? false
        `default` = try c.decodeIfPresent(JSONValue.self, forKey: .default)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        allowed = try c.decodeIfPresent([String].self, forKey: .allowed)
    }
}

/// One command a plugin offers.
public struct CommandSpec: Codable, Sendable, Hashable {
    public var name: String
    public var description: String
    public var isDefault: Bool
    public var params: [ParamSpec]
    /// Runs until stopped (an exporter, a monitor, a dashboard: protocol 1.1). The host then applies no hard or
    /// idle timeout unless the user gives one, shows a live status line, and stops it with `cancel`.
    public var longRunning: Bool

    enum CodingKeys: String, CodingKey { case name, description, isDefault = "default", params, longRunning }

    public init(name: String, description: String, isDefault: Bool = false, params: [ParamSpec] = [], longRunning: Bool = false) {
        self.name = name
        self.description = description
        self.isDefault = isDefault
        self.params = params
        self.longRunning = longRunning
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        description = try c.decodeIfPresent(String.self, forKey: .description) ?? ""
        isDefault = try c.decodeIfPresent(Bool.self, forKey: .isDefault) ?? false
        params = try c.decodeIfPresent([ParamSpec].self, forKey: .params) ?? []
        longRunning = try c.decodeIfPresent(Bool.self, forKey: .longRunning) ?? false
    }

    /// Only `true` goes on the wire: a 1.0 command spec is unchanged.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(description, forKey: .description)
        try c.encode(isDefault, forKey: .isDefault)
        try c.encode(params, forKey: .params)
        if longRunning { try c.encode(true, forKey: .longRunning) }
    }
}

public struct Capabilities: Codable, Sendable, Hashable {
    public var cancel: Bool
    public var progress: Bool
    public var dryRun: Bool
    public init(cancel: Bool = true, progress: Bool = true, dryRun: Bool = true) {
        self.cancel = cancel
        self.progress = progress
        self.dryRun = dryRun
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cancel = try c.decodeIfPresent(Bool.self, forKey: .cancel) ?? false
        progress = try c.decodeIfPresent(Bool.self, forKey: .progress) ?? false
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
    }
}

/// `initialize` result (plugin → host).
public struct InitializeResult: Codable, Sendable, Hashable {
    public var protocolVersion: String
    public var plugin: PluginInfo
    public var commands: [CommandSpec]
    public var capabilities: Capabilities
    /// The rules the plugin's findings may carry (protocol 1.1; optional): their own text for reports.
    public var rules: [RuleSpec]?

    public init(protocolVersion: String, plugin: PluginInfo, commands: [CommandSpec], capabilities: Capabilities,
                rules: [RuleSpec]? = nil) {
        self.protocolVersion = protocolVersion
        self.plugin = plugin
        self.commands = commands
        self.capabilities = capabilities
        self.rules = rules
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        protocolVersion = try c.decode(String.self, forKey: .protocolVersion)
        plugin = try c.decode(PluginInfo.self, forKey: .plugin)
        commands = try c.decodeIfPresent([CommandSpec].self, forKey: .commands) ?? []
        capabilities = try c.decodeIfPresent(Capabilities.self, forKey: .capabilities) ?? Capabilities(cancel: false, progress: false, dryRun: false)
        rules = try c.decodeIfPresent([RuleSpec].self, forKey: .rules)
    }

    /// The command that runs when the user names none: the one marked default, or the only one.
    public var defaultCommand: CommandSpec? {
        commands.first(where: \.isDefault) ?? (commands.count == 1 ? commands[0] : nil)
    }
}

/// `run` params (host → plugin).
public struct RunParams: Codable, Sendable, Hashable {
    public var command: String
    public var args: [String: JSONValue]
    public init(command: String, args: [String: JSONValue]) { self.command = command; self.args = args }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        command = try c.decode(String.self, forKey: .command)
        args = try c.decodeIfPresent([String: JSONValue].self, forKey: .args) ?? [:]
    }
}

/// How a run ended, from the plugin's point of view.
public enum RunStatus: String, Codable, Sendable {
    case ok
    /// A gate inside the plugin tripped (e.g. `--block-critical`); the host exits with its gate code.
    case gateTripped = "gate-tripped"
}

/// `run` result (plugin → host).
public struct RunResult: Codable, Sendable, Hashable {
    public var status: RunStatus
    public var message: String?
    public var summary: [String: JSONValue]
    /// Data the command returns as a table (protocol 1.1): rule lists, catalogues, matrices.
    public var table: ResultTable?
    public init(status: RunStatus, message: String? = nil, summary: [String: JSONValue] = [:], table: ResultTable? = nil) {
        self.status = status
        self.message = message
        self.summary = summary
        self.table = table
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(RunStatus.self, forKey: .status)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        summary = try c.decodeIfPresent([String: JSONValue].self, forKey: .summary) ?? [:]
        table = try c.decodeIfPresent(ResultTable.self, forKey: .table)
    }
}

/// `cancel` params.
public struct CancelParams: Codable, Sendable, Hashable {
    public var id: JSONValue
    public init(id: RequestID) { self.id = id.json }
}

// Bridging between Codable wire types and JSONValue, for the messages that are not on a hot path.
extension JSONValue {
    /// Encodes any Codable value as a JSONValue.
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONParser.parse([UInt8](data))
    }

    /// Decodes this value as `T`; the error names the path of the offending field.
    public func decode<T: Decodable>(_ type: T.Type, what: String) throws(ValidationError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(JSONWriter.bytes(self)))
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw ValidationError(field: Self.path(what, ctx.codingPath + [key]), reason: "required")
        } catch let DecodingError.typeMismatch(_, ctx) {
            throw ValidationError(field: Self.path(what, ctx.codingPath), reason: ctx.debugDescription)
        } catch let DecodingError.valueNotFound(_, ctx) {
            throw ValidationError(field: Self.path(what, ctx.codingPath), reason: "required, got null")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw ValidationError(field: Self.path(what, ctx.codingPath), reason: ctx.debugDescription)
        } catch {
            throw ValidationError(field: what, reason: "\(error)")
        }
    }

    private static func path(_ root: String, _ keys: [CodingKey]) -> String {
        keys.reduce(root) { p, k in k.intValue.map { "\(p)[\($0)]" } ?? "\(p).\(k.stringValue)" }
    }
}
