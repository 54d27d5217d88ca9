import ContsecProtocol

/// Writes a profile as Docker's own profile file is laid out (tab-indented, keys in Docker's order: defaultAction,
/// defaultErrnoRet, archMap, syscalls; in a rule names, comment, action, errnoRet, args, includes, excludes), so a
/// generated file reads and diffs like the default profile people already know.
public enum ProfileWriter {
    public static func text(_ profile: SeccompProfile) -> String {
        var top: [(String, Node)] = [("defaultAction", .string(profile.defaultAction))]
        if let errno = profile.defaultErrnoRet { top.append(("defaultErrnoRet", .number(String(errno)))) }
        if !profile.archMap.isEmpty {
            top.append(("archMap", .array(profile.archMap.map { entry in
                .object([("architecture", .string(entry.architecture)),
                         ("subArchitectures", entry.subArchitectures.isEmpty ? .null : .array(entry.subArchitectures.map(Node.string)))])
            })))
        }
        if !profile.architectures.isEmpty {
            top.append(("architectures", .array(profile.architectures.map(Node.string))))
        }
        if !profile.flags.isEmpty { top.append(("flags", .array(profile.flags.map(Node.string)))) }
        top.append(("syscalls", .array(profile.syscalls.map(rule))))
        var out = ""
        render(.object(top), indent: 0, into: &out)
        return out + "\n"
    }

    static func rule(_ r: SyscallRule) -> Node {
        var fields: [(String, Node)] = [("names", .array(r.names.map(Node.string)))]
        if let comment = r.comment { fields.append(("comment", .string(comment))) }
        fields.append(("action", .string(r.action)))
        if let errno = r.errnoRet { fields.append(("errnoRet", .number(String(errno)))) }
        if !r.args.isEmpty {
            fields.append(("args", .array(r.args.map { a in
                var o: [(String, Node)] = [("index", .number(String(a.index))), ("value", .number(String(a.value)))]
                if a.valueTwo != 0 { o.append(("valueTwo", .number(String(a.valueTwo)))) }
                o.append(("op", .string(a.op)))
                return .object(o)
            })))
        }
        for (key, filter) in [("includes", r.includes), ("excludes", r.excludes)] where !filter.isEmpty {
            var o: [(String, Node)] = []
            if !filter.caps.isEmpty { o.append(("caps", .array(filter.caps.map(Node.string)))) }
            if !filter.arches.isEmpty { o.append(("arches", .array(filter.arches.map(Node.string)))) }
            if let k = filter.minKernel { o.append(("minKernel", .string(k))) }
            fields.append((key, .object(o)))
        }
        return .object(fields)
    }

    indirect enum Node {
        case string(String)
        case number(String)
        case null
        case array([Node])
        case object([(String, Node)])
    }

    static func render(_ node: Node, indent: Int, into out: inout String) {
        let pad = String(repeating: "\t", count: indent), inner = String(repeating: "\t", count: indent + 1)
        switch node {
        case .string(let s):
            var bytes: [UInt8] = []
            JSONWriter.writeString(s, into: &bytes)
            out += String(decoding: bytes, as: UTF8.self)
        case .number(let n): out += n
        case .null: out += "null"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += inner
                render(item, indent: indent + 1, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            out += pad + "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in fields.enumerated() {
                out += inner
                render(.string(key), indent: 0, into: &out)
                out += ": "
                render(value, indent: indent + 1, into: &out)
                out += i == fields.count - 1 ? "\n" : ",\n"
            }
            out += pad + "}"
        }
    }
}
