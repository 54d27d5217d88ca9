/// Turns what a learning run saw into an allow-list profile.
///
/// - `defaultAction` `SCMP_ACT_ERRNO` with EPERM: anything the program did not do is refused.
/// - The observed syscalls are allowed, plus ``RuntimeNeeds`` (what runc calls after installing the filter).
/// - `clone` is allowed with Docker's argument filter (no new namespaces) and `clone3` answers ENOSYS, as in
///   Docker's default: `strace -c` counts calls but does not show their flags, and a program that creates
///   namespaces is rare enough to add them by hand. The C library falls back from clone3 to clone on ENOSYS,
///   so a program seen calling clone3 gets clone.
/// - `archMap` covers the architecture learned on and its 32-bit companion.
public enum LearnedProfile {
    public static func profile(from result: LearnResult, image: String) -> SeccompProfile {
        let arch = result.architecture
        let exists: (String) -> Bool = { arch.table.contains($0) || (arch.companion?.table.contains($0) ?? false) }
        var observed = Set(result.syscalls.keys)
        let forksWithClone3 = observed.remove("clone3") != nil
        let clones = observed.remove("clone") != nil || forksWithClone3
        let runtime = Set(RuntimeNeeds.all.filter(exists)).subtracting(observed).subtracting(["clone", "clone3"])

        var rules = [SyscallRule(names: observed.sorted(), action: "SCMP_ACT_ALLOW",
                                 comment: "contsec seccomp-gen: seen while learning \(image)")]
        if !runtime.isEmpty {
            rules.append(SyscallRule(names: runtime.sorted(), action: "SCMP_ACT_ALLOW",
                                     comment: "needed by the container runtime between installing the filter and starting the program"))
        }
        if clones {
            rules.append(SyscallRule(names: ["clone"], action: "SCMP_ACT_ALLOW",
                                     args: [ArgumentCondition(index: 0, value: DockerDefault.namespaceFlags, op: "SCMP_CMP_MASKED_EQ")],
                                     comment: "processes and threads, no new namespaces (as Docker's default)"))
            rules.append(SyscallRule(names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38,
                                     comment: "ENOSYS: the C library falls back to clone, whose flags the filter can check"))
        }
        return SeccompProfile(defaultAction: "SCMP_ACT_ERRNO", defaultErrnoRet: 1, archMap: [arch.archMapEntry], syscalls: rules)
    }
}
