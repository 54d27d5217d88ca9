import Foundation
import Testing
@testable import SeccompGen

@Suite("diff")
struct DiffTests {
    @Test("default → strict batch: what batch loses, per architecture; default → permissive: what it gains")
    func templates() {
        let strict = ProfileDiff.compare(DockerDefault.profile(), StrictTemplate.profile(for: .batch))
        #expect(strict.allSatisfy { $0.kind != .added })
        let removedX86 = Set(strict.filter { $0.architecture == .x86_64 && $0.kind == .removed }.map(\.syscall))
        #expect(removedX86.isSuperset(of: ["listen", "accept", "accept4", "semop", "mlock", "mq_open", "modify_ldt", "ptrace"]))
        let removedArm = Set(strict.filter { $0.architecture == .aarch64 && $0.kind == .removed }.map(\.syscall))
        #expect(removedArm.contains("listen") && !removedArm.contains("modify_ldt"))   // no modify_ldt on arm64 or arm
        #expect(strict.contains { $0.syscall == "socket" && $0.kind == .changed && $0.after.contains("arg0 == 16") })
        #expect(strict.contains { $0.syscall == "personality" && $0.kind == .changed })

        let permissive = ProfileDiff.compare(DockerDefault.profile(), PermissiveTemplate.profile(), architectures: [.x86_64])
        #expect(Set(permissive.filter { $0.kind == .added }.map(\.syscall))
                == ["io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
                    "userfaultfd", "perf_event_open", "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"])
        #expect(ProfileDiff.compare(DockerDefault.profile(), try! Fixtures.mobyDefault()).isEmpty)
    }
}
