import Foundation
import Testing
import ContsecProtocol
@testable import ContainerKit
@testable import SeccompGen

/// `apply`, `audit` and `learn` end to end: the contsec CLI driving the plugin against the real engine.
@Suite("apply, audit and learn through contsec (real engine)", .serialized, .enabled(if: Engine.available, Engine.skipReason))
struct DockerEngineApplyTests {
    let docker: DockerClient
    init() throws { docker = try Engine.client() }

    func withContainer(_ body: (String, String) async throws -> Void) async throws {
        let name = Engine.uniqueName("apply")
        let ws = try CLI.workspace()
        _ = try await docker.createContainer(name: name, body: [
            "Image": .string(Engine.image), "Cmd": ["sleep", "600"], "Env": ["MODE=test"], "User": "nobody",
            "Labels": ["contsec-test": "1"],
            "HostConfig": ["NetworkMode": "none", "Init": true, "Memory": 33_554_432, "CapDrop": ["NET_RAW"],
                           "RestartPolicy": ["Name": "unless-stopped"]],
        ])
        try await docker.startContainer(name)
        var failure: Error?
        do { try await body(name, ws) } catch { failure = error }
        for c in (try? await docker.listContainers(all: true, filters: ["name": [name]])) ?? [] {
            try? await docker.removeContainer(c.id, force: true, volumes: true)
        }
        try? FileManager.default.removeItem(atPath: ws)
        if let failure { throw failure }
    }

    @Test("apply: --dry-run changes nothing; the profile applies, everything else is kept; audit sees it")
    func applyKeepsConfiguration() async throws {
        try await withContainer { name, ws in
            let create = try CLI.run(["create", "--profile", "no-mkdir", "--app-type", "cli", "--template", "strict"], workspace: ws)
            #expect(create.status == 0, "\(create.stderr)")
            // The strict cli profile minus mkdir/mkdirat: its effect is visible from inside.
            let path = ws + "/security/profiles/seccomp/no-mkdir.json"
            var profile = try ProfileParser.parse(try String(contentsOfFile: path, encoding: .utf8)).profile
            for i in profile.syscalls.indices { profile.syscalls[i].names.removeAll { $0 == "mkdir" || $0 == "mkdirat" } }
            try ProfileWriter.text(profile).write(toFile: path, atomically: true, encoding: .utf8)

            let before = try await docker.inspectContainerJSON(name)
            let dry = try CLI.run(["apply", "--profile", "no-mkdir", "--container", name], workspace: ws, global: ["--dry-run"])
            #expect(dry.status == 0, "\(dry.stderr)")
            #expect(dry.actions.allSatisfy { $0["status"] == "planned" })
            let kinds = dry.actions.compactMap { $0["kind"]?.stringValue }
            #expect(kinds.contains("container-create"))
            #expect(try await docker.inspectContainerJSON(name) == before)

            let applied = try CLI.run(["apply", "--profile", "no-mkdir", "--container", name], workspace: ws)
            #expect(applied.status == 0, "\(applied.stderr)")
            let after = try await docker.inspectContainerJSON(name)
            #expect(after["Id"] != before["Id"])
            for section in ["Config", "HostConfig"] {
                let old = before[section]!.objectValue!, new = after[section]!.objectValue!
                for key in Set(old.keys).union(new.keys) where key != "SecurityOpt" {
                    #expect(old[key] == new[key], "\(section).\(key)")
                }
            }
            let id = after["Id"]!.stringValue!
            let mkdir = try await docker.exec(id, ExecOptions(["mkdir", "/tmp/x"]))
            #expect(mkdir.stderrText.contains("Operation not permitted"))
            #expect(try await docker.exec(id, ExecOptions(["touch", "/tmp/y"])).exitCode == 0)

            let audit = try CLI.run(["audit", "--container", name], workspace: ws)
            #expect(audit.status == 0)
            let row = audit.table?["rows"]?.arrayValue?.first
            #expect(row?["seccomp"]?.stringValue?.hasPrefix("custom") == true)
            #expect(audit.findings.compactMap { $0["ruleId"]?.stringValue } == ["SECCOMP-AUDIT-NO-NEW-PRIVILEGES"])
        }
    }

