import ContsecProtocol

/// Something `check` found in a profile.
public struct CheckIssue: Sendable, Equatable {
    /// `SECCOMP-PTRACE`, `SECCOMP-UNKNOWN-SYSCALL`...
    public var ruleId: String
    public var severity: Severity
    public var title: String
    public var message: String
    public var remediation: String
    /// The syscalls concerned.
    public var syscalls: [String]
    /// The architectures on which it holds (empty: not architecture-specific).
    public var architectures: [Architecture]
    /// JSON path in the file, when the issue sits in one place (`syscalls[4].names[2]`).
    public var path: String?
}

/// Under which conditions `check` judges a profile.
public struct CheckOptions: Sendable {
    public var architectures: [Architecture]
    public var capabilities: Set<String>
    public var kernel: KernelVersion?

    public init(architectures: [Architecture] = Architecture.native,
                capabilities: Set<String> = FilterContext.dockerDefaultCapabilities, kernel: KernelVersion? = nil) {
        self.architectures = architectures
        self.capabilities = capabilities
        self.kernel = kernel
    }
}

/// Judges a parsed profile: what it lets a container do that it should not, names that are no syscall, keys the
/// engine ignores.
public enum ProfileChecker {
    public static func check(_ parsed: ProfileParser.Parsed, options: CheckOptions = CheckOptions()) -> [CheckIssue] {
        let profile = parsed.profile
        var issues: [CheckIssue] = []

        switch profile.defaultAction {
        case "SCMP_ACT_ALLOW":
            issues.append(CheckIssue(
                ruleId: "SECCOMP-DEFAULT-ALLOW", severity: .critical, title: "defaultAction allows every syscall not listed",
                message: "defaultAction is SCMP_ACT_ALLOW: the profile is a deny list, so every syscall it does not name "
                    + "(including every one added to the kernel after it was written) is allowed",
                remediation: "Use an allow list: defaultAction SCMP_ACT_ERRNO with the syscalls the application needs "
                    + "(contsec run seccomp-gen learn, or create --template strict)",
                syscalls: [], architectures: [], path: "defaultAction"))
        case "SCMP_ACT_LOG":
            issues.append(CheckIssue(
                ruleId: "SECCOMP-DEFAULT-LOG", severity: .high, title: "defaultAction only logs",
                message: "defaultAction is SCMP_ACT_LOG: syscalls no rule names are logged and then allowed",
                remediation: "Use SCMP_ACT_ERRNO once the profile is complete; SCMP_ACT_LOG is for auditing only",
                syscalls: [], architectures: [], path: "defaultAction"))
        default: break
        }

        let filters = options.architectures.map {
            ($0, EffectiveFilter(profile, context: FilterContext(architecture: $0, capabilities: options.capabilities,
                                                                  kernel: options.kernel)))
        }
        let byDefault = profile.defaultAction == "SCMP_ACT_ALLOW" || profile.defaultAction == "SCMP_ACT_LOG"
        for entry in DangerousSyscalls.catalog {
            var names = Set<String>(), arches: [Architecture] = [], conditional = false
            for (arch, filter) in filters {
                let allowed = entry.names.filter { name in
                    let exists = arch.table.contains(name) || (arch.companion?.table.contains(name) ?? false)
                    return exists && filter.permits(name)
                }
                if !allowed.isEmpty { names.formUnion(allowed); arches.append(arch) }
                conditional = conditional || allowed.contains { name in
                    filter.rules[name]?.allSatisfy { $0.action != "SCMP_ACT_ALLOW" || !$0.args.isEmpty } ?? false
                }
            }
            guard !names.isEmpty else { continue }
            let list = entry.names.filter(names.contains)
            var how = byDefault && list.allSatisfy({ name in filters.allSatisfy { $0.1.rules[name] == nil } })
                ? " (by the default action)" : ""
            if conditional { how += " (for some argument values)" }
            if let minKernel = minKernelNote(profile, names: names) { how += minKernel }
            issues.append(CheckIssue(
                ruleId: "SECCOMP-\(entry.id)", severity: entry.severity, title: entry.title,
                message: "\(list.joined(separator: ", ")) allowed\(how) on \(arches.map(\.rawValue).joined(separator: ", ")): \(entry.why)",
                remediation: "Remove \(list.joined(separator: ", ")) from the profile's allowed syscalls (Docker's default "
                    + "allows \(list.count == 1 ? "it" : "them") only with the matching capability, if at all)",
                syscalls: list, architectures: arches, path: nil))
        }

        issues += cloneAndPersonality(filters, byDefault: byDefault)
        issues += runtimeNeeds(filters)
        issues += unknownNames(profile)
        for key in parsed.ignoredKeys {
            issues.append(CheckIssue(
                ruleId: "SECCOMP-IGNORED-KEY", severity: .medium, title: "a key the engine ignores",
                message: "\(key) is not part of the seccomp profile format: the engine ignores it and anything in it",
                remediation: "Fix the spelling (defaultAction, defaultErrnoRet, archMap, syscalls, names, action, args, "
                    + "errnoRet, includes, excludes, comment) or remove the key",
                syscalls: [], architectures: [], path: key))
        }
        return issues
    }

