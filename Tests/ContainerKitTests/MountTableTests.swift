import Foundation
import Testing
@testable import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

@Suite("Mount table", .serialized)
struct MountTableTests {
    @Test("mountinfo lines (proc(5)) with escaped spaces; the last of stacked mounts wins")
    func parses() {
        let table = MountTable(mountinfo: """
            36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            120 25 0:50 / /var/lib/x/a\\040b/plain rw,nosuid,nodev,relatime shared:80 - fuse.gocryptfs /var/lib/x/a\\040b/cipher rw,user_id=0
            121 25 0:51 / /mnt2 rw - tmpfs tmpfs rw,size=8192k
            garbage line
            """)
        #expect(table.entries.count == 3)
        #expect(table.entry(at: "/var/lib/x/a b/plain")?.fileSystemType == "fuse.gocryptfs")
        #expect(table.entry(at: "/var/lib/x/a b/plain")?.source == "/var/lib/x/a b/cipher")
        #expect(table.entry(at: "/mnt2")?.fileSystemType == "tmpfs")
        #expect(table.entry(at: "/nowhere") == nil)
    }

    /// Foundation's one-shot file reads stop after the first page of a /proc file: with many mounts (a busy Docker
    /// host) the table must still be read to its end.
    @Test("a mount table longer than a page is read whole", .enabled(if: geteuid() == 0, "needs root to mount tmpfs"))
    func readsPastFirstPage() async throws {
        let base = NSTemporaryDirectory() + "contsec-test-mounttable-\(UUID().uuidString.prefix(8))"
        let points = (0..<40).map { "\(base)/\($0)" }
        defer {
            for point in points { umount2(point, 0) }
            try? FileManager.default.removeItem(atPath: base)
        }
        for point in points {
            try FileManager.default.createDirectory(atPath: point, withIntermediateDirectories: true)
            _ = try await ToolRunner().run("mount", ["-t", "tmpfs", "-o", "size=64k", "contsec-test-mounttable", point]).checked()
        }
        let raw = try #require(MountTable.readProcFile("/proc/self/mountinfo"))
        #expect(raw.utf8.count > 4096)
        let table = MountTable()
        for point in points { #expect(table.entry(at: point)?.fileSystemType == "tmpfs", "\(point) missing") }
    }
}
