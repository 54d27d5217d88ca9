#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing

/// contsec as a container's PID 1 (the fleet image's entry point) inherits every orphan: a plugin's daemonised
/// helpers that end must be reaped, not left as zombies for as long as contsec runs. The test makes contsec PID 1 of
/// a new PID namespace (`unshare --pid --fork --mount-proc`, as root) — what `docker run` does.
@Suite struct ReaperTests {
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare")))
    func orphansOfPluginsAreReapedWhenContsecIsPID1() async throws {
        let dir = try HostilePlugin.make("orphaner", runBody: """
            for i in range(10):
                pid = os.fork()
                if pid == 0:
                    if os.fork() == 0:
                        time.sleep(0.2); os._exit(0)
                    os._exit(0)
                os.waitpid(pid, 0)
            time.sleep(2)
            zombies = 0
            for d in os.listdir("/proc"):
                if d.isdigit():
                    try:
                        st = open("/proc/%s/stat" % d).read()
                        if st[st.rindex(")") + 2] == "Z": zombies += 1
                    except OSError: pass
            send({"jsonrpc": "2.0", "method": "log", "params": {"level": "warning", "message": "pid1=%s zombies=%d" % (open("/proc/1/comm").read().strip(), zombies)}})
            send({"jsonrpc": "2.0", "id": mid, "result": {"status": "ok"}})
            """)
        let r = try await contsec(["run", "orphaner", "--plugin-path", dir, "--format", "table", "--no-log"], timeout: 60,
                                  wrapper: ["/usr/bin/unshare", "--pid", "--fork", "--mount-proc", "--"])
        #expect(r.code == 0, "\(r.stderr)")
        #expect(r.stdout.contains("pid1=contsec zombies=0"), "ten orphans ended under contsec (PID 1): \(r.stdout)")
    }
}
