import Foundation
import Testing
@testable import SeccompGen

@Suite("strict and permissive templates")
struct TemplateTests {
    let x86 = FilterContext(architecture: .x86_64)

    @Test("strict removes exactly what each app type does not need, and keeps what the runtime needs")
    func strictPerAppType() {
        let base = EffectiveFilter(DockerDefault.profile(), context: x86).allowed
        for appType in AppType.allCases {
            let strict = StrictTemplate.profile(for: appType)
            let allowed = EffectiveFilter(strict, context: x86).allowed
            #expect(allowed.isSubset(of: base), "\(appType)")
            #expect(ProfileChecker.missingRuntimeNeeds(strict).isEmpty, "\(appType)")
            // Stated per app type in StrictTemplate (and the README): who keeps what.
            #expect(allowed.contains("listen") == [.web, .db, .worker].contains(appType), "\(appType) listen")
            #expect(allowed.contains("semop") == [.web, .db].contains(appType), "\(appType) semop")
            #expect(allowed.contains("mlock") == (appType == .db), "\(appType) mlock")
            #expect(allowed.contains("io_submit") == [.web, .db].contains(appType), "\(appType) io_submit")
            for gone in ["ptrace", "process_vm_readv", "mq_open", "name_to_handle_at", "modify_ldt", "chroot"] {
                #expect(!allowed.contains(gone), "\(appType) \(gone)")
            }
            // Capabilities added to the container do not widen a strict filter.
            let admin = FilterContext(architecture: .x86_64, capabilities: FilterContext.dockerDefaultCapabilities.union(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]))
            let withAdmin = EffectiveFilter(strict, context: admin)
            #expect(withAdmin.allowed == allowed, "\(appType)")
            #expect(withAdmin.rules["clone"]?.allSatisfy { DangerousSyscalls.restrictsNamespaces($0) } == true)
            #expect(withAdmin.rules["clone3"] == [EffectiveRule(action: "SCMP_ACT_ERRNO", errnoRet: 38, args: [])])
            let sockets = EffectiveFilter(strict, context: x86).rules["socket"]!.map { $0.args.first!.value }
            #expect(sockets == [1, 2, 10, 16])
        }
    }

    @Test("permissive adds the documented syscalls and nothing else")
    func permissive() {
        let base = EffectiveFilter(DockerDefault.profile(), context: x86)
        let permissive = EffectiveFilter(PermissiveTemplate.profile(), context: x86)
        let documented = Set(PermissiveTemplate.additions.flatMap(\.names))
        #expect(permissive.allowed.subtracting(base.allowed) == documented.subtracting(base.allowed))
        #expect(permissive.allowedUnconditionally.isSuperset(of: documented))
        #expect(base.allowed.isSubset(of: permissive.allowed))
    }

    @Test("check judges the templates as designed")
    func checkedTemplates() {
        func ids(_ profile: SeccompProfile) -> Set<String> {
            Set(ProfileChecker.check(ProfileParser.Parsed(profile: profile, ignoredKeys: [])).map(\.ruleId))
        }
        #expect(ids(DockerDefault.profile()) == ["SECCOMP-PTRACE"])
        #expect(ids(StrictTemplate.profile(for: .web)).isEmpty)
        #expect(ids(PermissiveTemplate.profile()) == ["SECCOMP-PTRACE", "SECCOMP-PERSONALITY", "SECCOMP-IO-URING",
                                                       "SECCOMP-KEYRING", "SECCOMP-USERFAULTFD", "SECCOMP-PERF"])
    }
}
