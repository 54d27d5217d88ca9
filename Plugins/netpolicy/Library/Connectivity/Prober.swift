import Foundation
import ContainerKit

/// What one probe saw.
public enum ProbeOutcome: String, Sendable, Hashable {
    /// The connection was accepted.
    case open
    /// The destination answered with a reset: reached, but nothing listens there.
    case closed
    /// Rejected or dropped on the way (a firewall, no route, a timeout).
    case blocked
    /// Could not be probed (the protocol is not TCP, or the source has no shell tools).
    case untested
}

public struct ProbeTarget: Sendable, Hashable {
    public var address: String
    public var port: Int
}

/// Probes TCP ports from inside a container with its own busybox `nc` (via `docker exec`, so the traffic leaves
/// from the container's namespace and meets both its egress rules and the destination's ingress rules).
/// All probes of one source run in one exec, 32 at a time, each bounded by `timeout` (connect) and a hard cap.
public struct Prober: Sendable {
    public let docker: DockerClient
    public var connectTimeout = 2
    public var batch = 32

    public init(docker: DockerClient) { self.docker = docker }

    /// The shell script for a list of targets: one `R <index> <exit> <message>` line per probe.
    public func script(_ targets: [ProbeTarget]) -> String {
        var s = """
            p() { o=$(timeout \(connectTimeout + 3) nc -w \(connectTimeout) "$2" "$3" </dev/null 2>&1 >/dev/null); echo "R $1 $? $(echo $o)"; }

            """
        for (i, t) in targets.enumerated() {
            // Addresses and ports come from the engine and are checked here, so nothing else reaches the shell.
            guard CIDR(t.address)?.family == .v4, (1...65535).contains(t.port) else { continue }
            s += "p \(i) \(t.address) \(t.port) &\n"
            if (i + 1) % batch == 0 { s += "wait\n" }
        }
        return s + "wait\n"
    }

    /// Runs the probes from `container`; the outcome of each target, in order, with nc's message.
    public func probe(from container: String, _ targets: [ProbeTarget]) async throws -> [(ProbeOutcome, String)] {
        if targets.isEmpty { return [] }
        let result: ExecResult
        do {
            result = try await docker.exec(container, ExecOptions(["sh", "-c", script(targets)]))
        } catch {
            throw NetPolicyError.precondition("cannot run probes in \(container): \(error)")
        }
        if result.exitCode == 126 || result.exitCode == 127 {
            throw NetPolicyError.precondition("container \(container) has no sh/nc/timeout to probe with (the probes need busybox or netcat in the image): \(result.stderrText.prefix(200))")
        }
        var outcomes = Array(repeating: (ProbeOutcome.untested, "no answer from the probe"), count: targets.count)
        for line in result.stdoutText.split(separator: "\n") where line.hasPrefix("R ") {
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, let i = Int(parts[1]), i < targets.count, let code = Int(parts[2]) else { continue }
            let message = parts.count > 3 ? String(parts[3]) : ""
            outcomes[i] = (Self.classify(exit: code, message: message), message)
        }
        return outcomes
    }

    /// nc's exit status and message → outcome. A connection the server holds open until the hard timeout
    /// (exit 143, no message) was accepted.
    static func classify(exit: Int, message: String) -> ProbeOutcome {
        if exit == 0 { return .open }
        let m = message.lowercased()
        if m.contains("refused") { return .closed }
        if exit == 143 && m.isEmpty { return .open }
        if m.contains("not found") || m.contains("applet") { return .untested }
        return .blocked
    }
}
