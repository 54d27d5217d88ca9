import Foundation
import ContainerKit
#if canImport(Glibc)
import Glibc
#endif

/// nftables inside one container's own network namespace, entered through `/proc/<pid>/ns/net` with `nsenter`.
/// Before every change it proves the namespace is the container's and not the host's: the pid must still belong
/// to the container (its cgroup names the container id) and its network namespace must differ from this
/// process's and from init's. A container sharing the host's network (`--network host`) is refused.
public struct NamespaceFirewall: Sendable {
    public let runner: ToolRunner
    public init(runner: ToolRunner = ToolRunner()) { self.runner = runner }

    public struct State: Sendable, Equatable {
        /// From the table's comment; nil when contsec's table is absent.
        public var digest: String?
        public var ruleCount: Int
    }

    /// `/proc/<pid>/ns/net` of the container, after the checks above.
    public func namespacePath(of container: ServiceContainer) throws -> String {
        guard geteuid() == 0 else {
            throw NetPolicyError.precondition("writing firewall rules inside a container's network namespace needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN): run contsec as root")
        }
        guard container.running, let pid = container.pid else {
            throw NetPolicyError.precondition("container \(container.name) (service \(container.service)) is not running: start it (docker start \(container.name)) and apply again")
        }
        let path = "/proc/\(pid)/ns/net"
        guard let target = Self.readlink(path) else {
            throw NetPolicyError.precondition("cannot read \(path) for container \(container.name): it may have just stopped; apply again")
        }
        for host in ["/proc/self/ns/net", "/proc/1/ns/net"] where Self.readlink(host) == target {
            throw NetPolicyError.precondition("container \(container.name) shares the host's network namespace (network mode \(container.networkMode)); refusing to write rules there. Re-create it on its tier networks (apply-policy does so unless --no-recreate)")
        }
        let cgroup = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        guard cgroup.contains(container.id) else {
            throw NetPolicyError.precondition("pid \(pid) no longer belongs to container \(container.name) (it restarted?): apply again")
        }
        return path
    }

    public func tools() throws -> (nsenter: String, nft: String) {
        do {
            return (try runner.resolve("nsenter", installHint: "apt-get install util-linux"),
                    try runner.resolve("nft", installHint: "apt-get install nftables"))
        } catch let ToolError.toolMissing(tool, hint) {
            throw NetPolicyError.toolMissing(tool: tool, install: hint)
        }
    }

    /// What contsec's table in the container says about itself, or a state with nil digest when there is none.
    public func state(of container: ServiceContainer) async throws -> State {
        let ns = try namespacePath(of: container)
        let (nsenter, nft) = try tools()
        let r = try await runner.run(nsenter, ["--net=\(ns)", "--", nft, "list", "table", "inet", FirewallRuleset.table],
                                     options: ToolRunOptions(timeout: 20))
        guard r.succeeded else {
            if r.stderrText.contains("No such file or directory") { return State(digest: nil, ruleCount: 0) }
            throw NetPolicyError.failed("nft could not list the rules of \(container.name): \(r.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return Self.parse(r.stdoutText)
    }

    /// Loads the ruleset atomically (one nft transaction).
    public func apply(_ ruleset: FirewallRuleset, to container: ServiceContainer) async throws {
        let ns = try namespacePath(of: container)
        let (nsenter, nft) = try tools()
        let r = try await runner.run(nsenter, ["--net=\(ns)", "--", nft, "-f", "-"],
                                     options: ToolRunOptions(stdin: Data(ruleset.script.utf8), timeout: 20))
        guard r.succeeded else {
            throw NetPolicyError.failed("nft refused the rules for \(container.name): \(r.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Removes contsec's table (the container's traffic is then unfiltered again).
    public func remove(from container: ServiceContainer) async throws {
        let ns = try namespacePath(of: container)
        let (nsenter, nft) = try tools()
        let r = try await runner.run(nsenter, ["--net=\(ns)", "--", nft, "delete", "table", "inet", FirewallRuleset.table],
                                     options: ToolRunOptions(timeout: 20))
        guard r.succeeded || r.stderrText.contains("No such file or directory") else {
            throw NetPolicyError.failed("nft could not remove the rules of \(container.name): \(r.stderrText)")
        }
    }

    /// Reads the digest from the table comment and counts rule lines (everything in a chain but its header).
    static func parse(_ listing: String) -> State {
        var digest: String?
        var count = 0
        var inChain = false
        for raw in listing.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("comment \"contsec netpolicy "), let r = line.range(of: "sha256:") {
                digest = String(line[r.lowerBound...].prefix { $0 != "\"" && $0 != " " })
            } else if line.hasPrefix("chain ") {
                inChain = true
            } else if line == "}" {
                inChain = false
            } else if inChain, !line.isEmpty, !line.hasPrefix("type ") {
                count += 1
            }
        }
        return State(digest: digest, ruleCount: count)
    }

    static func readlink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = Glibc.readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
