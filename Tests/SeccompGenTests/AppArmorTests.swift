import Foundation
import Testing
@testable import SeccompGen

@Suite("AppArmor profiles", .enabled(if: AppArmorHost().parserPath != nil || Engine.isCI,
                                     "apparmor_parser is not installed (apt-get install apparmor, or scripts/test-env.sh)"))
struct AppArmorTests {
    @Test("every app type's profile passes apparmor_parser -Q -K; a broken one does not")
    func parserAccepts() async throws {
        let host = AppArmorHost()
        for appType in AppType.allCases {
            let text = AppArmorProfile.text(name: "contsec-\(appType.rawValue)", appType: appType)
            let result = try await host.validate(text)
            #expect(result.checked && result.valid, "\(appType): \(result.message ?? "")")
            #expect(text.contains("profile contsec-\(appType.rawValue) flags=(attach_disconnected,mediate_deleted)"))
            #expect(text.contains("deny mount,") && text.contains("deny network raw,"))
        }
        let broken = try await host.validate(AppArmorProfile.text(name: "x", appType: .web).replacingOccurrences(of: "deny mount,", with: "deny mount"))
        #expect(broken.checked && !broken.valid && broken.message?.contains("syntax error") == true)
    }

    @Test("create --type apparmor writes a validated profile; apply says this kernel has no AppArmor")
    func commands() throws {
        let ws = try CLI.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let created = try CLI.run(["create", "--type", "apparmor", "--profile", "db-profile", "--app-type", "db"], workspace: ws)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.summary?["validated"] == true)
        let text = try String(contentsOfFile: ws + "/security/profiles/apparmor/db-profile", encoding: .utf8)
        #expect(text.contains("/var/lib/** rwlk") && text.contains("capability ipc_lock"))
        guard !AppArmorHost().kernelHasAppArmor else { return }
        let applied = try CLI.run(["apply", "--type", "apparmor", "--profile", "db-profile", "--container", "whatever"], workspace: ws)
        #expect(applied.status == 3)
        #expect(applied.stderr.contains("this kernel has no AppArmor"), "\(applied.stderr)")
    }
}
