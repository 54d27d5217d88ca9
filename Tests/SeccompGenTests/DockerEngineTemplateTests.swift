import Foundation
import Testing
@testable import ContainerKit
@testable import SeccompGen

/// Every template the real engine loads, and what strict refuses inside the container.
@Suite("templates on the real engine", .serialized, .enabled(if: Engine.available, Engine.skipReason))
struct DockerEngineTemplateTests {
    let docker: DockerClient
    init() throws { docker = try Engine.client() }

    @Test("every template for every app type: the container starts and runs its command (strict also as nobody)")
    func everyTemplateRuns() async throws {
        let command = ["sh", "-c", "echo start; ls / > /dev/null; cat /etc/passwd | grep -c root; sleep 0.1; echo done"]
        for template in TemplateKind.allCases {
            for appType in AppType.allCases {
                let json = ProfileWriter.text(TemplateBuilder.profile(template, appType: appType))
                for user in template == .strict ? [nil, "nobody"] : [nil] {
                    let run = try await Engine.run(docker, command, securityOpt: ["seccomp=\(json)"], user: user)
                    #expect(run.exitCode == 0, "\(template) \(appType) \(user ?? "root"): \(run.stderr)")
                    #expect(run.stdout == "start\n1\ndone\n", "\(template) \(appType)")
                }
            }
        }
    }

    @Test("strict refuses listen to batch and cli (EPERM inside the container), web may listen")
    func strictBlocks() async throws {
        // busybox httpd binds and listens on loopback, then forks into the background.
        let serve = ["httpd", "-p", "127.0.0.1:8080"]
        for appType in [AppType.batch, .cli] {
            let json = ProfileWriter.text(TemplateBuilder.profile(.strict, appType: appType))
            let run = try await Engine.run(docker, serve, securityOpt: ["seccomp=\(json)"])
            #expect(run.exitCode != 0, "\(appType)")
            #expect(run.stderr.contains("Operation not permitted"), "\(appType): \(run.stderr)")
        }
        let web = try await Engine.run(docker, serve, securityOpt: ["seccomp=\(ProfileWriter.text(TemplateBuilder.profile(.strict, appType: .web)))"])
        #expect(web.exitCode == 0, "\(web.stderr)")
        // The default profile lets batch listen: the refusal above is strict's.
        let defaultRun = try await Engine.run(docker, serve)
        #expect(defaultRun.exitCode == 0)
    }
}
