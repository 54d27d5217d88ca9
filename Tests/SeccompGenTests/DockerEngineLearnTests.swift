import Foundation
import Testing
@testable import ContainerKit
@testable import SeccompGen

/// learn → profile → run under it, against the real engine and the host's strace.
@Suite("learn (real engine)", .serialized, .enabled(if: Engine.available, Engine.skipReason))
struct DockerEngineLearnTests {
    let docker: DockerClient
    init() throws { docker = try Engine.client() }

    static let command = ["sh", "-c", "echo hello; cat /etc/passwd | wc -l; ls /bin | head -1"]

    @Test("a learned profile runs the same command with the same output, and refuses a syscall it never made")
    func roundTrip() async throws {
        let result = try await LearnSession(docker: docker, options: LearnOptions(
            image: Engine.image, command: Self.command, duration: 30, labels: ["contsec-test": "1"])).run()
        #expect(result.exitCode == 0)
        #expect(result.ending == "exited")
        #expect(result.syscalls["execve"] != nil)
        #expect(result.syscalls["write"] != nil)
        // The probe below: busybox mkdir makes mkdir (x86_64) or mkdirat; the command above never does.
        #expect(result.syscalls["mkdir"] == nil && result.syscalls["mkdirat"] == nil)
        let profile = LearnedProfile.profile(from: result, image: Engine.image)
        #expect(profile.defaultAction == "SCMP_ACT_ERRNO")
        let json = ProfileWriter.text(profile)

        let unconfined = try await Engine.run(docker, Self.command)
        let confined = try await Engine.run(docker, Self.command, securityOpt: ["seccomp=\(json)"])
        #expect(unconfined.exitCode == 0)
        #expect(confined.exitCode == 0, "\(confined.stderr)")
        #expect(confined.stdout == unconfined.stdout)
        #expect(confined.stdout.hasPrefix("hello\n"))

        // runc's own needs are not optional: without fstatfs (runc checks /proc/self/fd is procfs after installing
        // the filter; busybox never calls it) the container does not start. (Refusing futex instead hangs runc's
        // init for minutes, which is why apply checks for these before touching a container.)
        #expect(result.syscalls["fstatfs"] == nil)
        var withoutFstatfs = profile
        for i in withoutFstatfs.syscalls.indices { withoutFstatfs.syscalls[i].names.removeAll { $0 == "fstatfs" } }
        do {
            let run = try await Engine.run(docker, Self.command, securityOpt: ["seccomp=\(ProfileWriter.text(withoutFstatfs))"], timeout: 20)
            Issue.record("the container started without fstatfs: \(run)")
        } catch let error as DockerError {
            #expect("\(error)".contains("procfs"), "\(error)")
        }

        let probe = ["mkdir", "/tmp/probe"]
        let refused = try await Engine.run(docker, probe, securityOpt: ["seccomp=\(json)"])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("Operation not permitted"), "\(refused.stderr)")
        // The same probe passes under Docker's default profile: the refusal is the learned profile's doing.
        let allowed = try await Engine.run(docker, probe)
        #expect(allowed.exitCode == 0, "\(allowed.stderr)")
    }

    @Test("a server is stopped after --duration with SIGTERM; exercises are traced and count as such")
    func exercisesAndStop() async throws {
        let started = Date()
        let result = try await LearnSession(docker: docker, options: LearnOptions(
            image: Engine.image, command: ["sleep", "120"], duration: 3, exercises: ["mkdir -p /tmp/exercised && ls /tmp"],
            warmup: 0.5, labels: ["contsec-test": "1"])).run()
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(result.exitCode == nil)
        #expect(result.ending.hasPrefix("stopped with SIGTERM"), "\(result.ending)")
        #expect(result.exerciseExitCodes == [0])
        let mkdir = result.syscalls["mkdir"] ?? result.syscalls["mkdirat"]
        #expect(mkdir?.sources == [.exercise])
        #expect(result.syscalls["nanosleep"]?.sources.contains(.program) == true
                || result.syscalls["clock_nanosleep"]?.sources.contains(.program) == true)
        #expect(try await docker.listContainers(all: true, filters: ["label": ["contsec-learn=1", "contsec-test=1"]]).isEmpty)
    }
}
