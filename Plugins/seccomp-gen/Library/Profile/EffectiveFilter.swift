/// The conditions the engine evaluates a profile under: the host's architecture, the container's capability
/// bounding set and the kernel. Rules whose `includes`/`excludes` do not hold are dropped before the filter is
/// built, exactly as moby's `setupSeccomp` does, so two profiles are "the same" for a container when their
/// ``EffectiveFilter``s under its context are equal.
public struct FilterContext: Sendable, Equatable {
    public var architecture: Architecture
    /// Capabilities with the `CAP_` prefix, e.g. `CAP_SYS_ADMIN`.
    public var capabilities: Set<String>
    /// nil: a kernel new enough for every `minKernel` in the profile.
    public var kernel: KernelVersion?

    public init(architecture: Architecture, capabilities: Set<String> = FilterContext.dockerDefaultCapabilities,
                kernel: KernelVersion? = nil) {
        self.architecture = architecture
        self.capabilities = Set(capabilities.map(Self.normalized))
        self.kernel = kernel
    }

    /// The bounding set Docker gives a container that asks for no extra capabilities.
    public static let dockerDefaultCapabilities: Set<String> = [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ]

    /// `sys_admin` → `CAP_SYS_ADMIN`.
    public static func normalized(_ cap: String) -> String {
        let upper = cap.uppercased()
        return upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
    }
}

/// One rule as it applies to one syscall after `includes`/`excludes` are resolved.
public struct EffectiveRule: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var action: String
    public var errnoRet: Int?
    /// Sorted; empty means "whatever the arguments".
    public var args: [ArgumentCondition]

    public static func < (a: Self, b: Self) -> Bool {
        if a.action != b.action { return a.action < b.action }
        if a.errnoRet != b.errnoRet { return (a.errnoRet ?? -1) < (b.errnoRet ?? -1) }
        return a.args.lexicographicallyPrecedes(b.args)
    }

    public var description: String {
        var text = action
        if let errno = errnoRet { text += "(\(errno))" }
        if !args.isEmpty { text += " if " + args.map(\.description).joined(separator: " && ") }
        return text
    }
}

/// What a profile does on one architecture for one container: per syscall, the rules that apply.
public struct EffectiveFilter: Sendable, Equatable {
    public var defaultAction: String
    public var defaultErrnoRet: Int?
    /// Syscall name → its rules, sorted and without duplicates. Only names that exist on the architecture (or its
    /// 32-bit companion) are kept: the engine ignores the others.
    public var rules: [String: [EffectiveRule]]

    public init(_ profile: SeccompProfile, context: FilterContext) {
        defaultAction = profile.defaultAction
        defaultErrnoRet = profile.defaultErrnoRet
        let arch = context.architecture
        let known: (String) -> Bool = { name in
            arch.table.contains(name) || (arch.companion?.table.contains(name) ?? false)
        }
        var rules: [String: Set<EffectiveRule>] = [:]
        for rule in profile.syscalls where Self.applies(rule, context) {
            let effective = EffectiveRule(action: rule.action, errnoRet: rule.errnoRet, args: rule.args.sorted())
            for name in rule.names where known(name) { rules[name, default: []].insert(effective) }
        }
        self.rules = rules.mapValues { $0.sorted() }
    }

    /// moby's evaluation of `excludes` then `includes`.
    static func applies(_ rule: SyscallRule, _ context: FilterContext) -> Bool {
        let arch = context.architecture.filterName
        if rule.excludes.arches.contains(arch) { return false }
        if rule.excludes.caps.contains(where: { context.capabilities.contains(FilterContext.normalized($0)) }) { return false }
        if let min = rule.excludes.minKernel.flatMap(KernelVersion.init), context.kernel.map({ $0 >= min }) ?? true { return false }
        if !rule.includes.arches.isEmpty, !rule.includes.arches.contains(arch) { return false }
        if !rule.includes.caps.allSatisfy({ context.capabilities.contains(FilterContext.normalized($0)) }) { return false }
        if let min = rule.includes.minKernel.flatMap(KernelVersion.init), let kernel = context.kernel, kernel < min { return false }
        return true
    }

    /// Syscalls some rule allows (for any or some argument values).
    public var allowed: Set<String> {
        Set(rules.filter { $0.value.contains { $0.action == "SCMP_ACT_ALLOW" } }.keys)
    }

    /// Syscalls allowed whatever their arguments.
    public var allowedUnconditionally: Set<String> {
        Set(rules.filter { $0.value.contains { $0.action == "SCMP_ACT_ALLOW" && $0.args.isEmpty } }.keys)
    }

    /// Whether the filter lets `name` through (unconditionally, or for some arguments), counting the default action.
    public func permits(_ name: String) -> Bool {
        if let list = rules[name] { return list.contains { $0.action == "SCMP_ACT_ALLOW" || $0.action == "SCMP_ACT_LOG" } }
        return defaultAction == "SCMP_ACT_ALLOW" || defaultAction == "SCMP_ACT_LOG"
    }
}