    static func minKernelNote(_ profile: SeccompProfile, names: Set<String>) -> String? {
        let kernels = profile.syscalls.filter { $0.action == "SCMP_ACT_ALLOW" && !names.isDisjoint(with: $0.names) }
            .compactMap(\.includes.minKernel)
        return kernels.isEmpty ? nil : " (on kernels from \(kernels.sorted().first!))"
    }

    static func cloneAndPersonality(_ filters: [(Architecture, EffectiveFilter)], byDefault: Bool) -> [CheckIssue] {
        var issues: [CheckIssue] = []
        let cloneOpen = filters.filter { _, filter in
            let clone = filter.rules["clone"].map { $0.contains { $0.action == "SCMP_ACT_ALLOW" && !DangerousSyscalls.restrictsNamespaces($0) } }
                ?? byDefault
            let clone3 = filter.rules["clone3"].map { $0.contains { $0.action == "SCMP_ACT_ALLOW" } } ?? byDefault
            return clone || clone3
        }.map(\.0)
        if !cloneOpen.isEmpty {
            issues.append(CheckIssue(
                ruleId: "SECCOMP-CLONE-NAMESPACES", severity: .high, title: "clone may create namespaces",
                message: "clone (or clone3) is allowed without Docker's argument filter on namespace flags on "
                    + "\(cloneOpen.map(\.rawValue).joined(separator: ", ")): a process can create user namespaces, "
                    + "which open kernel code paths otherwise reserved to root",
                remediation: "Allow clone only with args [{index: 0, value: \(DockerDefault.namespaceFlags), op: "
                    + "SCMP_CMP_MASKED_EQ}] and make clone3 return ENOSYS (errnoRet 38), as Docker's default does",
                syscalls: ["clone", "clone3"], architectures: cloneOpen, path: nil))
        }
        let personalityOpen = filters.filter { _, filter in
            filter.rules["personality"].map { $0.contains { $0.action == "SCMP_ACT_ALLOW" && $0.args.isEmpty } } ?? byDefault
        }.map(\.0)
        if !personalityOpen.isEmpty {
            issues.append(CheckIssue(
                ruleId: "SECCOMP-PERSONALITY", severity: .medium, title: "personality without an argument filter",
                message: "personality is allowed for any persona on \(personalityOpen.map(\.rawValue).joined(separator: ", ")): "
                    + "READ_IMPLIES_EXEC and ADDR_NO_RANDOMIZE turn off protections for the programs a process starts",
                remediation: "Allow personality only for the values Docker allows (0, 8, 0x20000, 0x20008, 0xffffffff)",
                syscalls: ["personality"], architectures: personalityOpen, path: nil))
        }
        return issues
    }

    /// The syscalls runc makes under the filter before the program starts, refused on some architecture.
    public static func missingRuntimeNeeds(_ profile: SeccompProfile, architectures: [Architecture] = Architecture.native) -> [String] {
        var missing = Set<String>()
        for arch in architectures {
            let filter = EffectiveFilter(profile, context: FilterContext(architecture: arch))
            for name in RuntimeNeeds.measured where arch.table.contains(name) && !filter.permits(name) { missing.insert(name) }
        }
        return missing.sorted()
    }

    static func runtimeNeeds(_ filters: [(Architecture, EffectiveFilter)]) -> [CheckIssue] {
        var missing = Set<String>(), arches: [Architecture] = []
        for (arch, filter) in filters {
            let refused = RuntimeNeeds.measured.filter { arch.table.contains($0) && !filter.permits($0) }
            if !refused.isEmpty { missing.formUnion(refused); arches.append(arch) }
        }
        guard !missing.isEmpty else { return [] }
        return [CheckIssue(
            ruleId: "SECCOMP-RUNTIME-NEEDS", severity: .high, title: "no container can start under this profile",
            message: "the profile refuses \(missing.sorted().joined(separator: ", ")), which the container runtime (runc) "
                + "calls after installing the filter and before starting the program: the container fails to start, "
                + "and refusing futex or epoll_ctl can hang its start for minutes",
            remediation: "Allow these syscalls (contsec's learned profiles add them in a rule of their own)",
            syscalls: missing.sorted(), architectures: arches, path: nil)]
    }

    static func unknownNames(_ profile: SeccompProfile) -> [CheckIssue] {
        var issues: [CheckIssue] = []
        for (i, rule) in profile.syscalls.enumerated() {
            for (j, name) in rule.names.enumerated() where !SyscallTable.isLinuxSyscall(name) {
                let guess = suggestion(for: name).map { " (did you mean \($0)?)" } ?? ""
                issues.append(CheckIssue(
                    ruleId: "SECCOMP-UNKNOWN-SYSCALL", severity: .medium, title: "not a syscall",
                    message: "\(name) is not a Linux syscall on any architecture\(guess): the engine skips it, so the rule "
                        + "does not do what it says",
                    remediation: "Correct or remove the name", syscalls: [name], architectures: [],
                    path: "syscalls[\(i)].names[\(j)]"))
            }
        }
        return issues
    }

    /// The closest known name within two edits.
    static func suggestion(for name: String) -> String? {
        var best: (String, Int)?
        for known in Set(Architecture.allCases.flatMap { $0.table.numbers.keys }) {
            guard abs(known.count - name.count) <= 2 else { continue }
            let d = editDistance(name, known)
            if d <= 2, best.map({ d < $0.1 || (d == $0.1 && known < $0.0) }) ?? true { best = (known, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
