/// A plugin's identity and the commands it offers. Pass one to ``PluginRunner/main(_:)``.
public struct Plugin: Sendable {
    public var name: String
    public var version: String
    public var vendor: String?
    public var description: String
    public var commands: [Command]
    /// Protocol versions this plugin speaks; the kit's own by default.
    public var protocolVersions: [String]
    /// The rules its findings may carry, with their own text (protocol 1.1): SARIF's `tool.driver.rules` and other
    /// reports describe each rule by this instead of by the first finding that used it.
    public var rules: [RuleSpec]

    /// - Parameters:
    ///   - name: the plugin's name, `^[a-z][a-z0-9-]*$`; its executable is `contsec-<name>`.
    ///   - version: the plugin's own version, shown by `contsec plugins`.
    ///   - vendor: who makes it.
    ///   - description: one line for `contsec plugins` and `contsec describe`.
    ///   - commands: what it can do; mark one `isDefault` to run it when the user names no command.
    ///   - rules: the rules its findings may carry (id, title, description, remediation, help URL, severity).
    public init(name: String, version: String, vendor: String? = nil, description: String, commands: [Command],
                rules: [RuleSpec] = [], protocolVersions: [String] = ProtocolInfo.supportedVersions) {
        self.rules = rules
        self.name = name
        self.version = version
        self.vendor = vendor
        self.description = description
        self.commands = commands
        self.protocolVersions = protocolVersions
    }
}

/// One command: its declared parameters and the handler that runs it.
public struct Command: Sendable {
    public var spec: CommandSpec
    public var handler: @Sendable (RunContext) async throws -> RunOutcome

    /// - Parameters:
    ///   - name: the command's name as users type it (`contsec run <plugin> <name>`).
    ///   - isDefault: run this command when the user names none.
    ///   - params: typed parameters; the host maps `--flags` onto them and the kit checks them before `handler` runs.
    ///   - longRunning: the command runs until stopped (an exporter, a monitor; protocol 1.1). The host applies no
    ///     timeout unless the user gives one and stops it with `cancel` on Ctrl-C or SIGTERM. The handler should
    ///     then wind down and return its normal outcome (a summary of what it did) within
    ///     ``PluginRunner/longRunningStopGrace``; the kit answers -32800 for it if it does not.
    ///   - handler: does the work; emits through the context, returns an outcome, or throws a ``PluginError``.
    public init(name: String, description: String, isDefault: Bool = false, params: [ParamSpec] = [],
                longRunning: Bool = false,
                handler: @escaping @Sendable (RunContext) async throws -> RunOutcome) {
        spec = CommandSpec(name: name, description: description, isDefault: isDefault, params: params, longRunning: longRunning)
        self.handler = handler
    }
}

/// How a command ended.
public enum RunOutcome: Sendable {
    /// Done. `summary` is free-form (counts, settings) and lands in reports; `table` is data the command returns
    /// (a rule list, a catalogue, a matrix) and every report format renders it, the terminal table included.
    ///
    /// ```swift
    /// return .ok(summary: ["count": .int(rules.count)],
    ///            table: ResultTable(title: "rules", columns: [.init("id", "ID"), .init("title", "TITLE")],
    ///                               rows: rules.map { ["id": .string($0.id), "title": .string($0.title)] }))
    /// ```
    case ok(summary: [String: JSONValue] = [:], table: ResultTable? = nil)
    /// A gate inside the plugin tripped (e.g. `--block-critical`): the host exits with its "gate tripped" code.
    case gateTripped(message: String, summary: [String: JSONValue] = [:], table: ResultTable? = nil)

    /// The `run` result for a session that negotiated `version`: protocol 1.0 has no `table` member, so there the
    /// table travels inside `summary` (free-form in 1.0) and an older host still reports the data.
    func result(protocolVersion version: String) -> RunResult {
        var r: RunResult
        switch self {
        case .ok(let s, let t): r = RunResult(status: .ok, summary: s, table: t)
        case .gateTripped(let m, let s, let t): r = RunResult(status: .gateTripped, message: m, summary: s, table: t)
        }
        if let t = r.table, !ProtocolInfo.supports(.tableResults, version: version) {
            r.summary["table"] = t.json
            r.table = nil
        }
        return r
    }
}

/// Errors a handler throws to fail a run with a specific protocol error code.
public enum PluginError: Error, Sendable, CustomStringConvertible {
    /// An external program is missing; `install` says how to get it (e.g. "apt-get install strace").
    case toolMissing(tool: String, install: String)
    /// Something the command needs is not there (daemon down, file missing); say what to do.
    case preconditionFailed(String)
    /// A parameter value is unusable.
    case invalidParams(param: String, message: String)
    /// Any other failure.
    case failed(String)
    /// The run was cancelled (see ``RunContext/checkCancellation()``).
    case cancelled

    public var description: String { rpcError.message }

    var rpcError: RPCError {
        switch self {
        case .toolMissing(let tool, let install):
            return RPCError(.toolMissing, "\(tool) is not installed: \(install)", data: ["tool": .string(tool), "install": .string(install)])
        case .preconditionFailed(let m): return RPCError(.preconditionFailed, m)
        case .invalidParams(let p, let m): return RPCError(.invalidParams, "--\(p): \(m)", data: ["param": .string(p)])
        case .failed(let m): return RPCError(.runFailed, m)
        case .cancelled: return RPCError(.cancelled, "cancelled")
        }
    }
}
