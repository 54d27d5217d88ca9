import ContsecProtocol

/// A Docker/OCI seccomp profile, as the engine loads it (moby's `profiles/seccomp` types): a default action, the
/// architectures it covers, and rules that allow or refuse syscalls, optionally only for some capabilities,
/// architectures or kernels, and optionally only for some argument values.
public struct SeccompProfile: Sendable, Equatable {
    /// `SCMP_ACT_ERRNO` (refuse), `SCMP_ACT_ALLOW`, `SCMP_ACT_LOG`...: what happens to a syscall no rule names.
    public var defaultAction: String
    /// The errno a refused syscall returns (1 = EPERM) when the action is `SCMP_ACT_ERRNO`.
    public var defaultErrnoRet: Int?
    /// Native architecture → the sub-architectures whose syscalls the filter also covers.
    public var archMap: [ArchitectureEntry]
    /// The legacy flat list (`architectures`), kept when a file uses it.
    public var architectures: [String]
    public var syscalls: [SyscallRule]
    /// `flags` (e.g. `SECCOMP_FILTER_FLAG_LOG`), kept as written.
    public var flags: [String]

    public init(defaultAction: String, defaultErrnoRet: Int? = nil, archMap: [ArchitectureEntry] = [],
                architectures: [String] = [], syscalls: [SyscallRule] = [], flags: [String] = []) {
        self.defaultAction = defaultAction
        self.defaultErrnoRet = defaultErrnoRet
        self.archMap = archMap
        self.architectures = architectures
        self.syscalls = syscalls
        self.flags = flags
    }

    public struct ArchitectureEntry: Sendable, Equatable {
        /// `SCMP_ARCH_X86_64`, `SCMP_ARCH_AARCH64`...
        public var architecture: String
        public var subArchitectures: [String]
        public init(_ architecture: String, _ subArchitectures: [String] = []) {
            self.architecture = architecture
            self.subArchitectures = subArchitectures
        }
    }
}

/// One entry of `syscalls[]`.
public struct SyscallRule: Sendable, Equatable {
    public var names: [String]
    public var action: String
    public var errnoRet: Int?
    public var args: [ArgumentCondition]
    public var comment: String?
    /// The rule applies only when all of these hold.
    public var includes: RuleFilter
    /// The rule does not apply when any of these holds.
    public var excludes: RuleFilter

    public init(names: [String], action: String, errnoRet: Int? = nil, args: [ArgumentCondition] = [],
                comment: String? = nil, includes: RuleFilter = RuleFilter(), excludes: RuleFilter = RuleFilter()) {
        self.names = names
        self.action = action
        self.errnoRet = errnoRet
        self.args = args
        self.comment = comment
        self.includes = includes
        self.excludes = excludes
    }
}

/// A condition on one syscall argument: `args[index] op value` (`MASKED_EQ`: `args[index] & value == valueTwo`).
public struct ArgumentCondition: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var index: Int
    public var value: UInt64
    public var valueTwo: UInt64
    /// `SCMP_CMP_EQ`, `SCMP_CMP_NE`, `SCMP_CMP_LT`, `SCMP_CMP_LE`, `SCMP_CMP_GT`, `SCMP_CMP_GE`, `SCMP_CMP_MASKED_EQ`.
    public var op: String

    public init(index: Int, value: UInt64, valueTwo: UInt64 = 0, op: String) {
        self.index = index
        self.value = value
        self.valueTwo = valueTwo
        self.op = op
    }

    public static func < (a: Self, b: Self) -> Bool {
        (a.index, a.op, a.value, a.valueTwo) < (b.index, b.op, b.value, b.valueTwo)
    }

    public var description: String {
        let symbol = ["SCMP_CMP_EQ": "==", "SCMP_CMP_NE": "!=", "SCMP_CMP_LT": "<", "SCMP_CMP_LE": "<=",
                      "SCMP_CMP_GT": ">", "SCMP_CMP_GE": ">="][op]
        if let symbol { return "arg\(index) \(symbol) \(value)" }
        if op == "SCMP_CMP_MASKED_EQ" { return "arg\(index) & 0x\(String(value, radix: 16)) == \(valueTwo)" }
        return "arg\(index) \(op) \(value)"
    }
}

/// `includes` / `excludes`: capabilities, architectures (Go names: `amd64`, `arm64`, `x86`...), minimum kernel.
public struct RuleFilter: Sendable, Equatable {
    public var caps: [String]
    public var arches: [String]
    /// "4.8", "5.6"...
    public var minKernel: String?

    public init(caps: [String] = [], arches: [String] = [], minKernel: String? = nil) {
        self.caps = caps
        self.arches = arches
        self.minKernel = minKernel
    }

    public var isEmpty: Bool { caps.isEmpty && arches.isEmpty && minKernel == nil }
}

/// The actions and comparison operators the engine accepts.
public enum SeccompVocabulary {
    public static let actions: Set<String> = [
        "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP", "SCMP_ACT_ERRNO",
        "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY",
    ]
    public static let operators: Set<String> = [
        "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
    ]
    public static let architectures: Set<String> = [
        "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
        "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390",
        "SCMP_ARCH_S390X", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
        "SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
    ]
    public static let flags: Set<String> = [
        "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
        "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
    ]
}