    @Test("apply rolls back when the engine refuses the profile; refuses a profile the runtime cannot start under")
    func applyRollsBack() async throws {
        try await withContainer { name, ws in
            // SCMP_ACT_NOTIFY without a listener: valid JSON and shape, refused by runc when the container starts.
            var profile = DockerDefault.profile()
            profile.syscalls.append(SyscallRule(names: ["mkdir"], action: "SCMP_ACT_NOTIFY"))
            try ProfileWriter.text(profile).write(toFile: ws + "/notify.json", atomically: true, encoding: .utf8)
            let before = try await docker.inspectContainer(name)
            let run = try CLI.run(["apply", "--file", ws + "/notify.json", "--container", name], workspace: ws)
            #expect(run.status == 3)
            #expect(run.stderr.contains("listenerPath") && run.stderr.contains("rolled back"), "\(run.stderr)")
            let after = try await docker.inspectContainer(name)
            #expect(after.id == before.id && after.state.running)
            #expect(try await docker.listContainers(all: true, filters: ["name": [name + "-contsec-"]]).isEmpty)

            try #"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#
                .write(toFile: ws + "/starved.json", atomically: true, encoding: .utf8)
            let starved = try CLI.run(["apply", "--file", ws + "/starved.json", "--container", name], workspace: ws)
            #expect(starved.status == 2)
            #expect(starved.stderr.contains("futex"), "\(starved.stderr)")
            #expect(try await docker.inspectContainer(name).id == before.id)
        }
    }

    @Test("audit: unconfined seccomp and a deny-list profile are findings")
    func auditFindings() async throws {
        let name = Engine.uniqueName("audit")
        let allowAll = #"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#
        var created: [String] = []
        defer { for id in created { Task { try? await docker.removeContainer(id, force: true) } } }
        for (suffix, options) in [("unconfined", ["seccomp=unconfined"]), ("denylist", ["seccomp=\(allowAll)", "no-new-privileges"])] {
            let id = try await docker.createContainer(name: "\(name)-\(suffix)", ContainerCreateOptions(
                config: ContainerConfig(image: Engine.image, cmd: ["sleep", "60"], labels: ["contsec-test": "1"]),
                hostConfig: HostConfig(networkMode: "none", securityOpt: options))).id
            created.append(id)
        }
        let ws = try CLI.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let run = try CLI.run(["audit", "--all", "--container", "\(name)-unconfined", "--container", "\(name)-denylist"], workspace: ws)
        for id in created { try? await docker.removeContainer(id, force: true) }
        created = []
        #expect(run.status == 0, "\(run.stderr)")
        let found = Set(run.findings.map { "\($0["target"]?["name"]?.stringValue ?? "") \($0["ruleId"]?.stringValue ?? "")" })
        #expect(found.contains("\(name)-unconfined SECCOMP-AUDIT-UNCONFINED"))
        #expect(found.contains("\(name)-unconfined SECCOMP-AUDIT-NO-NEW-PRIVILEGES"))
        #expect(found.contains("\(name)-denylist SECCOMP-AUDIT-DEFAULT-ALLOW"))
        #expect(!found.contains("\(name)-denylist SECCOMP-AUDIT-NO-NEW-PRIVILEGES"))
    }

    @Test("learn through contsec writes the profile, with the syscall table")
    func learnCommand() throws {
        let ws = try CLI.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        let run = try CLI.run(["learn", "--image", Engine.image, "--cmd", "sh -c 'echo hi'", "--profile", "hi", "--duration", "20"],
                              workspace: ws)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.summary?["exitCode"] == 0)
        let text = try String(contentsOfFile: ws + "/security/profiles/seccomp/hi.json", encoding: .utf8)
        #expect(try ProfileParser.parse(text).profile.defaultAction == "SCMP_ACT_ERRNO")
        #expect(run.table?["rows"]?.arrayValue?.contains { $0["syscall"] == "execve" } == true)
        let dry = try CLI.run(["learn", "--image", Engine.image, "--profile", "dry"], workspace: ws, global: ["--dry-run"])
        #expect(dry.status == 0 && dry.actions.allSatisfy { $0["status"] == "planned" })
        #expect(!FileManager.default.fileExists(atPath: ws + "/security/profiles/seccomp/dry.json"))
    }
}
