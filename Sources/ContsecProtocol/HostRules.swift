/// What the host accepts from a plugin: the ONE definition of every constraint the host enforces. `PluginRun` and
/// `PluginConnection` apply it in every real run, and `contsec plugin test` checks plugins against it, so the kit
/// can never pass a plugin that real runs reject. The JSON Schemas state the same rules for authors; where a rule
/// is one JSON Schema cannot express (bytes rather than characters, unique names), this is the authority.
public enum HostRules {
    /// Plugin, command and parameter names (PROTOCOL.md §6, §7).
    public static let namePattern = "^[a-z][a-z0-9-]*$"
    public static let maxNameLength = 64

    public static func isValidName(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard let first = u.first, (0x61...0x7A).contains(first), u.count <= maxNameLength else { return false }
        return u.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    /// A plugin → host notification the host understands.
    public enum Notification: Sendable {
        case finding(Finding)
        case action(Action)
        case progress(ProgressUpdate)
        case log(LogMessage)
    }

    /// The methods a plugin may send (all notifications; plugins send no requests in 1.0 or 1.1).
    public static let notificationMethods: Set<String> = [Method.finding, Method.action, Method.progress, Method.log]

    /// Reads a notification; nil when the method is not one of ``notificationMethods`` (the host ignores it with
    /// a warning, §4). Throws naming the field when the host rejects it.
    public static func notification(_ method: String, _ params: JSONValue?) throws(ValidationError) -> Notification? {
        let p = params ?? .object([:])
        switch method {
        case Method.finding: return .finding(try Finding(json: p))
        case Method.action: return .action(try Action(json: p))
        case Method.progress: return .progress(try ProgressUpdate(json: p))
        case Method.log: return .log(try LogMessage(json: p))
        default: return nil
        }
    }

    /// Reads the `run` result (§8, with its table rules).
    public static func runResult(_ v: JSONValue) throws(ValidationError) -> RunResult {
        try v.decode(RunResult.self, what: "run result")
    }

    /// Reads and checks the `initialize` result against what the host offered (§6, §7).
    public static func initializeResult(_ v: JSONValue, offered: [String]) throws(ValidationError) -> InitializeResult {
        let r = try v.decode(InitializeResult.self, what: "initialize result")
        func bad(_ field: String, _ reason: String) -> ValidationError { ValidationError(field: "initialize result.\(field)", reason: reason) }
        guard offered.contains(r.protocolVersion) else {
            throw bad("protocolVersion", "'\(r.protocolVersion)' was not offered (offered: \(offered.joined(separator: ", ")))")
        }
        guard isValidName(r.plugin.name) else { throw bad("plugin.name", "'\(r.plugin.name)' does not match \(namePattern) (at most \(maxNameLength) characters)") }
        guard !r.plugin.version.isEmpty else { throw bad("plugin.version", "must not be empty") }
        guard !r.commands.isEmpty else { throw bad("commands", "the plugin declares no command") }
        var commandNames = Set<String>()
        for (i, c) in r.commands.enumerated() {
            guard isValidName(c.name) else { throw bad("commands[\(i)].name", "'\(c.name)' does not match \(namePattern)") }
            guard commandNames.insert(c.name).inserted else { throw bad("commands[\(i)].name", "'\(c.name)' is declared twice") }
            var paramNames = Set<String>()
            for (j, p) in c.params.enumerated() {
                let field = "commands[\(i)].params[\(j)]"
                guard isValidName(p.name) else { throw bad("\(field).name", "'\(p.name)' does not match \(namePattern)") }
                guard paramNames.insert(p.name).inserted else { throw bad("\(field).name", "'\(p.name)' is declared twice in \(c.name)") }
                if let allowed = p.allowed {
                    guard p.type == .string || p.type == .list else { throw bad("\(field).enum", "only string and list parameters take enum") }
                    guard !allowed.isEmpty else { throw bad("\(field).enum", "must list at least one value") }
                }
                if let d = p.default, !d.isNull {
                    do { _ = try p.check(d) } catch { throw bad("\(field).default", error.reason) }
                }
            }
        }
        if let rules = r.rules {
            guard rules.count <= RuleSpec.maxRules else { throw bad("rules", "\(rules.count) rules is over the limit of \(RuleSpec.maxRules)") }
            var ids = Set<String>()
            for (i, rule) in rules.enumerated() {
                try rule.validate(at: "initialize result.rules[\(i)]")
                guard ids.insert(rule.id).inserted else { throw bad("rules[\(i)].id", "'\(rule.id.prefix(64))' is declared twice") }
            }
        }
        let defaults = r.commands.filter(\.isDefault)
        guard defaults.count <= 1 else {
            throw bad("commands", "\(defaults.count) commands are marked default (\(defaults.map(\.name).joined(separator: ", "))); at most one may be")
        }
        return r
    }
}
