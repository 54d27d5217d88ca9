import Foundation
import ContsecProtocol
import YAMLReader

/// A workflow file: plugin steps with dependencies, run in one invocation with one report (README, "Workflows").
public struct Workflow: Sendable {
    public enum FailurePolicy: String, Sendable {
        /// Start nothing new once this step fails; what has not started is skipped.
        case stop
        /// Carry on: later steps, including those that need this one, still run.
        case `continue`
    }

    public struct Step: Sendable {
        public var id: String
        public var plugin: String
        public var command: String?
        public var args: [String: JSONValue]
        public var needs: [String]
        public var onFailure: FailurePolicy
        public var timeout: TimeInterval?
    }

    public var name: String
    public var maxParallel: Int
    public var steps: [Step]
    /// The folder of the workflow file: relative `path` arguments are taken from there.
    public var baseDirectory: String

    /// Reads and checks a workflow. Errors name the file, the step and the field.
    public init(contentsOf path: String) throws(CLIError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.usage("cannot read workflow file \(path): no such file or not readable")
        }
        let json: JSONValue
        if path.hasSuffix(".json") {
            do { json = try JSONParser.parse([UInt8](data)) } catch {
                throw CLIError.usage("workflow \(path) is not valid JSON: \(error)")
            }
        } else if path.hasSuffix(".yaml") || path.hasSuffix(".yml") {
            let docs: [YAMLNode]
            do { docs = try YAMLReader.parse(bytes: [UInt8](data)) } catch {
                throw CLIError.usage("workflow \(path) is not valid YAML: \(error)")
            }
            guard docs.count == 1 else { throw CLIError.usage("workflow \(path): expected one YAML document, found \(docs.count)") }
            json = Self.json(docs[0].value)
        } else {
            throw CLIError.usage("workflow \(path): name it .json, .yaml or .yml")
        }
        try self.init(json: json, file: path)
    }

    static func json(_ v: YAMLValue) -> JSONValue {
        switch v {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .array(let a): return .array(a.map(json))
        case .object(let pairs): return .object(Dictionary(pairs.map { ($0.0, json($0.1)) }, uniquingKeysWith: { _, last in last }))
        }
    }

    public init(json: JSONValue, file: String) throws(CLIError) {
        func bad(_ what: String) -> CLIError { .usage("workflow \(file): \(what)") }
        guard case .object(let o) = json else { throw bad("expected an object with \"steps\"") }
        let known: Set = ["name", "maxParallel", "steps", "description"]
        if let extra = o.keys.first(where: { !known.contains($0) }) { throw bad("unknown field '\(extra)' (fields: \(known.sorted().joined(separator: ", ")))") }
        name = o["name"]?.stringValue ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        maxParallel = o["maxParallel"]?.intValue ?? 2
        guard maxParallel >= 1 && maxParallel <= 64 else { throw bad("maxParallel must be between 1 and 64") }
        baseDirectory = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent().path
        guard case .array(let rawSteps)? = o["steps"], !rawSteps.isEmpty else { throw bad("\"steps\" must be a non-empty array") }
        guard rawSteps.count <= Self.maxSteps else {
            throw bad("\(rawSteps.count) steps is over the limit of \(Self.maxSteps); split the workflow into several files")
        }
        var steps: [Step] = []
        var ids = Set<String>()
        let stepFields: Set = ["id", "plugin", "command", "args", "needs", "onFailure", "timeout", "description"]
        for (i, raw) in rawSteps.enumerated() {
            guard case .object(let s) = raw else { throw bad("steps[\(i)] must be an object") }
            if let extra = s.keys.first(where: { !stepFields.contains($0) }) {
                throw bad("steps[\(i)]: unknown field '\(extra)' (fields: \(stepFields.sorted().joined(separator: ", ")))")
            }
            guard let plugin = s["plugin"]?.stringValue else { throw bad("steps[\(i)]: \"plugin\" is required") }
            let id = s["id"]?.stringValue ?? plugin
            guard PluginDiscovery.isValidName(id) else { throw bad("steps[\(i)]: id '\(id)' must match \(PluginDiscovery.namePattern)") }
            if !ids.insert(id).inserted { throw bad("two steps have the id '\(id)'; give each an \"id\"") }
            var args: [String: JSONValue] = [:]
            if let a = s["args"] {
                guard case .object(let ao) = a else { throw bad("step '\(id)': \"args\" must be an object") }
                args = ao
            }
            let needs: [String]
            switch s["needs"] {
            case nil: needs = []
            case .string(let one)?: needs = [one]
            case .array(let many)?:
                needs = many.compactMap(\.stringValue)
                if needs.count != many.count { throw bad("step '\(id)': \"needs\" must list step ids") }
            default: throw bad("step '\(id)': \"needs\" must be a step id or a list of them")
            }
            var policy = FailurePolicy.stop
            if let f = s["onFailure"] {
                guard let p = f.stringValue.flatMap(FailurePolicy.init(rawValue:)) else {
                    throw bad("step '\(id)': \"onFailure\" must be \"stop\" or \"continue\"")
                }
                policy = p
            }
            var timeout: TimeInterval?
            if let t = s["timeout"] {
                guard let seconds = t.doubleValue else { throw bad("step '\(id)': \"timeout\" must be a number of seconds") }
                if let problem = DurationLimit.problem(seconds) { throw bad("step '\(id)': \"timeout\" \(problem)") }
                timeout = seconds
            }
            steps.append(Step(id: id, plugin: plugin, command: s["command"]?.stringValue, args: args, needs: needs,
                              onFailure: policy, timeout: timeout))
        }
        for s in steps {
            for n in s.needs where !ids.contains(n) {
                throw bad("step '\(s.id)' needs '\(n)', which is not a step (steps: \(steps.map(\.id).joined(separator: ", ")))")
            }
        }
        self.steps = steps
        if let cycle = Self.findCycle(steps) { throw bad("the steps' needs form a cycle: \(cycle.joined(separator: " → "))") }
    }

    /// Most steps in one workflow: a limit far above any real pipeline, so a generated file cannot make the checks
    /// and the scheduler slow.
    public static let maxSteps = 1000

    /// A cycle among the steps' needs, as the ids along it, or nil. Kahn's algorithm, then a walk inside what is
    /// left: iterative, so a 70,000-step chain cannot exhaust the stack.
    static func findCycle(_ steps: [Step]) -> [String]? {
        var waiting: [String: Int] = [:]
        var dependents: [String: [String]] = [:]
        for s in steps {
            waiting[s.id] = s.needs.count
            for n in s.needs { dependents[n, default: []].append(s.id) }
        }
        var ready = steps.filter { $0.needs.isEmpty }.map(\.id)
        var done = 0
        while let id = ready.popLast() {
            done += 1
            for d in dependents[id] ?? [] {
                waiting[d]! -= 1
                if waiting[d] == 0 { ready.append(d) }
            }
        }
        guard done < steps.count else { return nil }
        // Every step left waits on another step left: following needs from any of them must come back round.
        let byId = Dictionary(uniqueKeysWithValues: steps.map { ($0.id, $0) })
        var path: [String] = []
        var position: [String: Int] = [:]
        var current = steps.first { waiting[$0.id]! > 0 }!.id
        while position[current] == nil {
            position[current] = path.count
            path.append(current)
            current = byId[current]!.needs.first { waiting[$0]! > 0 }!
        }
        return Array(path[position[current]!...]) + [current]
    }

    /// Args as the plugin expects them: `path` params made absolute against the workflow's folder, then checked.
    func resolvedArgs(_ step: Step, for command: CommandSpec) throws(ValidationError) -> [String: JSONValue] {
        try command.checkArguments(step.args, resolvingPathsAgainst: baseDirectory)
    }
}
