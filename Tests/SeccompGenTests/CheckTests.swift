import Foundation
import Testing
@testable import SeccompGen

@Suite("check")
struct CheckTests {
    func issues(_ json: String, _ options: CheckOptions = CheckOptions()) throws -> [CheckIssue] {
        ProfileChecker.check(try ProfileParser.parse(json), options: options)
    }

    /// An allow-list profile that keeps the runtime working and allows `names` as well.
    func allowing(_ names: [String], args: String = "") -> String {
        let base = (RuntimeNeeds.measured + ["clone"]).map { "\"\($0)\"" }.joined(separator: ",")
        let extra = names.map { "\"\($0)\"" }.joined(separator: ",")
        return """
        {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[\(base)],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":\(DockerDefault.namespaceFlags),"op":"SCMP_CMP_MASKED_EQ"}]},
         {"names":[\(base)],"action":"SCMP_ACT_ALLOW"}\(extra.isEmpty ? "" : ",{\"names\":[\(extra)],\"action\":\"SCMP_ACT_ALLOW\"\(args)}")]}
        """
    }

    @Test("each dangerous allowance is flagged with its reason")
    func dangerous() throws {
        #expect(try issues(allowing([])).map(\.ruleId) == ["SECCOMP-CLONE-NAMESPACES"])
        for entry in DangerousSyscalls.catalog {
            for name in entry.names where Architecture.native.contains(where: { $0.table.contains(name) || $0.companion!.table.contains(name) }) {
                let found = try issues(allowing([name])).filter { $0.ruleId == "SECCOMP-\(entry.id)" }
                #expect(found.count == 1, "\(name)")
                #expect(found.first?.syscalls == [name])
                #expect(found.first?.message.contains(entry.why) == true)
            }
        }
    }

    @Test("capability-gated rules count only with the capability")
    func gated() throws {
        let json = """
        {"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":\(RuntimeNeeds.measured),"action":"SCMP_ACT_ALLOW"},
         {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}
        """
        #expect(try issues(json).isEmpty)
        let admin = CheckOptions(capabilities: FilterContext.dockerDefaultCapabilities.union(["CAP_SYS_ADMIN"]))
        #expect(try issues(json, admin).map(\.ruleId) == ["SECCOMP-MOUNT"])
    }

    @Test("default allow, clone without the namespace filter, personality without a filter, runtime needs, NOTIFY")
    func profileLevel() throws {
        let allowAll = try issues(#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}"#)
        #expect(allowAll.first?.ruleId == "SECCOMP-DEFAULT-ALLOW" && allowAll.first?.severity == .critical)
        // A deny list allows everything dangerous it does not name, by the default action.
        #expect(allowAll.contains { $0.ruleId == "SECCOMP-MOUNT" && $0.message.contains("by the default action") })
        let personality = try issues(allowing(["personality"]))
        #expect(personality.contains { $0.ruleId == "SECCOMP-PERSONALITY" })
        let filtered = try issues(allowing(["personality"], args: #","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]"#))
        #expect(!filtered.contains { $0.ruleId == "SECCOMP-PERSONALITY" })
        let starved = try issues(#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","write"],"action":"SCMP_ACT_ALLOW"}]}"#)
        let needs = starved.first { $0.ruleId == "SECCOMP-RUNTIME-NEEDS" }
        #expect(needs?.syscalls.contains("futex") == true && needs?.syscalls.contains("capset") == true)
        #expect(!needs!.syscalls.contains("read"))
    }

    @Test("unknown syscalls (with a suggestion), names of other architectures, ignored keys")
    func names() throws {
        let found = try issues(allowing(["openatt", "riscv_hwprobe", "definitely_not_a_syscall"]))
        let unknown = found.filter { $0.ruleId == "SECCOMP-UNKNOWN-SYSCALL" }
        #expect(unknown.map(\.syscalls) == [["openatt"], ["definitely_not_a_syscall"]])
        #expect(unknown[0].message.contains("did you mean openat?"))
        #expect(unknown[0].path == "syscalls[2].names[0]")
        let typo = try issues(#"{"defaultAction":"SCMP_ACT_ERRNO","syscals":[],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","arg":[]}]}"#)
        #expect(typo.filter { $0.ruleId == "SECCOMP-IGNORED-KEY" }.compactMap(\.path) == ["syscals", "syscalls[0].arg"])
    }

    @Test("malformed files: a clear error with the JSON path")
    func malformed() {
        let cases: [(String, String)] = [
            ("{", ""),
            (#"{"syscalls":[]}"#, "defaultAction"),
            (#"{"defaultAction":"SCMP_ACT_DENY"}"#, "defaultAction"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":{}}"#, "syscalls"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",5],"action":"SCMP_ACT_ALLOW"}]}"#, "syscalls[0].names[1]"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]}]}"#, "syscalls[0].action"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]}"#, "syscalls[0].names"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":7,"value":1,"op":"SCMP_CMP_EQ"}]}]}"#, "syscalls[0].args[0].index"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]}"#, "syscalls[0].args[0].value"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"EQ"}]}]}"#, "syscalls[0].args[0].op"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_Z80"}]}"#, "archMap[0].architecture"),
            (#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"four"}}]}"#, "syscalls[0].includes.minKernel"),
        ]
        for (json, path) in cases {
            do {
                _ = try ProfileParser.parse(json)
                Issue.record("accepted: \(json)")
            } catch let error as ProfileError {
                #expect(error.path == path, "\(json): \(error)")
                #expect(!error.message.isEmpty)
            } catch { Issue.record("\(error)") }
        }
    }

    @Test("the check command: findings for a file, a usage error naming the path for a malformed one")
    func command() throws {
        let ws = try CLI.workspace()
        defer { try? FileManager.default.removeItem(atPath: ws) }
        try allowing(["bpf", "mount"]).write(toFile: ws + "/p.json", atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--file", ws + "/p.json"], workspace: ws)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Set(run.findings.compactMap { $0["ruleId"]?.stringValue }) == ["SECCOMP-BPF", "SECCOMP-MOUNT", "SECCOMP-CLONE-NAMESPACES"])
        #expect(run.findings.allSatisfy { $0["target"]?["file"] == "p.json" })
        #expect(run.table?["rows"]?.arrayValue?.count == 3)
        try #"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read",5],"action":"SCMP_ACT_ALLOW"}]}"#
            .write(toFile: ws + "/bad.json", atomically: true, encoding: .utf8)
        let bad = try CLI.run(["check", "--file", ws + "/bad.json"], workspace: ws)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("syscalls[0].names[1]: expected a string, got an integer"), "\(bad.stderr)")
    }
}
