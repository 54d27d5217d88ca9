import ContsecProtocol

/// A profile file that cannot be used, with the JSON path of the problem (`syscalls[3].names[1]`).
public struct ProfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the document: `syscalls[3].action`, or "" for the document itself.
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Reads seccomp profile JSON into a ``SeccompProfile``, checking the shape the engine expects. Keys the engine
/// would ignore (a typo such as `syscals`) are not errors but are returned as ``Parsed/ignoredKeys``, because a
/// misspelled key silently loses its rules.
public enum ProfileParser {
    public struct Parsed: Sendable {
        public var profile: SeccompProfile
        /// JSON paths of keys the engine does not know.
        public var ignoredKeys: [String]
    }

    static let topKeys: Set<String> = ["defaultAction", "defaultErrnoRet", "archMap", "architectures", "syscalls",
                                       "flags", "listenerPath", "listenerMetadata"]
    static let ruleKeys: Set<String> = ["name", "names", "action", "errnoRet", "args", "comment", "includes", "excludes"]
    static let argKeys: Set<String> = ["index", "value", "valueTwo", "op"]
    static let filterKeys: Set<String> = ["caps", "arches", "minKernel"]

    public static func parse(_ text: String) throws -> Parsed {
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch {
            throw ProfileError(path: "", message: "not valid JSON: \(error)")
        }
        var ignored: [String] = []
        let top = try object(json, "")
        ignored += unknownKeys(top, topKeys, "")
        guard let action = top["defaultAction"] else {
            throw ProfileError(path: "defaultAction", message: "missing: every profile needs a default action (e.g. SCMP_ACT_ERRNO)")
        }
        var profile = SeccompProfile(defaultAction: try actionName(action, "defaultAction"))
        profile.defaultErrnoRet = try top["defaultErrnoRet"].map { try nonNegative($0, "defaultErrnoRet") }
        if let map = top["archMap"], !map.isNull {
            for (i, entry) in try array(map, "archMap").enumerated() {
                let path = "archMap[\(i)]"
                let o = try object(entry, path)
                ignored += unknownKeys(o, ["architecture", "subArchitectures"], path)
                guard let arch = o["architecture"] else { throw ProfileError(path: "\(path).architecture", message: "missing") }
                let subs = try o["subArchitectures"].map { try strings($0, "\(path).subArchitectures") } ?? []
                profile.archMap.append(.init(try architecture(arch, "\(path).architecture"), subs))
                for (j, sub) in subs.enumerated() { _ = try architecture(.string(sub), "\(path).subArchitectures[\(j)]") }
            }
        }
        if let list = top["architectures"], !list.isNull {
            profile.architectures = try strings(list, "architectures")
            for (i, arch) in profile.architectures.enumerated() { _ = try architecture(.string(arch), "architectures[\(i)]") }
        }
        if let flags = top["flags"], !flags.isNull { profile.flags = try strings(flags, "flags") }
        if let rules = top["syscalls"], !rules.isNull {
            for (i, rule) in try array(rules, "syscalls").enumerated() {
                let (parsed, keys) = try syscallRule(rule, "syscalls[\(i)]")
                profile.syscalls.append(parsed)
                ignored += keys
            }
        }
        return Parsed(profile: profile, ignoredKeys: ignored)
    }

    static func syscallRule(_ value: JSONValue, _ path: String) throws -> (SyscallRule, [String]) {
        let o = try object(value, path)
        var ignored = unknownKeys(o, ruleKeys, path)
        var names = try o["names"].map { try strings($0, "\(path).names") } ?? []
        if let single = o["name"], !single.isNull { names.insert(try string(single, "\(path).name"), at: 0) }
        guard !names.isEmpty else {
            throw ProfileError(path: "\(path).names", message: "a rule must name at least one syscall")
        }
        for (i, name) in names.enumerated() where name.isEmpty {
            throw ProfileError(path: "\(path).names[\(i)]", message: "empty syscall name")
        }
        guard let action = o["action"] else { throw ProfileError(path: "\(path).action", message: "missing") }
        var rule = SyscallRule(names: names, action: try actionName(action, "\(path).action"))
        rule.errnoRet = try o["errnoRet"].map { try nonNegative($0, "\(path).errnoRet") }
        if let comment = o["comment"], !comment.isNull { rule.comment = try string(comment, "\(path).comment") }
        if let args = o["args"], !args.isNull {
            for (i, arg) in try array(args, "\(path).args").enumerated() {
                let argPath = "\(path).args[\(i)]"
                let a = try object(arg, argPath)
                ignored += unknownKeys(a, argKeys, argPath)
                guard let index = a["index"] else { throw ProfileError(path: "\(argPath).index", message: "missing") }
                let i = try nonNegative(index, "\(argPath).index")
                guard i < 6 else { throw ProfileError(path: "\(argPath).index", message: "\(i) is not an argument index (0-5)") }
                guard let op = a["op"] else { throw ProfileError(path: "\(argPath).op", message: "missing") }
                let opName = try string(op, "\(argPath).op")
                guard SeccompVocabulary.operators.contains(opName) else {
                    throw ProfileError(path: "\(argPath).op",
                                       message: "unknown operator \(opName) (one of \(SeccompVocabulary.operators.sorted().joined(separator: ", ")))")
                }
                rule.args.append(ArgumentCondition(index: i, value: try unsigned(a["value"] ?? .int(0), "\(argPath).value"),
                                                   valueTwo: try unsigned(a["valueTwo"] ?? .int(0), "\(argPath).valueTwo"),
                                                   op: opName))
            }
        }
        for key in ["includes", "excludes"] {
            guard let f = o[key], !f.isNull else { continue }
            let fo = try object(f, "\(path).\(key)")
            ignored += unknownKeys(fo, filterKeys, "\(path).\(key)")
            var filter = RuleFilter()
            filter.caps = try fo["caps"].map { try strings($0, "\(path).\(key).caps") } ?? []
            filter.arches = try fo["arches"].map { try strings($0, "\(path).\(key).arches") } ?? []
            if let k = fo["minKernel"], !k.isNull {
                let text = try string(k, "\(path).\(key).minKernel")
                guard KernelVersion(text) != nil else {
                    throw ProfileError(path: "\(path).\(key).minKernel", message: "'\(text)' is not a kernel version such as 4.8")
                }
                filter.minKernel = text
            }
            if key == "includes" { rule.includes = filter } else { rule.excludes = filter }
        }
        return (rule, ignored)
    }

