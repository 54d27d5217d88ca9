import Foundation
import Testing
@testable import SeccompGen

/// The `default` template against Docker's own default profile file (Fixtures/moby-default.json).
@Suite("default template = Docker's default profile")
struct DefaultTemplateTests {
    @Test("x86_64 with Docker's default capabilities: the same rules for every syscall")
    func x86DefaultCapabilities() throws {
        let reference = try Fixtures.mobyDefault()
        let ours = TemplateBuilder.profile(.default, appType: .web)
        let context = FilterContext(architecture: .x86_64)
        let expected = EffectiveFilter(reference, context: context), actual = EffectiveFilter(ours, context: context)
        #expect(actual.defaultAction == "SCMP_ACT_ERRNO" && actual.defaultErrnoRet == 1)
        #expect(actual.allowed == expected.allowed)
        for name in Set(expected.rules.keys).union(actual.rules.keys).sorted() {
            #expect(actual.rules[name] == expected.rules[name], "\(name)")
        }
        // Spot checks read from the reference file, so the comparison cannot pass on two empty sets.
        #expect(expected.allowed.count > 300)
        #expect(expected.allowed.contains("chroot"))          // CAP_SYS_CHROOT is in Docker's default set
        #expect(!expected.allowed.contains("mount"))          // CAP_SYS_ADMIN is not
        #expect(expected.rules["clone3"] == [EffectiveRule(action: "SCMP_ACT_ERRNO", errnoRet: 38, args: [])])
        #expect(expected.rules["socket"]?.count == 3)
    }

    @Test("every architecture and capability set evaluates the same")
    func everyContext() throws {
        let reference = try Fixtures.mobyDefault(), ours = DockerDefault.profile()
        let capabilitySets: [Set<String>] = [
            FilterContext.dockerDefaultCapabilities, [],
            FilterContext.dockerDefaultCapabilities.union(["CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"]),
            ["CAP_SYS_MODULE", "CAP_SYS_TIME", "CAP_SYS_NICE", "CAP_DAC_READ_SEARCH", "CAP_SYSLOG", "CAP_PERFMON"],
        ]
        for arch in Architecture.allCases {
            for caps in capabilitySets {
                for kernel in [nil, KernelVersion("4.4")] {
                    let context = FilterContext(architecture: arch, capabilities: caps, kernel: kernel)
                    #expect(EffectiveFilter(ours, context: context) == EffectiveFilter(reference, context: context),
                             "\(arch) \(caps.sorted()) kernel \(kernel?.description ?? "new")")
                }
            }
        }
        #expect(ours.archMap == reference.archMap)
        #expect(ours.defaultAction == reference.defaultAction && ours.defaultErrnoRet == reference.defaultErrnoRet)
    }

    @Test("the written file reads back as the same profile")
    func roundTrip() throws {
        let profile = DockerDefault.profile()
        let text = ProfileWriter.text(profile)
        #expect(try ProfileParser.parse(text).profile == profile)
        #expect(text.hasPrefix("{\n\t\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\t\"defaultErrnoRet\": 1,\n\t\"archMap\": ["))
    }
}
