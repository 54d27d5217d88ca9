/// One syscall whose treatment differs between two profiles on one architecture.
public struct SyscallChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added, removed, changed }
    public var architecture: Architecture
    public var syscall: String
    /// `added`: allowed only by the second profile; `removed`: only by the first; `changed`: allowed by both but
    /// under different conditions (arguments, errno).
    public var kind: Kind
    /// The rules that apply, rendered ("SCMP_ACT_ALLOW if arg0 == 2"); "(default action)" when none does.
    public var before: String
    public var after: String
}

/// Compares what two profiles let a container do, per architecture, after includes/excludes are resolved for the
/// same capabilities and kernel: two files laid out differently but equivalent have no differences.
public enum ProfileDiff {
    public static func compare(_ a: SeccompProfile, _ b: SeccompProfile, architectures: [Architecture] = Architecture.native,
                               capabilities: Set<String> = FilterContext.dockerDefaultCapabilities,
                               kernel: KernelVersion? = nil) -> [SyscallChange] {
        var changes: [SyscallChange] = []
        for arch in architectures {
            let context = FilterContext(architecture: arch, capabilities: capabilities, kernel: kernel)
            let from = EffectiveFilter(a, context: context), to = EffectiveFilter(b, context: context)
            let names = Set(arch.table.numbers.keys).union(arch.companion?.table.numbers.keys.map { $0 } ?? [])
            for name in names.sorted() {
                let before = from.permits(name), after = to.permits(name)
                let beforeRules = render(from, name), afterRules = render(to, name)
                if before && !after {
                    changes.append(SyscallChange(architecture: arch, syscall: name, kind: .removed, before: beforeRules, after: afterRules))
                } else if !before && after {
                    changes.append(SyscallChange(architecture: arch, syscall: name, kind: .added, before: beforeRules, after: afterRules))
                } else if before && after && beforeRules != afterRules {
                    changes.append(SyscallChange(architecture: arch, syscall: name, kind: .changed, before: beforeRules, after: afterRules))
                }
            }
        }
        return changes
    }

    static func render(_ filter: EffectiveFilter, _ name: String) -> String {
        guard let rules = filter.rules[name] else {
            return "(default action \(filter.defaultAction)\(filter.defaultErrnoRet.map { "(\($0))" } ?? ""))"
        }
        return rules.map(\.description).joined(separator: "; ")
    }
}