    // MARK: - Typed reads with paths

    static func object(_ v: JSONValue, _ path: String) throws -> [String: JSONValue] {
        guard let o = v.objectValue else { throw ProfileError(path: path, message: "expected an object, got \(v.typeName)") }
        return o
    }

    static func array(_ v: JSONValue, _ path: String) throws -> [JSONValue] {
        guard let a = v.arrayValue else { throw ProfileError(path: path, message: "expected an array, got \(v.typeName)") }
        return a
    }

    static func string(_ v: JSONValue, _ path: String) throws -> String {
        guard let s = v.stringValue else { throw ProfileError(path: path, message: "expected a string, got \(v.typeName)") }
        return s
    }

    static func strings(_ v: JSONValue, _ path: String) throws -> [String] {
        if v.isNull { return [] }
        var out: [String] = []
        for (i, item) in try array(v, path).enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    static func nonNegative(_ v: JSONValue, _ path: String) throws -> Int {
        guard let i = v.intValue, i >= 0 else {
            throw ProfileError(path: path, message: "expected a non-negative integer, got \(v.typeName == "an integer" ? "\(v)" : v.typeName)")
        }
        return i
    }

    static func unsigned(_ v: JSONValue, _ path: String) throws -> UInt64 {
        switch v {
        case .int(let i) where i >= 0: return UInt64(i)
        // Past Int.max the JSON reader gives a double; 2^64 - 1 rounds up to 2^64 there.
        case .double(let d) where d >= 0 && d == d.rounded() && d <= 0x1p64:
            return d >= 0x1p64 ? UInt64.max : UInt64(d)
        default: throw ProfileError(path: path, message: "expected an unsigned 64-bit integer, got \(v)")
        }
    }

    static func actionName(_ v: JSONValue, _ path: String) throws -> String {
        let name = try string(v, path)
        guard SeccompVocabulary.actions.contains(name) else {
            throw ProfileError(path: path, message: "unknown action \(name) (one of \(SeccompVocabulary.actions.sorted().joined(separator: ", ")))")
        }
        return name
    }

    static func architecture(_ v: JSONValue, _ path: String) throws -> String {
        let name = try string(v, path)
        guard SeccompVocabulary.architectures.contains(name) else {
            throw ProfileError(path: path, message: "unknown architecture \(name) (e.g. SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64)")
        }
        return name
    }

    static func unknownKeys(_ o: [String: JSONValue], _ known: Set<String>, _ path: String) -> [String] {
        o.keys.filter { !known.contains($0) }.sorted().map { path.isEmpty ? $0 : "\(path).\($0)" }
    }
}

/// A kernel version such as "4.8" or "5.10.2", compared numerically.
public struct KernelVersion: Sendable, Comparable, CustomStringConvertible {
    public var parts: [Int]
    public init?(_ text: String) {
        let numeric = text.prefix(while: { $0.isNumber || $0 == "." })
        let parts = numeric.split(separator: ".").compactMap { Int($0) }
        guard !parts.isEmpty else { return nil }
        self.parts = parts
    }
    public static func < (a: Self, b: Self) -> Bool {
        for i in 0..<max(a.parts.count, b.parts.count) {
            let x = i < a.parts.count ? a.parts[i] : 0, y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }
    public static func == (a: Self, b: Self) -> Bool { !(a < b) && !(b < a) }
    public var description: String { parts.map(String.init).joined(separator: ".") }
}
